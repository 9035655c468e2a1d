package org.mhero.api;

import org.junit.jupiter.api.Test;
import org.mhero.broadcast.BroadcastRequest;
import org.mhero.broadcast.BroadcastView;
import org.mhero.broadcast.DeliveryView;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiJsonTest {

    static ApiProblem refused(String body) {
        try {
            ApiJson.request(body);
        } catch (ApiProblem p) {
            return p;
        }
        throw new AssertionError("accepted: " + body);
    }

    @Test
    void readsEveryFieldOfTheSnakeCaseShape() throws Exception {
        BroadcastRequest r = ApiJson.request("""
                {"title": "Stock", "text": "Count your stock", "groups": ["doctors", "bong-nurses-midwives"],
                 "rule": "cadre = nurse", "workers": [12, 13], "channel": "rapidpro",
                 "send_at": "2026-12-01T09:00:00+01:00", "cron": "0 0 8 ? * MON"}""");
        assertThat(r).isEqualTo(new BroadcastRequest("Stock", "Count your stock", null, null,
                List.of("doctors", "bong-nurses-midwives"), "cadre = nurse", List.of(12L, 13L), "rapidpro",
                Instant.parse("2026-12-01T08:00:00Z"), "0 0 8 ? * MON"));
    }

    @Test
    void keepsFlowParamsAsAJsonObject() throws Exception {
        BroadcastRequest r = ApiJson.request("{\"flow\": \"f-1\", \"params\": {\"week\": 3, \"a\": \"b\"}, \"groups\": [\"doctors\"]}");
        assertThat(r.flowUuid()).isEqualTo("f-1");
        assertThat(r.paramsJson()).isEqualTo("{\"week\":3,\"a\":\"b\"}");
        assertThat(r.text()).isNull();
    }

    @Test
    void refusesUnknownFieldsWithTheirName() {
        ApiProblem p = refused("{\"text\": \"hi\", \"groups\": [\"doctors\"], \"sendAt\": \"2026-12-01T08:00:00Z\"}");
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.field()).isEqualTo("sendAt");
        assertThat(p.getMessage()).contains("send_at");
    }

    @Test
    void refusesWrongTypesWithTheField() {
        assertThat(refused("{\"text\": 12}").field()).isEqualTo("text");
        assertThat(refused("{\"text\": \"x\", \"groups\": \"doctors\"}").field()).isEqualTo("groups");
        assertThat(refused("{\"text\": \"x\", \"groups\": [\"\"]}").field()).isEqualTo("groups");
        assertThat(refused("{\"text\": \"x\", \"workers\": [\"12\"]}").field()).isEqualTo("workers");
        assertThat(refused("{\"text\": \"x\", \"workers\": [1.5]}").field()).isEqualTo("workers");
        assertThat(refused("{\"text\": \"x\", \"workers\": [-3]}").field()).isEqualTo("workers");
        assertThat(refused("{\"flow\": \"f\", \"params\": [1]}").field()).isEqualTo("params");
        assertThat(refused("{\"text\": \"x\", \"send_at\": \"2026-12-01T08:00:00\"}")).satisfies(p -> {
            assertThat(p.field()).isEqualTo("send_at");
            assertThat(p.getMessage()).contains("offset");
        });
        assertThat(refused("{\"text\": \"x\", \"send_at\": \"tomorrow\"}").field()).isEqualTo("send_at");
    }

    @Test
    void refusesBodiesThatAreNotOneJsonObject() {
        assertThat(refused("").field()).isEqualTo("body");
        assertThat(refused("{\"text\": ").getMessage()).startsWith("is not valid JSON");
        assertThat(refused("[{\"text\": \"x\"}]").getMessage()).isEqualTo("must be a JSON object");
        assertThat(refused("{\"text\": \"x\"} {\"text\": \"y\"}").field()).isEqualTo("body");
        assertThat(refused("{\"text\": \"x\", \"text\": \"y\"}").getMessage()).contains("Duplicate");
    }

    @Test
    void readsTheShellCommandsNamedFields() throws Exception {
        BroadcastRequest r = ApiJson.request(Map.of("text", "Hello", "groups", "doctors, nurses", "workers", "4,5",
                "send_at", "2026-12-01T08:00:00Z", "params", " "));
        assertThat(r.groups()).containsExactly("doctors", "nurses");
        assertThat(r.workers()).containsExactly(4L, 5L);
        assertThat(r.sendAt()).isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(r.paramsJson()).isNull();
        assertThatThrownBy(() -> ApiJson.request(Map.of("text", "x", "workers", "4,x")))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.field()).isEqualTo("workers"));
        assertThatThrownBy(() -> ApiJson.request(Map.of("flow", "f", "params", "{oops")))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.field()).isEqualTo("params"));
        assertThat(ApiJson.request(Map.of("text", "", "groups", "g")).text()).as("an empty text is the service's to refuse").isEmpty();
    }

    @Test
    void rendersAViewWithCountsAndNoContent() {
        BroadcastView v = new BroadcastView(7, "Stock", "text", "sending", null, "ops", Instant.parse("2026-11-21T10:00:00Z"),
                null, null, null, null, Instant.parse("2026-11-21T10:00:01Z"), null, 3, Map.of("pending", 2, "skipped", 1));
        assertThat(ApiJson.view(v)).isEqualTo("{\"id\":7,\"title\":\"Stock\",\"kind\":\"text\",\"status\":\"sending\",\"channel\":null,"
                + "\"created_by\":\"ops\",\"created_at\":\"2026-11-21T10:00:00Z\",\"send_at\":null,\"cron\":null,\"next_fire_at\":null,"
                + "\"parent_id\":null,\"started_at\":\"2026-11-21T10:00:01Z\",\"finished_at\":null,\"recipients\":3,"
                + "\"counts\":{\"pending\":2,\"skipped\":1}}");
        assertThat(ApiJson.views(List.of(v))).startsWith("{\"broadcasts\":[{\"id\":7,");
    }

    @Test
    void rendersDeliveriesWithTheCursorOfTheNextPage() {
        DeliveryView d = new DeliveryView(41, 3, "Ann Kollie", "+231*******01", 1, "skipped", "opted out", null, null, 0,
                Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(ApiJson.deliveries(7, List.of(d), 1)).contains("\"phone\":\"+231*******01\"", "\"next_after\":41",
                "\"reason\":\"opted out\"", "\"name\":\"Ann Kollie\"");
        assertThat(ApiJson.deliveries(7, List.of(d), 2)).contains("\"next_after\":null");
    }

    @Test
    void rendersErrorsWithTheField() {
        assertThat(ApiJson.error("is empty", "text")).isEqualTo("{\"error\":\"is empty\",\"field\":\"text\"}");
        assertThat(ApiJson.error("no resource /api/x", null)).isEqualTo("{\"error\":\"no resource /api/x\",\"field\":null}");
    }
}
