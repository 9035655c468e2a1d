package org.mhero.report;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a report is about: one broadcast (a text broadcast or a flow start; a recurring broadcast with all its
 * occurrences), every flow start of one RapidPro flow, or one quiz.
 */
public record Subject(Kind kind, String key) {
    public enum Kind {
        BROADCAST("broadcasts"), FLOW("flows"), QUIZ("quizzes");

        /** The collection name in {@code /api/reports/<path>/<key>}. */
        private final String path;

        Kind(String path) { this.path = path; }

        public static Kind ofPath(String path) {
            for (Kind k : values()) if (k.path.equals(path)) return k;
            return null;
        }

        /** {@code broadcast}, {@code flow} or {@code quiz}, as the shell command takes it. */
        public static Kind ofWord(String word) {
            try {
                return valueOf(word.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                return null;
            }
        }
    }

    private static final Pattern FLOW_UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The subject, or an {@link IllegalArgumentException} saying why the key is not one of that kind. */
    public static Subject of(Kind kind, String key) {
        String k = key == null ? "" : key.strip();
        switch (kind) {
            case BROADCAST -> {
                try {
                    if (Long.parseLong(k) > 0) return new Subject(kind, Long.toString(Long.parseLong(k)));
                } catch (NumberFormatException e) {
                    // below
                }
                throw new IllegalArgumentException("'" + key + "' is not a broadcast id");
            }
            case FLOW -> {
                if (FLOW_UUID.matcher(k).matches()) return new Subject(kind, k.toLowerCase(Locale.ROOT));
                throw new IllegalArgumentException("'" + key + "' is not a flow uuid");
            }
            default -> {
                if (org.mhero.quiz.QuizDefinition.validName(k)) return new Subject(kind, k);
                throw new IllegalArgumentException("'" + key + "' is not a quiz name (lower-case letters, digits and '-')");
            }
        }
    }

    public long broadcastId() { return Long.parseLong(key); }

    @Override
    public String toString() { return kind.name().toLowerCase(Locale.ROOT) + " " + key; }
}
