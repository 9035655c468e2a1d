package org.mhero.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.mhero.quiz.QuizDefinition;
import org.mhero.quiz.QuizStore;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuizJsonTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A valid body: two questions, the answer as a letter and as an index. */
    static ObjectNode good() {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", "cold-chain");
        o.put("group", "nurses");
        o.put("training", "IMCI");
        o.put("keyword", "cold");
        o.put("interval_days", 2);
        o.put("send_hour", 9);
        ArrayNode qs = o.putArray("questions");
        ObjectNode q1 = qs.addObject();
        q1.put("text", "Best fridge temperature?");
        q1.putArray("choices").add("0 to 2 C").add(" 2 to 8 C ").add("8 to 12 C");
        q1.put("answer", "b");
        q1.put("explanation", "Between 2 and 8 degrees.");
        ObjectNode q2 = qs.addObject();
        q2.put("text", "Which vaccine is damaged by freezing?");
        q2.putArray("choices").add("Pentavalent").add("Measles");
        q2.put("answer", 0);
        return o;
    }

    static String with(Consumer<ObjectNode> change) {
        ObjectNode o = good();
        change.accept(o);
        return o.toString();
    }

    static ObjectNode q(ObjectNode o, int i) { return (ObjectNode) o.get("questions").get(i); }

    @Test
    void readsAQuizWithTheAnswerAsALetterOrAnIndex() throws Exception {
        QuizDefinition d = QuizJson.request(good().toString());
        assertThat(d.name()).isEqualTo("cold-chain");
        assertThat(d.group()).isEqualTo("nurses");
        assertThat(d.training()).isEqualTo("IMCI");
        assertThat(d.keyword()).as("upper-cased like the configuration's").isEqualTo("COLD");
        assertThat(d.intervalDays()).isEqualTo(2);
        assertThat(d.sendHour()).isEqualTo(9);
        assertThat(d.questions()).containsExactly(
                new QuizDefinition.Question(1, "Best fridge temperature?", List.of("0 to 2 C", "2 to 8 C", "8 to 12 C"), 1, "Between 2 and 8 degrees."),
                new QuizDefinition.Question(2, "Which vaccine is damaged by freezing?", List.of("Pentavalent", "Measles"), 0, null));
    }

    @Test
    void defaultsToOneDayAnyHourAndAcceptsATrainingWithoutAGroup() throws Exception {
        QuizDefinition d = QuizJson.request(with(o -> {
            o.remove(List.of("group", "keyword", "interval_days"));
            o.putNull("send_hour");
        }));
        assertThat(d.group()).isNull();
        assertThat(d.keyword()).isNull();
        assertThat(d.intervalDays()).isEqualTo(1);
        assertThat(d.sendHour()).isNull();
    }

    record Bad(String why, String body, String field) {}

    @Test
    void answersEveryBadFieldWithA400NamingIt() {
        List<Bad> bad = List.of(
                new Bad("empty", "", "body"),
                new Bad("not JSON", "{\"name\": ", "body"),
                new Bad("not an object", "[1]", "body"),
                new Bad("duplicate field", "{\"name\": \"a\", \"name\": \"b\"}", "body"),
                new Bad("unknown field", with(o -> o.put("priority", 1)), "priority"),
                new Bad("no name", with(o -> o.remove("name")), "name"),
                new Bad("upper-case name", with(o -> o.put("name", "Cold-Chain")), "name"),
                new Bad("name with a space", with(o -> o.put("name", "cold chain")), "name"),
                new Bad("name too long", with(o -> o.put("name", "x".repeat(65))), "name"),
                new Bad("name a number", with(o -> o.put("name", 12)), "name"),
                new Bad("neither group nor training", with(o -> o.remove(List.of("group", "training"))), "group"),
                new Bad("blank group", with(o -> o.put("group", " ")), "group"),
                new Bad("group a list", with(o -> o.putArray("group").add("nurses")), "group"),
                new Bad("training a number", with(o -> o.put("training", 7)), "training"),
                new Bad("keyword of two words", with(o -> o.put("keyword", "cold chain")), "keyword"),
                new Bad("keyword of one letter", with(o -> o.put("keyword", "C")), "keyword"),
                new Bad("interval negative", with(o -> o.put("interval_days", -1)), "interval_days"),
                new Bad("interval over a year", with(o -> o.put("interval_days", 366)), "interval_days"),
                new Bad("interval a string", with(o -> o.put("interval_days", "2")), "interval_days"),
                new Bad("interval a fraction", with(o -> o.put("interval_days", 1.5)), "interval_days"),
                new Bad("hour 24", with(o -> o.put("send_hour", 24)), "send_hour"),
                new Bad("no questions", with(o -> o.remove("questions")), "questions"),
                new Bad("empty questions", with(o -> o.putArray("questions")), "questions"),
                new Bad("questions an object", with(o -> o.putObject("questions")), "questions"),
                new Bad("a question not an object", with(o -> ((ArrayNode) o.get("questions")).add("what?")), "questions[2]"),
                new Bad("unknown question field", with(o -> q(o, 1).put("hint", "cold")), "questions[1].hint"),
                new Bad("no text", with(o -> q(o, 0).remove("text")), "questions[0].text"),
                new Bad("blank text", with(o -> q(o, 0).put("text", "  ")), "questions[0].text"),
                new Bad("text too long", with(o -> q(o, 0).put("text", "x".repeat(321))), "questions[0].text"),
                new Bad("one choice", with(o -> q(o, 1).putArray("choices").add("Pentavalent")), "questions[1].choices"),
                new Bad("ten choices", with(o -> { ArrayNode c = q(o, 1).putArray("choices"); for (int i = 0; i < 10; i++) c.add("c" + i); }), "questions[1].choices"),
                new Bad("choices a string", with(o -> q(o, 1).put("choices", "A, B")), "questions[1].choices"),
                new Bad("a blank choice", with(o -> q(o, 1).putArray("choices").add("Pentavalent").add("")), "questions[1].choices"),
                new Bad("a choice a number", with(o -> q(o, 1).putArray("choices").add("Pentavalent").add(2)), "questions[1].choices"),
                new Bad("the same choice twice", with(o -> q(o, 1).putArray("choices").add("Measles").add("measles ")), "questions[1].choices"),
                new Bad("no answer", with(o -> q(o, 0).remove("answer")), "questions[0].answer"),
                new Bad("answer letter beyond the choices", with(o -> q(o, 0).put("answer", "D")), "questions[0].answer"),
                new Bad("answer index beyond the choices", with(o -> q(o, 1).put("answer", 2)), "questions[1].answer"),
                new Bad("answer index negative", with(o -> q(o, 1).put("answer", -1)), "questions[1].answer"),
                new Bad("answer the choice's text", with(o -> q(o, 1).put("answer", "Pentavalent")), "questions[1].answer"),
                new Bad("answer a list", with(o -> q(o, 1).putArray("answer").add("A")), "questions[1].answer"),
                new Bad("explanation a number", with(o -> q(o, 0).put("explanation", 3)), "questions[0].explanation"),
                new Bad("explanation too long", with(o -> q(o, 0).put("explanation", "x".repeat(321))), "questions[0].explanation"));
        for (Bad b : bad) {
            assertThatThrownBy(() -> QuizJson.request(b.body())).as(b.why()).isInstanceOfSatisfying(ApiProblem.class, e -> {
                assertThat(e.status()).as(b.why()).isEqualTo(400);
                assertThat(e.field()).as(b.why() + ": " + e.getMessage()).isEqualTo(b.field());
                assertThat(e.getMessage()).as(b.why()).isNotBlank();
            });
        }
    }

    @Test
    void rendersAQuizWithItsAnswerKeyAndItsResultsInTheOrderGiven() throws Exception {
        QuizDefinition d = QuizJson.request(good().toString());
        QuizStore.Summary s = new QuizStore.Summary("cold-chain", "api", "open", "nurses", "IMCI", "COLD", 2, 9, "Africa/Monrovia", "ops",
                Instant.parse("2026-11-01T08:00:00Z"), null, null, 2, 10, 3, 8, 6);
        var json = JSON.readTree(QuizJson.detail(s, d, List.of(new QuizStore.QuestionResult(2, "Which vaccine?", 7, 4, 1),
                new QuizStore.QuestionResult(1, "Best fridge temperature?", 10, 4, 4))));
        assertThat(json.path("source").asText()).isEqualTo("api");
        assertThat(json.path("question_count").asInt()).isEqualTo(2);
        assertThat(json.path("percent_correct").asDouble()).isEqualTo(75.0);
        assertThat(json.path("questions").get(0).path("answer").asText()).isEqualTo("B");
        assertThat(json.path("questions").get(0).path("answer_index").asInt()).isEqualTo(1);
        assertThat(json.path("questions").get(1).path("explanation").isNull()).isTrue();
        assertThat(json.path("results").get(0).path("position").asInt()).isEqualTo(2);
        assertThat(json.path("results").get(0).path("missed").asInt()).isEqualTo(3);
        assertThat(json.path("results").get(0).path("unanswered").asInt()).isEqualTo(3);
        assertThat(json.path("closed_at").isNull()).isTrue();
    }
}
