package org.mhero.quiz;

import org.mhero.config.Pid;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A quiz: as {@code etc/org.mhero.quiz.cfg} declares it, as {@code POST /api/quizzes} creates it, or as it is read back
 * from the database (the source of truth once saved). In the configuration:
 * <pre>
 * quiz.&lt;name&gt;.group = &lt;contact group enrolled&gt;       (group, training or both)
 * quiz.&lt;name&gt;.training = &lt;training code enrolled&gt;
 * quiz.&lt;name&gt;.keyword = MALARIA            (optional: the word that asks for the next question now)
 * quiz.&lt;name&gt;.interval.days = 2            (one question every N days ...)
 * quiz.&lt;name&gt;.send.hour = 9                (... at this hour in time.zone; empty = as soon as due)
 * quiz.&lt;name&gt;.question.&lt;n&gt; = &lt;text&gt; | &lt;choice A&gt; | &lt;choice B&gt; [| …] | answer = B [| why = &lt;explanation&gt;]
 * </pre>
 */
public record QuizDefinition(String name, String group, String training, String keyword, int intervalDays, Integer sendHour,
                             List<Question> questions) {
    /** One question: its text, its choices, the 0-based correct choice and what to tell the worker after answering. */
    public record Question(int position, String text, List<String> choices, int correct, String explanation) {}

    public static final String PID = "org.mhero.quiz";
    private static final Pattern KEY = Pattern.compile("quiz\\.([a-z0-9-]{1,64})\\.(group|training|keyword|interval\\.days|send\\.hour|question\\.(\\d{1,3}))");
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,64}");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9]{2,30}");
    /** The fewest and most choices a question has (letters A to I). */
    public static final int MIN_CHOICES = 2, MAX_CHOICES = 9;

    /** Whether a quiz name is lower-case letters, digits and '-' (1 to 64). */
    public static boolean validName(String name) { return name != null && NAME.matcher(name).matches(); }

    /** Whether a keyword is one word of 2 to 30 letters or digits. */
    public static boolean validKeyword(String keyword) { return keyword != null && WORD.matcher(keyword).matches(); }

    /** Every quiz of the PID; problems (with the key) recorded on it. Also reads {@code time.zone}. */
    public static List<QuizDefinition> from(Pid p) {
        Map<String, Map<String, String>> byQuiz = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(p.values()).entrySet()) {
            if (!e.getKey().startsWith("quiz.")) continue;
            Matcher m = KEY.matcher(e.getKey());
            if (!m.matches()) {
                p.problem(e.getKey(), "is not quiz.<name>.(group|training|keyword|interval.days|send.hour|question.<n>) with a lower-case name");
                continue;
            }
            byQuiz.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(m.group(2), e.getValue() == null ? "" : e.getValue().trim());
        }
        List<QuizDefinition> out = new ArrayList<>();
        Map<String, String> keywords = new TreeMap<>();
        for (Map.Entry<String, Map<String, String>> q : byQuiz.entrySet()) {
            String name = q.getKey();
            Map<String, String> v = q.getValue();
            String prefix = "quiz." + name + ".";
            String group = v.getOrDefault("group", "");
            String training = v.getOrDefault("training", "");
            if (group.isEmpty() && training.isEmpty()) {
                p.problem(prefix + "group", "is missing: which contact group (or, with quiz." + name + ".training, which training's participants) takes the quiz");
            }
            String keyword = v.getOrDefault("keyword", "");
            if (!keyword.isEmpty() && !WORD.matcher(keyword).matches()) p.problem(prefix + "keyword", "is not one word of 2 to 30 letters or digits");
            String other = keyword.isEmpty() ? null : keywords.putIfAbsent(keyword.toUpperCase(Locale.ROOT), name);
            if (other != null) p.problem(prefix + "keyword", "= '" + keyword + "' is also the keyword of quiz " + other);
            int interval = number(p, prefix + "interval.days", v.getOrDefault("interval.days", "1"), 0, 365);
            String hour = v.getOrDefault("send.hour", "");
            Integer sendHour = hour.isEmpty() ? null : number(p, prefix + "send.hour", hour, 0, 23);
            List<Question> questions = new ArrayList<>();
            Map<Integer, String> raw = new TreeMap<>();
            v.forEach((k, val) -> { if (k.startsWith("question.")) raw.put(Integer.parseInt(k.substring(9)), val); });
            int expected = 1;
            for (Map.Entry<Integer, String> e : raw.entrySet()) {
                String key = prefix + "question." + e.getKey();
                if (e.getKey() != expected) p.problem(key, "questions must be numbered 1, 2, 3 … without gaps (expected " + expected + ")");
                expected = e.getKey() + 1;
                Question parsed = question(e.getKey(), e.getValue(), key, p);
                if (parsed != null) questions.add(parsed);
            }
            if (raw.isEmpty()) p.problem(prefix + "question.1", "is missing: a quiz needs questions");
            out.add(new QuizDefinition(name, group.isEmpty() ? null : group, training.isEmpty() ? null : training,
                    keyword.isEmpty() ? null : keyword.toUpperCase(Locale.ROOT), interval, sendHour, List.copyOf(questions)));
        }
        return out;
    }

    /** Reads {@code <text> | <choice> | <choice> … | answer = B | why = …}. */
    static Question question(int position, String value, String key, Pid p) {
        String[] parts = value.split("\\|");
        String text = parts[0].strip();
        List<String> choices = new ArrayList<>();
        String answer = null;
        String why = null;
        for (int i = 1; i < parts.length; i++) {
            String s = parts[i].strip();
            String lower = s.toLowerCase(Locale.ROOT);
            if (lower.startsWith("answer") && s.contains("=")) answer = s.substring(s.indexOf('=') + 1).strip();
            else if (lower.startsWith("why") && s.contains("=")) why = s.substring(s.indexOf('=') + 1).strip();
            else if (!s.isEmpty()) choices.add(s);
        }
        if (text.isEmpty()) { p.problem(key, "has no question text before the first |"); return null; }
        if (choices.size() < MIN_CHOICES || choices.size() > MAX_CHOICES) { p.problem(key, "needs 2 to 9 choices separated by |"); return null; }
        if (answer == null) { p.problem(key, "has no 'answer = <letter>'"); return null; }
        var index = AnswerMatcher.match(answer, choices);
        if (index.isEmpty()) { p.problem(key, "answer = '" + answer + "' is not one of the choices A.." + AnswerMatcher.letter(choices.size() - 1)); return null; }
        return new Question(position, text, List.copyOf(choices), index.getAsInt(), why);
    }

    private static int number(Pid p, String key, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // below
        }
        p.problem(key, "= '" + v + "' is not a whole number in " + min + ".." + max);
        return min;
    }

    /** The quizzes' time zone ({@code time.zone}). */
    public static ZoneId zone(Pid p) {
        String z = p.string("time.zone");
        try {
            return z == null ? ZoneId.of("UTC") : ZoneId.of(z);
        } catch (RuntimeException e) {
            p.problem("time.zone", "= '" + z + "' is not a time zone id (such as Africa/Monrovia)");
            return ZoneId.of("UTC");
        }
    }

    /** How a question goes out: numbered, its choices lettered, and how to answer. */
    public String render(Question q) {
        StringBuilder b = new StringBuilder();
        b.append("Q").append(q.position()).append('/').append(questions.size()).append(": ").append(q.text());
        for (int i = 0; i < q.choices().size(); i++) b.append('\n').append(AnswerMatcher.letter(i)).append(") ").append(q.choices().get(i));
        b.append("\nReply QUIZ and your letter, e.g. QUIZ A");
        return b.toString();
    }
}
