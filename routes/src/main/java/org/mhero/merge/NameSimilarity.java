package org.mhero.merge;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.Locale;

/**
 * How alike two person names are, 0..1: case, accents, punctuation and word order are ignored ("Kollie, Comfort M."
 * vs "comfort kollie" ≈ 0.9), then Jaro-Winkler on the sorted words. Deterministic and cheap.
 */
public final class NameSimilarity {
    private NameSimilarity() {}

    public static double of(String a, String b) {
        String x = canonical(a), y = canonical(b);
        if (x.isEmpty() || y.isEmpty()) return 0;
        if (x.equals(y)) return 1;
        return Math.max(jaroWinkler(x, y), subsetScore(x, y));
    }

    /** One name's words all in the other ("Comfort Kollie" vs "Comfort M. Kollie"): nearly the same person. */
    private static double subsetScore(String x, String y) {
        var xs = Arrays.asList(x.split(" "));
        var ys = Arrays.asList(y.split(" "));
        var small = xs.size() <= ys.size() ? xs : ys;
        var big = small == xs ? ys : xs;
        return small.size() >= 2 && big.containsAll(small) ? 0.95 : 0;
    }

    static String canonical(String name) {
        if (name == null) return "";
        String n = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}+", "").toLowerCase(Locale.ROOT);
        String[] words = n.replaceAll("[^a-z ]+", " ").trim().split("\\s+");
        return String.join(" ", Arrays.stream(words).filter(w -> w.length() > 1).sorted().toList());
    }

    static double jaroWinkler(String s, String t) {
        int sl = s.length(), tl = t.length();
        int window = Math.max(0, Math.max(sl, tl) / 2 - 1);
        boolean[] sm = new boolean[sl], tm = new boolean[tl];
        int matches = 0;
        for (int i = 0; i < sl; i++) {
            for (int j = Math.max(0, i - window); j < Math.min(tl, i + window + 1); j++) {
                if (!tm[j] && s.charAt(i) == t.charAt(j)) {
                    sm[i] = tm[j] = true;
                    matches++;
                    break;
                }
            }
        }
        if (matches == 0) return 0;
        int transpositions = 0;
        for (int i = 0, k = 0; i < sl; i++) {
            if (!sm[i]) continue;
            while (!tm[k]) k++;
            if (s.charAt(i) != t.charAt(k)) transpositions++;
            k++;
        }
        double m = matches;
        double jaro = (m / sl + m / tl + (m - transpositions / 2.0) / m) / 3;
        int prefix = 0;
        while (prefix < Math.min(4, Math.min(sl, tl)) && s.charAt(prefix) == t.charAt(prefix)) prefix++;
        return jaro + prefix * 0.1 * (1 - jaro);
    }
}
