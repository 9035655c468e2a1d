package org.mhero.report;

import org.junit.jupiter.api.Test;
import org.mhero.api.ApiPaths;
import org.mhero.api.ApiProblem;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of reports that need no database: subjects, paths, percentages, RapidPro's statuses. */
class ReportUnitTest {
    static final String FLOW = "6C1F1A2E-5B7D-4C3E-9A8F-0D2E4B6A8C10";

    @Test
    void subjectsAreCheckedByKind() {
        assertThat(Subject.of(Subject.Kind.BROADCAST, " 012 ")).isEqualTo(new Subject(Subject.Kind.BROADCAST, "12"));
        assertThat(Subject.of(Subject.Kind.FLOW, FLOW).key()).isEqualTo(FLOW.toLowerCase());
        assertThat(Subject.of(Subject.Kind.QUIZ, "demo-ipc").toString()).isEqualTo("quiz demo-ipc");
        for (var bad : List.of(new Subject(Subject.Kind.BROADCAST, "0"), new Subject(Subject.Kind.BROADCAST, "-3"),
                new Subject(Subject.Kind.BROADCAST, "x"), new Subject(Subject.Kind.FLOW, "1234"), new Subject(Subject.Kind.QUIZ, "Demo IPC"),
                new Subject(Subject.Kind.QUIZ, ""))) {
            assertThatThrownBy(() -> Subject.of(bad.kind(), bad.key())).as(bad.toString()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad.key() + "'");
        }
        assertThat(Subject.Kind.ofPath("quizzes")).isEqualTo(Subject.Kind.QUIZ);
        assertThat(Subject.Kind.ofPath("quiz")).isNull();
        assertThat(Subject.Kind.ofWord("Flow")).isEqualTo(Subject.Kind.FLOW);
        assertThat(Subject.Kind.ofWord("survey")).isNull();
    }

    @Test
    void reportPathsResolveToTheirOperations() throws Exception {
        assertThat(ApiPaths.resolve("GET", "/api/reports/broadcasts/12").operation()).isEqualTo("report");
        assertThat(ApiPaths.resolve("GET", "/api/reports/flows/" + FLOW + "/non-responders?limit=5").operation()).isEqualTo("report-non-responders");
        assertThat(ApiPaths.resolve("POST", "/api/reports/quizzes/demo-ipc/follow-up").operation()).isEqualTo("report-follow-up");
        for (String p : List.of("/api/reports", "/api/reports/broadcasts", "/api/reports/surveys/1", "/api/reports/broadcasts/1/other",
                "/api/reports/broadcasts/1/non-responders/x")) {
            assertThatThrownBy(() -> ApiPaths.resolve("GET", p)).as(p).isInstanceOfSatisfying(ApiProblem.class,
                    e -> assertThat(e.status()).isEqualTo(404));
        }
        assertThatThrownBy(() -> ApiPaths.resolve("POST", "/api/reports/broadcasts/12")).isInstanceOfSatisfying(ApiProblem.class, e -> {
            assertThat(e.status()).isEqualTo(405);
            assertThat(e.headers()).containsEntry("Allow", "GET");
        });
        assertThatThrownBy(() -> ApiPaths.resolve("GET", "/api/reports/broadcasts/12/follow-up")).isInstanceOfSatisfying(ApiProblem.class,
                e -> assertThat(e.status()).isEqualTo(405));
    }

    @Test
    void eachStepHasItsShareOfTheStepBeforeToOneDecimal() {
        assertThat(ReportStore.steps(482, 289, 165, 119)).extracting(ReportStore.Step::percentOfPrevious)
                .containsExactly(null, 60.0, 57.1, 72.1);
        assertThat(ReportStore.steps(0, 0, 0, 0)).extracting(ReportStore.Step::percentOfPrevious).containsExactly(null, 0.0, 0.0, 0.0);
        assertThat(ReportStore.steps(3, 3, 2, 2)).extracting(ReportStore.Step::percentOfPrevious).containsExactly(null, 100.0, 66.7, 100.0);
        assertThat(ReportStore.steps(3, 3, 2, 2)).extracting(ReportStore.Step::name).containsExactly("targeted", "reached", "responded", "completed");
    }

    @Test
    void rapidProsMessageStatusesMapToDeliveryStatusesOrToNothingYet() {
        assertThat(RapidProTracker.status("wired")).isEqualTo("sent");
        assertThat(RapidProTracker.status("sent")).isEqualTo("sent");
        assertThat(RapidProTracker.status("delivered")).isEqualTo("delivered");
        assertThat(RapidProTracker.status("read")).isEqualTo("delivered");
        assertThat(RapidProTracker.status("failed")).isEqualTo("failed");
        for (String nothingYet : List.of("queued", "initializing", "pending", "errored", "handled", "")) {
            assertThat(RapidProTracker.status(nothingYet)).as(nothingYet).isNull();
        }
    }
}
