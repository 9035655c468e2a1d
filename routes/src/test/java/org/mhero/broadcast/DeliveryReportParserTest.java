package org.mhero.broadcast;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeliveryReportParserTest {
    static Map<String, Object> kannel(String type) {
        return Map.of("batch", "42", "to", "+231770000001", "type", type, "fid", "", "answer", "ACK/");
    }

    @Test
    void mapsKannelDlrTypes() throws Exception {
        assertThat(DeliveryReportParser.kannel(kannel("1"))).isEqualTo(
                new DeliveryReportParser.KannelReport(42, "+231770000001", DeliveryState.DELIVERED, "1", null));
        assertThat(DeliveryReportParser.kannel(kannel("8")).state()).isEqualTo(DeliveryState.SENT);
        assertThat(DeliveryReportParser.kannel(kannel("4")).state()).isEqualTo(DeliveryState.SENT);
        assertThat(DeliveryReportParser.kannel(kannel("2")).state()).isEqualTo(DeliveryState.FAILED);
        var rejected = DeliveryReportParser.kannel(Map.of("batch", "42", "to", "+231770000001", "type", "16",
                "answer", "NACK/0x0000000b/Invalid Destination Address"));
        assertThat(rejected.state()).isEqualTo(DeliveryState.FAILED);
        assertThat(rejected.rawCode()).isEqualTo("16");
        assertThat(rejected.reason()).isEqualTo("rejected by the SMSC (Kannel DLR 16): NACK/0x0000000b/Invalid Destination Address");
    }

    @Test
    void readsTheNumberBackInE164AndTakesTheFirstOfRepeatedValues() throws Exception {
        assertThat(DeliveryReportParser.kannel(Map.of("batch", "7", "to", "00231770000001", "type", "1")).phone()).isEqualTo("+231770000001");
        assertThat(DeliveryReportParser.kannel(Map.of("batch", "7", "to", " 231770000001", "type", "1")).phone()).isEqualTo("+231770000001");
        assertThat(DeliveryReportParser.kannel(Map.of("batch", List.of("7", "8"), "to", "+231770000001", "type", "1")).batchId()).isEqualTo(7);
    }

    @Test
    void refusesMalformedKannelReports() {
        assertThatThrownBy(() -> DeliveryReportParser.kannel(Map.of("to", "+231770000001", "type", "1")))
                .isInstanceOf(DeliveryReportParser.Malformed.class).hasMessageContaining("required");
        assertThatThrownBy(() -> DeliveryReportParser.kannel(Map.of("batch", "x", "to", "+231770000001", "type", "1")))
                .hasMessageContaining("batch is not a number");
        assertThatThrownBy(() -> DeliveryReportParser.kannel(Map.of("batch", "1", "to", "%p", "type", "1")))
                .hasMessageContaining("not a phone number");
        assertThatThrownBy(() -> DeliveryReportParser.kannel(Map.of("batch", "1", "to", "+231770000001", "type", "32")))
                .hasMessageContaining("not a Kannel DLR type");
    }

    @Test
    void mapsAfricasTalkingStatuses() throws Exception {
        assertThat(DeliveryReportParser.africasTalking(Map.of("id", "ATXid_1", "status", "Success"))).isEqualTo(
                new DeliveryReportParser.MessageReport("ATXid_1", DeliveryState.DELIVERED, "Success", null));
        for (String s : List.of("Sent", "Submitted", "Buffered")) {
            assertThat(DeliveryReportParser.africasTalking(Map.of("id", "a", "status", s)).state()).isEqualTo(DeliveryState.SENT);
        }
        for (String s : List.of("Rejected", "Failed", "Expired")) {
            assertThat(DeliveryReportParser.africasTalking(Map.of("id", "a", "status", s)).state()).isEqualTo(DeliveryState.FAILED);
        }
        var failed = DeliveryReportParser.africasTalking(Map.of("id", "a", "status", "Failed", "failureReason", "AbsentSubscriber",
                "phoneNumber", "+254711000001", "retryCount", "0"));
        assertThat(failed.reason()).isEqualTo("Failed: AbsentSubscriber");
        assertThat(failed.rawCode()).isEqualTo("Failed");
    }

    @Test
    void refusesMalformedAfricasTalkingReports() {
        assertThatThrownBy(() -> DeliveryReportParser.africasTalking(Map.of("status", "Success")))
                .isInstanceOf(DeliveryReportParser.Malformed.class);
        assertThatThrownBy(() -> DeliveryReportParser.africasTalking(Map.of("id", "a", "status", "Delivered")))
                .hasMessageContaining("not a known delivery status");
    }
}
