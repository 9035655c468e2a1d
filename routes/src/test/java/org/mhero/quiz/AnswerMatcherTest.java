package org.mhero.quiz;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class AnswerMatcherTest {
    static final List<String> CHOICES = List.of("Paracetamol", "ORS and zinc", "Amoxicillin", "Nothing");

    @Test
    void readsLettersNumbersAndPhrasesTheWayWorkersWriteThem() {
        for (String a : List.of("b", "B", " b ", "(b)", "b)", "B.", "option b", "Option B", "answer: B", "my answer is b", "2", "[2]", "ors and zinc", "ORS & ZINC")) {
            assertThat(AnswerMatcher.match(a, CHOICES)).as(a).isEqualTo(OptionalInt.of(1));
        }
        assertThat(AnswerMatcher.match("d", CHOICES)).isEqualTo(OptionalInt.of(3));
        assertThat(AnswerMatcher.match("amoxicillin", CHOICES)).isEqualTo(OptionalInt.of(2));
    }

    @Test
    void neverGuesses() {
        for (String a : List.of("", "e", "5", "0", "bc", "b or c", "zinc", "I think paracetamol maybe", "?", "option")) {
            assertThat(AnswerMatcher.match(a, CHOICES)).as(a).isEmpty();
        }
        assertThat(AnswerMatcher.match(null, CHOICES)).isEmpty();
        assertThat(AnswerMatcher.match("same", List.of("Same", "same"))).as("two choices could be meant").isEmpty();
    }
}
