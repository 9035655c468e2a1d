package org.mhero.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A contact field of {@code fields.json} and the key rules of contract rapidpro.md §8. Current releases name the
 * attributes {@code name}/{@code type}, v7 {@code label}/{@code value_type} (with {@code numeric} for number): both
 * are read.
 */
public record RapidProField(String key, String name, Type type) {

    public enum Type {
        TEXT("text", "text"), NUMBER("number", "numeric"), DATETIME("datetime", "datetime"),
        STATE("state", "state"), DISTRICT("district", "district"), WARD("ward", "ward");

        private final String wire;
        private final String legacyWire;

        Type(String wire, String legacyWire) {
            this.wire = wire;
            this.legacyWire = legacyWire;
        }

        public String wire() { return wire; }
        /** The v7 {@code value_type}. */
        public String legacyWire() { return legacyWire; }

        public static Type of(String s) {
            if (s == null) return TEXT;
            for (Type t : values()) if (t.wire.equalsIgnoreCase(s) || t.legacyWire.equalsIgnoreCase(s)) return t;
            return TEXT;
        }
    }

    public static final Pattern KEY_PATTERN = Pattern.compile("^[a-z][a-z0-9_]*$");
    public static final int MAX_KEY_LENGTH = 36;
    /** §8's reserved keys, plus the contact attributes and URN schemes RapidPro also refuses as field keys. */
    public static final Set<String> RESERVED_KEYS = Set.of("has", "is", "fields", "urns", "created_on", "last_seen_on",
            "uuid", "id", "name", "language", "groups", "status", "created_by", "modified_by", "org", "is_active",
            "urn", "tel", "mailto", "whatsapp", "telegram", "facebook", "twitter", "twitterid", "ext", "first_name");

    public static RapidProField parse(JsonNode n) {
        String name = n.hasNonNull("name") ? n.get("name").asText() : n.path("label").asText(null);
        String type = n.hasNonNull("type") ? n.get("type").asText() : n.path("value_type").asText(null);
        return new RapidProField(n.path("key").asText(null), name, Type.of(type));
    }

    /**
     * Checks a key we intend to create or write: pattern {@code ^[a-z][a-z0-9_]*$}, ≤ 36 characters, not reserved,
     * and derivable from a name (RapidPro derives the key from the name, so {@code a__b} or {@code a_} cannot be
     * created). Throws {@link IllegalArgumentException} naming the rule.
     */
    public static String validateKey(String key) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("field key is empty");
        if (key.length() > MAX_KEY_LENGTH) throw new IllegalArgumentException("field key '" + key + "' is longer than " + MAX_KEY_LENGTH + " characters");
        if (!KEY_PATTERN.matcher(key).matches()) throw new IllegalArgumentException("field key '" + key + "' must match " + KEY_PATTERN.pattern() + " (lower case, starts with a letter, no hyphens)");
        if (RESERVED_KEYS.contains(key)) throw new IllegalArgumentException("field key '" + key + "' is reserved by RapidPro");
        if (key.contains("__") || key.endsWith("_")) throw new IllegalArgumentException("field key '" + key + "' cannot be derived from a field name (no doubled or trailing '_')");
        return key;
    }

    public static boolean validKey(String key) {
        try {
            validateKey(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A field name from which RapidPro derives exactly {@code key}: underscores become spaces. */
    public static String nameForKey(String key) {
        validateKey(key);
        return key.replace('_', ' ');
    }

    /** RapidPro's {@code ContactField.make_key}: lower case, runs of other characters → {@code _}. */
    public static String keyForName(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").strip();
        return s.replaceAll("[^a-z0-9]+", "_");
    }

    /** The create body: {@code {"name","type"}} for current releases, {@code {"label","value_type"}} for v7. */
    static ObjectNode createBody(ObjectNode o, String name, Type type, boolean legacy) {
        if (legacy) o.put("label", name).put("value_type", type.legacyWire());
        else o.put("name", name).put("type", type.wire());
        return o;
    }
}
