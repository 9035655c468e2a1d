package org.mhero.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiPathsTest {

    @Test
    void resolvesEveryOperation() throws Exception {
        assertThat(ApiPaths.resolve("POST", "/api/broadcasts")).isEqualTo(new ApiPaths.Call("create", 0));
        assertThat(ApiPaths.resolve("GET", "/api/broadcasts/")).isEqualTo(new ApiPaths.Call("list", 0));
        assertThat(ApiPaths.resolve("GET", "/api/broadcasts/12")).isEqualTo(new ApiPaths.Call("get", 12));
        assertThat(ApiPaths.resolve("get", "/api/broadcasts/12/deliveries?status=dead")).isEqualTo(new ApiPaths.Call("deliveries", 12));
        assertThat(ApiPaths.resolve("POST", "/api/broadcasts/12/cancel")).isEqualTo(new ApiPaths.Call("cancel", 12));
        assertThat(ApiPaths.resolve("POST", "/api/broadcasts/12/replay")).isEqualTo(new ApiPaths.Call("replay", 12));
        assertThat(ApiPaths.resolve("POST", "/api/dead-letters/replay")).isEqualTo(new ApiPaths.Call("replay-all", 0));
    }

    @Test
    void resolvesTheQuizResourcesByName() throws Exception {
        assertThat(ApiPaths.resolve("GET", "/api/quizzes")).isEqualTo(new ApiPaths.Call("quiz-list", 0));
        assertThat(ApiPaths.resolve("POST", "/api/quizzes/")).isEqualTo(new ApiPaths.Call("quiz-create", 0));
        assertThat(ApiPaths.resolve("GET", "/api/quizzes/cold-chain")).isEqualTo(new ApiPaths.Call("quiz-get", 0, "cold-chain"));
        assertThat(ApiPaths.resolve("GET", "/api/quizzes/cold-chain/results?limit=5&after=12"))
                .isEqualTo(new ApiPaths.Call("quiz-results", 0, "cold-chain"));
        assertThat(ApiPaths.resolve("POST", "/api/quizzes/imci-2/close")).isEqualTo(new ApiPaths.Call("quiz-close", 0, "imci-2"));
        for (String p : new String[] {"/api/quizzes/Cold-Chain", "/api/quizzes/cold_chain", "/api/quizzes/cold-chain/answers",
                "/api/quizzes/cold-chain/close/now", "/api/quizzes/" + "x".repeat(65)}) {
            assertThatThrownBy(() -> ApiPaths.resolve("GET", p)).as(p)
                    .isInstanceOfSatisfying(ApiProblem.class, e -> assertThat(e.status()).isEqualTo(404));
        }
        assertThatThrownBy(() -> ApiPaths.resolve("DELETE", "/api/quizzes/cold-chain")).isInstanceOfSatisfying(ApiProblem.class,
                e -> assertThat(e.headers()).containsEntry("Allow", "GET"));
        assertThatThrownBy(() -> ApiPaths.resolve("GET", "/api/quizzes/cold-chain/close")).isInstanceOfSatisfying(ApiProblem.class,
                e -> assertThat(e.headers()).containsEntry("Allow", "POST"));
        assertThatThrownBy(() -> ApiPaths.resolve("PUT", "/api/quizzes")).isInstanceOfSatisfying(ApiProblem.class,
                e -> assertThat(e.headers()).containsEntry("Allow", "GET, POST"));
    }

    @Test
    void answers404ForUnknownPathsAndIds() {
        for (String p : new String[] {"/api", "/api/groups", "/api/broadcasts/12/parts", "/api/broadcasts/abc", "/api/broadcasts/0",
                "/api/broadcasts/1/cancel/now", "/other/broadcasts", "/api/dead-letters"}) {
            assertThatThrownBy(() -> ApiPaths.resolve("GET", p)).as(p)
                    .isInstanceOfSatisfying(ApiProblem.class, e -> assertThat(e.status()).isEqualTo(404));
        }
    }

    @Test
    void answers405WithTheAllowedMethods() {
        assertThatThrownBy(() -> ApiPaths.resolve("DELETE", "/api/broadcasts/12")).isInstanceOfSatisfying(ApiProblem.class, e -> {
            assertThat(e.status()).isEqualTo(405);
            assertThat(e.headers()).containsEntry("Allow", "GET");
        });
        assertThatThrownBy(() -> ApiPaths.resolve("GET", "/api/broadcasts/12/cancel")).isInstanceOfSatisfying(ApiProblem.class,
                e -> assertThat(e.headers()).containsEntry("Allow", "POST"));
        assertThatThrownBy(() -> ApiPaths.resolve("PUT", "/api/broadcasts")).isInstanceOfSatisfying(ApiProblem.class,
                e -> assertThat(e.headers()).containsEntry("Allow", "GET, POST"));
    }

    @Test
    void acceptsOnlyJsonBodies() throws Exception {
        ApiPaths.requireJson("application/json");
        ApiPaths.requireJson("application/json; charset=UTF-8");
        ApiPaths.requireJson("application/merge-patch+json");
        for (String t : new String[] {null, "text/plain", "application/x-www-form-urlencoded", "application/jsonx"}) {
            assertThatThrownBy(() -> ApiPaths.requireJson(t)).as(String.valueOf(t))
                    .isInstanceOfSatisfying(ApiProblem.class, e -> assertThat(e.status()).isEqualTo(415));
        }
    }

    @Test
    void checksQueryParameters() throws Exception {
        assertThat(ApiPaths.number("limit", null, 100, 1, 1000)).isEqualTo(100);
        assertThat(ApiPaths.number("limit", "20", 100, 1, 1000)).isEqualTo(20);
        assertThatThrownBy(() -> ApiPaths.number("limit", "0", 100, 1, 1000)).isInstanceOfSatisfying(ApiProblem.class,
                e -> assertThat(e.field()).isEqualTo("limit"));
        assertThatThrownBy(() -> ApiPaths.number("after", "x", 0, 0, Long.MAX_VALUE)).isInstanceOf(ApiProblem.class);
        assertThat(ApiPaths.flag("in_doubt", "TRUE")).isTrue();
        assertThat(ApiPaths.flag("in_doubt", null)).isFalse();
        assertThatThrownBy(() -> ApiPaths.flag("in_doubt", "yes")).isInstanceOf(ApiProblem.class);
        assertThat(ApiPaths.status("Dead")).isEqualTo("dead");
        assertThat(ApiPaths.status("")).isNull();
        assertThatThrownBy(() -> ApiPaths.status("lost")).isInstanceOfSatisfying(ApiProblem.class,
                e -> assertThat(e.field()).isEqualTo("status"));
    }
}
