package org.mhero.broadcast;

import java.util.ArrayList;
import java.util.List;

/** Cuts a text into messages of at most {@code max} characters, at spaces where possible (mid-word only for a word longer than a message). */
public final class TextSplitter {
    private TextSplitter() {}

    public static List<String> split(String text, int max) {
        if (max < 1) throw new IllegalArgumentException("max < 1");
        List<String> parts = new ArrayList<>();
        String rest = text.strip();
        while (rest.length() > max) {
            int cut = rest.lastIndexOf(' ', max);
            if (cut <= 0) cut = max;
            parts.add(rest.substring(0, cut).strip());
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty()) parts.add(rest);
        return parts;
    }
}
