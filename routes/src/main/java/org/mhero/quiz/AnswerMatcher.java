package org.mhero.quiz;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a health worker's answer to a multiple-choice question, tolerantly: the letter ({@code b}, {@code B},
 * {@code (b)}, {@code b.}, {@code option b}, {@code answer: B}), the number ({@code 2}), or the choice's own text
 * ({@code ors}, whatever the case and accents). Anything else, or something that could mean two choices, is no answer:
 * the worker is asked again, never scored on a guess.
 */
public final class AnswerMatcher {
    private static final Pattern LEAD = Pattern.compile("^(?:(?:my\\s+)?(?:option|answer|ans|choice|reply)\\s*(?:is)?\\s*[:=\\-]?\\s*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern SINGLE = Pattern.compile("^[(\\[]?\\s*([a-z]|\\d{1,2})\\s*[)\\].:!]?$");

    private AnswerMatcher() {}

    /** The 0-based index of the choice meant, or empty. */
    public static OptionalInt match(String answer, List<String> choices) {
        if (answer == null || choices.isEmpty()) return OptionalInt.empty();
        String a = normalise(answer);
        a = LEAD.matcher(a).replaceFirst("").strip();
        if (a.isEmpty()) return OptionalInt.empty();
        Matcher m = SINGLE.matcher(a);
        if (m.matches()) {
            String t = m.group(1);
            int index = Character.isDigit(t.charAt(0)) ? Integer.parseInt(t) - 1 : t.charAt(0) - 'a';
            return index >= 0 && index < choices.size() ? OptionalInt.of(index) : OptionalInt.empty();
        }
        // the choice's text: exactly one choice equal to the answer (ignoring case, accents and punctuation)
        String bare = a.replaceAll("[^\\p{L}\\p{N} ]", " ").replaceAll("\\s+", " ").strip();
        int found = -1;
        for (int i = 0; i < choices.size(); i++) {
            String c = normalise(choices.get(i)).replaceAll("[^\\p{L}\\p{N} ]", " ").replaceAll("\\s+", " ").strip();
            if (!c.isEmpty() && c.equals(bare)) {
                if (found >= 0) return OptionalInt.empty();
                found = i;
            }
        }
        return found >= 0 ? OptionalInt.of(found) : OptionalInt.empty();
    }

    /** The letter of a choice: 0 → A. */
    public static char letter(int index) { return (char) ('A' + index); }

    private static String normalise(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "").replace("&", " and ").toLowerCase(Locale.ROOT).strip();
    }
}
