package org.mhero.broadcast;

/**
 * The GSM 03.38 default alphabet and its extension table: a text made only of these characters goes as 7-bit GSM (160
 * characters a message); any other character (most accented letters, other scripts, emoji) needs UCS-2 (70 a message),
 * which Kannel is asked for with {@code coding=2}.
 */
public final class GsmAlphabet {
    private GsmAlphabet() {}

    private static final String BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private static final String EXTENSION = "\f^{}\\[~]|€";

    /** Whether every character of {@code text} is in the GSM 7-bit alphabet (basic or extension table). */
    public static boolean isGsm7(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (BASIC.indexOf(c) < 0 && EXTENSION.indexOf(c) < 0) return false;
        }
        return true;
    }
}
