package org.mhero.quiz;

import org.junit.jupiter.api.Test;
import org.mhero.config.Pid;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class QuizDefinitionTest {
    static final String Q = "Best fridge temperature? | 0 to 2 C | 2 to 8 C | answer = B";

    @Test
    void aQuizEnrolsAGroupATrainingOrBoth() {
        Pid p = new Pid(QuizDefinition.PID, Map.of(
                "quiz.by-group.group", "nurses", "quiz.by-group.question.1", Q,
                "quiz.by-training.training", "IMCI", "quiz.by-training.question.1", Q,
                "quiz.both.group", "nurses", "quiz.both.training", "IMCI", "quiz.both.question.1", Q));
        List<QuizDefinition> quizzes = QuizDefinition.from(p);
        assertThat(p.problems()).isEmpty();
        assertThat(quizzes).extracting(QuizDefinition::name, QuizDefinition::group, QuizDefinition::training)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("both", "nurses", "IMCI"),
                        org.assertj.core.groups.Tuple.tuple("by-group", "nurses", null),
                        org.assertj.core.groups.Tuple.tuple("by-training", null, "IMCI"));
    }

    @Test
    void aQuizWithoutGroupOrTrainingIsAProblem() {
        Pid p = new Pid(QuizDefinition.PID, Map.of("quiz.nobody.question.1", Q, "quiz.nobody.training", ""));
        QuizDefinition.from(p);
        assertThat(p.problems()).singleElement().satisfies(pr -> {
            assertThat(pr.key()).isEqualTo("quiz.nobody.group");
            assertThat(pr.message()).contains("training");
        });
    }

    @Test
    void twoQuizzesWithOneKeywordIsAProblem() {
        Pid p = new Pid(QuizDefinition.PID, Map.of(
                "quiz.a.group", "nurses", "quiz.a.keyword", "COLD", "quiz.a.question.1", Q,
                "quiz.b.group", "nurses", "quiz.b.keyword", "cold", "quiz.b.question.1", Q));
        QuizDefinition.from(p);
        assertThat(p.problems()).singleElement().satisfies(pr -> {
            assertThat(pr.key()).isEqualTo("quiz.b.keyword");
            assertThat(pr.message()).contains("quiz a");
        });
    }

    @Test
    void namesAndKeywordsFollowTheConfigurationsRules() {
        assertThat(QuizDefinition.validName("cold-chain-2")).isTrue();
        assertThat(QuizDefinition.validName("Cold")).isFalse();
        assertThat(QuizDefinition.validName("")).isFalse();
        assertThat(QuizDefinition.validKeyword("ORS")).isTrue();
        assertThat(QuizDefinition.validKeyword("O")).isFalse();
        assertThat(QuizDefinition.validKeyword("ORS ZINC")).isFalse();
    }
}
