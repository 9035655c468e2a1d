package org.mhero.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mhero.quiz.AnswerMatcher;
import org.mhero.quiz.QuizDefinition;
import org.mhero.quiz.QuizStore;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The JSON of the quiz API (snake_case): a create body into a {@link QuizDefinition}, checked as the configuration's
 * parser checks {@code quiz.<name>.*} and a little stricter, and saved quizzes, their questions and results into JSON.
 *
 * <pre>
 * {"name": "cold-chain", "group": "nurses", "training": "IMCI", "keyword": "COLD", "interval_days": 2, "send_hour": 9,
 *  "questions": [{"text": "Best fridge temperature?", "choices": ["0-2 C", "2-8 C"], "answer": "B", "explanation": "..."}]}
 * </pre>
 * A value that is refused is a 400 with its field: {@code name}, {@code keyword}, {@code questions[0].choices}, ...
 * Whether the group or training exists and whether the name or keyword is free is the {@link QuizStore}'s to judge.
 */
public final class QuizJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> FIELDS = Set.of("name", "group", "training", "keyword", "interval_days", "send_hour", "questions");
    static final Set<String> QUESTION_FIELDS = Set.of("text", "choices", "answer", "explanation");
    /** Most questions in one quiz, and the longest texts: a question with its choices goes out as one SMS or a few. */
    static final int MAX_QUESTIONS = 100, MAX_TEXT = 320, MAX_CHOICE = 100, MAX_EXPLANATION = 320, MAX_NAME = 100;

    private QuizJson() {}

    /** A create body as a quiz definition; 400 with the field at fault. */
    public static QuizDefinition request(String body) throws ApiProblem {
        ObjectNode o = ApiJson.object(body);
        ApiJson.known(o, FIELDS, "", "a quiz");
        String name = string(o, "name", "name", 64);
        if (name == null) throw ApiProblem.bad("name", "is required: lower-case letters, digits and '-'");
        if (!QuizDefinition.validName(name)) throw ApiProblem.bad("name", "'" + name + "' is not lower-case letters, digits and '-' (1 to 64)");
        String group = string(o, "group", "group", MAX_NAME);
        String training = string(o, "training", "training", MAX_NAME);
        if (group == null && training == null) throw ApiProblem.bad("group", "group or training (or both) is required: whom the quiz enrols");
        String keyword = string(o, "keyword", "keyword", 30);
        if (keyword != null && !QuizDefinition.validKeyword(keyword)) throw ApiProblem.bad("keyword", "'" + keyword + "' is not one word of 2 to 30 letters or digits");
        int interval = integer(o, "interval_days", 1, 0, 365);
        JsonNode h = o.get("send_hour");
        Integer sendHour = h == null || h.isNull() ? null : integer(o, "send_hour", 0, 0, 23);
        JsonNode qs = o.get("questions");
        if (qs == null || qs.isNull()) throw ApiProblem.bad("questions", "is required: a quiz needs questions");
        if (!qs.isArray() || qs.isEmpty() || qs.size() > MAX_QUESTIONS) {
            throw ApiProblem.bad("questions", "must be an array of 1 to " + MAX_QUESTIONS + " questions");
        }
        List<QuizDefinition.Question> questions = new ArrayList<>();
        for (int i = 0; i < qs.size(); i++) questions.add(question(qs.get(i), i));
        return new QuizDefinition(name, group, training, keyword == null ? null : keyword.toUpperCase(Locale.ROOT), interval, sendHour,
                List.copyOf(questions));
    }

    private static QuizDefinition.Question question(JsonNode n, int i) throws ApiProblem {
        String at = "questions[" + i + "]";
        if (!(n instanceof ObjectNode o)) throw ApiProblem.bad(at, "question " + (i + 1) + " must be a JSON object");
        ApiJson.known(o, QUESTION_FIELDS, at + ".", "a question");
        String text = string(o, "text", at + ".text", MAX_TEXT);
        if (text == null) throw ApiProblem.bad(at + ".text", "question " + (i + 1) + " has no text");
        JsonNode cs = o.get("choices");
        if (cs == null || !cs.isArray() || cs.size() < QuizDefinition.MIN_CHOICES || cs.size() > QuizDefinition.MAX_CHOICES) {
            throw ApiProblem.bad(at + ".choices", "question " + (i + 1) + " needs an array of " + QuizDefinition.MIN_CHOICES + " to "
                    + QuizDefinition.MAX_CHOICES + " choices");
        }
        List<String> choices = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode c : cs) {
            if (!c.isTextual() || c.textValue().isBlank() || c.textValue().strip().length() > MAX_CHOICE) {
                throw ApiProblem.bad(at + ".choices", "question " + (i + 1) + ": every choice is a text of 1 to " + MAX_CHOICE + " characters");
            }
            String choice = c.textValue().strip();
            if (!seen.add(choice.toLowerCase(Locale.ROOT))) {
                throw ApiProblem.bad(at + ".choices", "question " + (i + 1) + ": '" + choice + "' is there twice (an answer by its text would be ambiguous)");
            }
            choices.add(choice);
        }
        int correct = answer(o.get("answer"), choices, at + ".answer", i);
        String explanation = string(o, "explanation", at + ".explanation", MAX_EXPLANATION);
        return new QuizDefinition.Question(i + 1, text, List.copyOf(choices), correct, explanation);
    }

    /** The correct choice: its letter ({@code "B"}) or its 0-based index ({@code 1}). */
    private static int answer(JsonNode a, List<String> choices, String field, int i) throws ApiProblem {
        String range = "A.." + AnswerMatcher.letter(choices.size() - 1) + " (or an index 0.." + (choices.size() - 1) + ")";
        if (a == null || a.isNull()) throw ApiProblem.bad(field, "question " + (i + 1) + " has no answer: a letter " + range);
        if (a.isIntegralNumber() && a.canConvertToInt()) {
            if (a.intValue() >= 0 && a.intValue() < choices.size()) return a.intValue();
        } else if (a.isTextual() && a.textValue().strip().length() == 1) {
            int index = Character.toUpperCase(a.textValue().strip().charAt(0)) - 'A';
            if (index >= 0 && index < choices.size()) return index;
        }
        throw ApiProblem.bad(field, "question " + (i + 1) + ": answer " + a + " is not one of the choices " + range);
    }

    /** A string field, stripped; null when absent or null; 400 when not a string, blank, or longer than {@code max}. */
    private static String string(ObjectNode o, String name, String field, int max) throws ApiProblem {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw ApiProblem.bad(field, "must be a string");
        String v = n.textValue().strip();
        if (v.isEmpty()) throw ApiProblem.bad(field, "is empty");
        if (v.length() > max) throw ApiProblem.bad(field, "is longer than " + max + " characters");
        return v;
    }

    private static int integer(ObjectNode o, String field, int fallback, int min, int max) throws ApiProblem {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) return fallback;
        if (n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= min && n.intValue() <= max) return n.intValue();
        throw ApiProblem.bad(field, "must be a whole number in " + min + ".." + max);
    }

    // ---- rendering

    public static String list(List<QuizStore.Summary> quizzes) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode a = root.putArray("quizzes");
        quizzes.forEach(s -> a.add(summary(s)));
        return root.toString();
    }

    public static String summaryJson(QuizStore.Summary s) { return summary(s).toString(); }

    /** A quiz with its questions (by position) and its results per question, most missed first. */
    public static String detail(QuizStore.Summary s, QuizDefinition d, List<QuizStore.QuestionResult> results) {
        ObjectNode o = summary(s);
        ArrayNode qs = o.putArray("questions");
        for (QuizDefinition.Question q : d.questions()) {
            ObjectNode n = qs.addObject();
            n.put("position", q.position());
            n.put("text", q.text());
            ArrayNode cs = n.putArray("choices");
            q.choices().forEach(cs::add);
            n.put("answer", String.valueOf(AnswerMatcher.letter(q.correct())));
            n.put("answer_index", q.correct());
            n.put("explanation", q.explanation());
        }
        ArrayNode rs = o.putArray("results");
        for (QuizStore.QuestionResult r : results) {
            ObjectNode n = rs.addObject();
            n.put("position", r.position());
            n.put("text", r.text());
            n.put("sent", r.sent());
            n.put("answered", r.answered());
            n.put("correct", r.correct());
            n.put("missed", r.missed());
            n.put("unanswered", Math.max(0, r.sent() - r.answered()));
        }
        return o.toString();
    }

    private static ObjectNode summary(QuizStore.Summary s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", s.name());
        o.put("source", s.source());
        o.put("status", s.status());
        o.put("group", s.group());
        o.put("training", s.training());
        o.put("keyword", s.keyword());
        o.put("interval_days", s.intervalDays());
        if (s.sendHour() == null) o.putNull("send_hour"); else o.put("send_hour", s.sendHour());
        o.put("time_zone", s.timeZone());
        o.put("created_by", s.createdBy());
        o.put("created_at", ApiJson.str(s.createdAt()));
        o.put("closed_by", s.closedBy());
        o.put("closed_at", ApiJson.str(s.closedAt()));
        o.put("question_count", s.questions());
        o.put("enrolled", s.enrolled());
        o.put("finished", s.finished());
        o.put("answers", s.answers());
        o.put("correct", s.correct());
        if (s.answers() == 0) o.putNull("percent_correct");
        else o.put("percent_correct", org.mhero.report.ReportStore.percent(s.correct(), s.answers()));
        return o;
    }

    /** A page of per-worker results; {@code next_after} is the cursor of the next page (null when this page is not full). */
    public static String workers(String quiz, List<QuizStore.WorkerResult> page, int limit) {
        ObjectNode root = JSON.createObjectNode();
        root.put("quiz", quiz);
        ArrayNode a = root.putArray("workers");
        for (QuizStore.WorkerResult w : page) {
            ObjectNode o = a.addObject();
            o.put("health_worker_id", w.healthWorkerId());
            o.put("name", w.name());
            o.put("enrolled_at", ApiJson.str(w.enrolledAt()));
            o.put("sent", w.sent());
            o.put("answered", w.answered());
            o.put("correct", w.correct());
            o.put("finished", w.finished());
            o.put("finished_at", ApiJson.str(w.finishedAt()));
        }
        if (page.size() == limit && !page.isEmpty()) root.put("next_after", page.get(page.size() - 1).healthWorkerId());
        else root.putNull("next_after");
        return root.toString();
    }

}
