package org.mhero.api;

import org.junit.jupiter.api.Test;
import org.mhero.broadcast.BroadcastRejected;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiHttpTest {
    final ApiHttp api = new ApiHttp(new BasicAuth((u, p) -> Authenticator.Outcome.OK, "karaf", "mhero"), () -> null, 1024);

    @Test
    void answers503WhileBroadcastsAreNotRunning() {
        assertThatThrownBy(() -> api.list(null)).isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.status()).isEqualTo(503));
        assertThatThrownBy(() -> api.create(new ByteArrayInputStream("{\"text\":\"x\",\"groups\":[\"g\"]}".getBytes()), "ops"))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.status()).isEqualTo(503));
    }

    @Test
    void answers413ForALargeBodyWhateverItsDeclaredLength() throws Exception {
        assertThatThrownBy(() -> api.resolve("POST", "/api/broadcasts", "application/json", "1025"))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.status()).isEqualTo(413));
        assertThat(api.resolve("POST", "/api/broadcasts", "application/json", "1024")).isEqualTo("create");
        byte[] big = ("{\"text\":\"" + "x".repeat(1100) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> api.create(new ByteArrayInputStream(big), "ops"))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.status()).isEqualTo(413));
    }

    @Test
    void answersRefusalsWithTheirStatusAndFieldAndHidesOtherFailures() {
        assertThat(api.problem(new BroadcastRejected(409, "status", "already completed")))
                .isEqualTo(new ApiResponse(409, "{\"error\":\"already completed\",\"field\":\"status\"}", Map.of()));
        ApiResponse r = api.problem(new IllegalStateException("insert failed for +231770000001"));
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.json()).doesNotContain("+231");
    }

    @Test
    void respondsWithoutEchoingRequestHeaders() {
        Map<String, Object> headers = new HashMap<>(Map.of("Authorization", "Basic b3BzOnNlY3JldA==", "limit", "3",
                "CamelHttpUri", "/api/broadcasts"));
        String body = api.respond(new ApiResponse(201, "{}", Map.of("Location", "/api/broadcasts/4")), headers);
        assertThat(body).isEqualTo("{}");
        assertThat(headers).doesNotContainKeys("Authorization", "limit")
                .containsEntry("CamelHttpResponseCode", 201).containsEntry("Location", "/api/broadcasts/4")
                .containsEntry("Content-Type", "application/json; charset=utf-8");
    }
}
