package org.mhero.sandbox.rapidpro;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** URN parsing, normalisation and validation (contract §14, {@code nyaruka/gocommon:urns/schemes.go}). */
public final class Urns {
    private Urns() {}

    private static final Pattern TEL = Pattern.compile("^(\\+[0-9]{7,15}|[a-z0-9]{1,64})$");
    private static final Pattern DIGITS = Pattern.compile("^[0-9]+$");
    private static final Pattern TWITTER = Pattern.compile("^[a-z0-9_]{1,15}$");
    private static final Set<String> OTHER_SCHEMES = Set.of("ext", "viber", "line", "jiochat", "wechat", "fcm", "freshchat",
            "vk", "discord", "rocketchat", "webchat", "instagram", "slack", "teams", "kakao", "vonage");

    /** The normalised URN, or null when it is not a valid URN. */
    public static String normalize(String urn, String countryCode) {
        if (urn == null) return null;
        int colon = urn.indexOf(':');
        if (colon <= 0 || colon == urn.length() - 1) return null;
        String scheme = urn.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String path = urn.substring(colon + 1).trim();
        if (path.isEmpty()) return null;
        switch (scheme) {
            case "tel" -> {
                String p = path.replaceAll("[\\s\\-().]", "").toLowerCase(Locale.ROOT);
                if (p.startsWith("00") && p.length() > 2 && DIGITS.matcher(p.substring(2)).matches()) p = "+" + p.substring(2);
                else if (p.startsWith("0") && p.length() > 1 && DIGITS.matcher(p).matches() && countryCode != null) p = "+" + countryCode + p.substring(1);
                return TEL.matcher(p).matches() ? "tel:" + p : null;
            }
            case "whatsapp", "telegram", "twitterid" -> {
                return DIGITS.matcher(path).matches() ? scheme + ":" + path : null;
            }
            case "facebook" -> {
                return DIGITS.matcher(path).matches() || (path.startsWith("ref:") && path.length() > 4) ? scheme + ":" + path : null;
            }
            case "twitter" -> {
                String p = path.startsWith("@") ? path.substring(1) : path;
                p = p.toLowerCase(Locale.ROOT);
                return TWITTER.matcher(p).matches() ? "twitter:" + p : null;
            }
            case "mailto" -> {
                String p = path.toLowerCase(Locale.ROOT);
                int at = p.indexOf('@');
                return at > 0 && at < p.length() - 1 ? "mailto:" + p : null;
            }
            default -> {
                return OTHER_SCHEMES.contains(scheme) ? scheme + ":" + path : null;
            }
        }
    }

    static String scheme(String urn) { return urn.substring(0, urn.indexOf(':')); }
    static String path(String urn) { return urn.substring(urn.indexOf(':') + 1); }
}
