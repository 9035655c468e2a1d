package org.mhero.broadcast;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HttpAggregatorChannelTest {
    static final List<Recipient> THREE = List.of(
            new Recipient(11, 1, "+254711000001", null),
            new Recipient(12, 2, "+254711000002", null),
            new Recipient(13, 3, "+254711000003", null));

    static String reply(String... entries) {
        return "{\"SMSMessageData\":{\"Message\":\"Sent to 1/3 Total Cost: KES 0.8000\",\"Recipients\":[" + String.join(",", entries) + "]}}";
    }

    static String entry(int code, String number, String status, String messageId) {
        return "{\"statusCode\":" + code + ",\"number\":\"" + number + "\",\"status\":\"" + status
                + "\",\"cost\":\"KES 0.8000\",\"messageId\":\"" + messageId + "\"}";
    }

    @Test
    void readsEveryRecipientsOutcomeWithItsMessageId() {
        SendResult r = HttpAggregatorChannel.interpret(201, reply(
                entry(101, "+254711000001", "Success", "ATXid_a"),
                entry(403, "+254711000002", "InvalidPhoneNumber", "None"),
                entry(501, "+254711000003", "GatewayError", "None")), THREE);
        assertThat(r.outcome()).isEqualTo(SendResult.Outcome.ACCEPTED);
        assertThat(r.of(11)).isEqualTo(new SendResult.RecipientResult(SendResult.Outcome.ACCEPTED, "ATXid_a", null));
        assertThat(r.of(12).outcome()).isEqualTo(SendResult.Outcome.FAILED);
        assertThat(r.of(12).reason()).contains("InvalidPhoneNumber").contains("403");
        assertThat(r.of(13).outcome()).isEqualTo(SendResult.Outcome.RETRY);
        assertThat(r.of(13).reason()).contains("GatewayError");
    }

    @Test
    void mapsEveryDocumentedStatusCode() {
        for (int code : new int[] {100, 101, 102}) {
            assertThat(HttpAggregatorChannel.recipient(json(entry(code, "+1", "x", "ATXid_1"))).outcome()).as("%d", code)
                    .isEqualTo(SendResult.Outcome.ACCEPTED);
        }
        for (int code : new int[] {401, 402, 403, 404, 405, 406, 407, 502, 499, 600}) {
            assertThat(HttpAggregatorChannel.recipient(json(entry(code, "+1", "x", "None"))).outcome()).as("%d", code)
                    .isEqualTo(SendResult.Outcome.FAILED);
        }
        for (int code : new int[] {500, 501}) {
            assertThat(HttpAggregatorChannel.recipient(json(entry(code, "+1", "x", "None"))).outcome()).as("%d", code)
                    .isEqualTo(SendResult.Outcome.RETRY);
        }
    }

    @Test
    void matchesNumbersWhateverTheirOrderAndMarksAMissingOneInDoubt() {
        SendResult r = HttpAggregatorChannel.interpret(201, reply(
                entry(101, "254711000003", "Success", "ATXid_c"),
                entry(101, "+254711000001", "Success", "ATXid_a")), THREE);
        assertThat(r.of(11).messageId()).isEqualTo("ATXid_a");
        assertThat(r.of(13).messageId()).isEqualTo("ATXid_c");
        assertThat(r.of(12).outcome()).isEqualTo(SendResult.Outcome.IN_DOUBT);
        assertThat(r.outcome()).as("the batch stays open for the reconciliation").isEqualTo(SendResult.Outcome.IN_DOUBT);
    }

    @Test
    void allRefusedIsAFailedBatchAndOnlyRetryableIsARetry() {
        SendResult failed = HttpAggregatorChannel.interpret(201, reply(entry(405, "+254711000001", "InsufficientBalance", "None")), THREE.subList(0, 1));
        assertThat(failed.outcome()).isEqualTo(SendResult.Outcome.FAILED);
        assertThat(failed.reason()).contains("Sent to 1/3");
        SendResult retry = HttpAggregatorChannel.interpret(201, reply(entry(500, "+254711000001", "InternalServerError", "None")), THREE.subList(0, 1));
        assertThat(retry.outcome()).isEqualTo(SendResult.Outcome.RETRY);
    }

    @Test
    void mapsTheAnswersToTheRequest() {
        assertThat(HttpAggregatorChannel.interpret(401, "The supplied authentication is invalid", THREE).outcome()).isEqualTo(SendResult.Outcome.FAILED);
        assertThat(HttpAggregatorChannel.interpret(403, "", THREE).outcome()).isEqualTo(SendResult.Outcome.FAILED);
        assertThat(HttpAggregatorChannel.interpret(400, "Request is missing required form field 'to'", THREE).reason())
                .contains("missing required form field");
        assertThat(HttpAggregatorChannel.interpret(429, "Too Many Requests", THREE).outcome()).isEqualTo(SendResult.Outcome.RETRY);
        assertThat(HttpAggregatorChannel.interpret(500, "Internal Server Error", THREE).outcome()).isEqualTo(SendResult.Outcome.IN_DOUBT);
        assertThat(HttpAggregatorChannel.interpret(503, "", THREE).outcome()).isEqualTo(SendResult.Outcome.IN_DOUBT);
        assertThat(HttpAggregatorChannel.interpret(201, "<?xml version='1.0'?><AfricasTalkingResponse/>", THREE).outcome())
                .as("a 2xx we cannot read may have been sent").isEqualTo(SendResult.Outcome.IN_DOUBT);
    }

    static com.fasterxml.jackson.databind.JsonNode json(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
