package org.mhero.inbound;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keyword table: the first word of a free-text message, whatever its case, accents or the punctuation around it
 * ({@code "stop."}, {@code " Stop!"}, {@code "*HELP*"}), picks a route. The rest of the text is kept for the handler.
 */
public final class Keywords {
    /** A keyword found: the route, the word as configured, and the text after it (trimmed). */
    public record Match(Route route, String keyword, String rest) {}

    private static final Pattern FIRST_WORD = Pattern.compile("^[^\\p{L}\\p{N}]*([\\p{L}\\p{N}]+)(.*)$", Pattern.DOTALL);

    private final Map<Route, Set<String>> words;

    public Keywords(Map<Route, Set<String>> words) {
        this.words = Map.copyOf(words);
    }

    /** The first word of {@code text}, upper case without accents, and what follows it; empty for a text without words. */
    public static Optional<String[]> firstWord(String text) {
        if (text == null) return Optional.empty();
        Matcher m = FIRST_WORD.matcher(text.strip());
        if (!m.matches()) return Optional.empty();
        String w = Normalizer.normalize(m.group(1), Normalizer.Form.NFD).replaceAll("\\p{M}", "").toUpperCase(Locale.ROOT);
        String rest = m.group(2).replaceFirst("^[\\s\\p{Punct}&&[^-+]]+", "").strip();
        return Optional.of(new String[] {w, rest});
    }

    public Optional<Match> match(String text) {
        Optional<String[]> fw = firstWord(text);
        if (fw.isEmpty()) return Optional.empty();
        for (Map.Entry<Route, Set<String>> e : words.entrySet()) {
            if (e.getValue().contains(fw.get()[0])) return Optional.of(new Match(e.getKey(), fw.get()[0], fw.get()[1]));
        }
        return Optional.empty();
    }

    public Set<String> words(Route route) { return words.getOrDefault(route, Set.of()); }
}
