package org.mhero.rapidpro;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The body of a contact write (contract rapidpro.md §5): name (trimmed, ≤ 64), optional ISO 639-3 language, and
 * contact fields. No {@code urns}: the upsert carries the URN in the query. {@link #hash()} is a stable digest of the
 * payload, so the caller pushes only contacts whose payload changed. A field with a null value is sent as {@code ""}
 * (RapidPro clears it), so a worker who left a facility loses the old one.
 */
public final class ContactPayload {
    public static final int MAX_NAME = 64;
    public static final int MAX_FIELDS = 100;

    /** The field keys mHero writes for a health worker. */
    public static final String GLOBALID = "globalid";
    public static final String MHEROENTITYTYPE = "mheroentitytype";
    public static final String FACILITY = "facility";
    public static final String DISTRICT = "district";
    public static final String REGION = "region";
    public static final String CADRE = "cadre";
    public static final String REGISTRY = "registry";
    public static final String MHEROID = "mheroid";
    /** All of them, in this order; the default set sent. */
    public static final List<String> STANDARD_FIELDS =
            List.of(GLOBALID, MHEROENTITYTYPE, FACILITY, DISTRICT, REGION, CADRE, REGISTRY, MHEROID);
    /** The entity type of a health worker (mHero v1's {@code mheroentitytype}). */
    public static final String PRACTITIONER = "Practitioner";

    private static final Pattern LANGUAGE = Pattern.compile("^[a-z]{3}$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final String language;
    private final Map<String, String> fields; // sorted: stable JSON and hash

    private ContactPayload(Builder b) {
        this.name = b.name;
        this.language = b.language;
        this.fields = Collections.unmodifiableMap(new TreeMap<>(b.fields));
    }

    public static Builder builder() { return new Builder(); }

    /**
     * The payload of a health worker, sending the fields in {@code sentFields} (a subset of {@link #STANDARD_FIELDS},
     * e.g. from configuration). An invalid language is left out rather than refused by RapidPro.
     */
    public static ContactPayload fromHealthWorker(HealthWorkerContact hw, Collection<String> sentFields) {
        Set<String> sent = validateSentFields(sentFields);
        Builder b = builder().name(hw.name());
        if (hw.language() != null && validLanguage(hw.language())) b.language(hw.language());
        for (String key : sent) {
            String value = switch (key) {
                case GLOBALID -> hw.sourceId();
                case MHEROENTITYTYPE -> PRACTITIONER;
                case FACILITY -> hw.facility();
                case DISTRICT -> hw.district();
                case REGION -> hw.region();
                case CADRE -> hw.cadre();
                case REGISTRY -> hw.registry();
                case MHEROID -> Long.toString(hw.mheroId());
                default -> throw new IllegalStateException(key);
            };
            b.field(key, value);
        }
        return b.build();
    }

    /** All standard fields. */
    public static ContactPayload fromHealthWorker(HealthWorkerContact hw) {
        return fromHealthWorker(hw, STANDARD_FIELDS);
    }

    /** Checks a configured list of field keys against {@link #STANDARD_FIELDS}; keeps its order. */
    public static Set<String> validateSentFields(Collection<String> keys) {
        Set<String> out = new LinkedHashSet<>();
        for (String k : keys) {
            String key = k.trim();
            if (key.isEmpty()) continue;
            if (!STANDARD_FIELDS.contains(key)) {
                throw new IllegalArgumentException("unknown contact field '" + key + "': expected some of " + String.join(", ", STANDARD_FIELDS));
            }
            out.add(key);
        }
        return out;
    }

    public static boolean validLanguage(String language) {
        return language != null && LANGUAGE.matcher(language.trim().toLowerCase(Locale.ROOT)).matches();
    }

    public String name() { return name; }
    public String language() { return language; }
    /** Field key → value ({@code ""} clears). */
    public Map<String, String> fields() { return fields; }
    public Set<String> fieldKeys() { return fields.keySet(); }

    /** The JSON body: {@code name} and {@code language} when set, {@code fields} when any. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        if (name != null) o.put("name", name);
        if (language != null) o.put("language", language);
        if (!fields.isEmpty()) {
            ObjectNode f = o.putObject("fields");
            fields.forEach(f::put);
        }
        return o;
    }

    /** A hex SHA-256 (128 bits) of the canonical body: equal payloads give equal hashes across runs and JVMs. */
    public String hash() {
        try {
            byte[] canonical = JSON.writeValueAsBytes(toJson());
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical);
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContactPayload p && Objects.equals(name, p.name) && Objects.equals(language, p.language)
                && fields.equals(p.fields);
    }

    @Override
    public int hashCode() { return Objects.hash(name, language, fields); }

    @Override
    public String toString() {
        // no name or values: may end up in a log line
        return "ContactPayload[fields " + fields.keySet() + ", hash " + hash() + "]";
    }

    public static final class Builder {
        private String name;
        private String language;
        private final Map<String, String> fields = new TreeMap<>();

        /** Trimmed and cut to 64 characters (never inside a surrogate pair); blank means "leave the name alone". */
        public Builder name(String name) {
            if (name == null) {
                this.name = null;
                return this;
            }
            String n = name.strip().replaceAll("\\s+", " ");
            if (n.isEmpty()) {
                this.name = null;
                return this;
            }
            if (n.length() > MAX_NAME) {
                int end = MAX_NAME;
                if (Character.isHighSurrogate(n.charAt(end - 1))) end--;
                n = n.substring(0, end).strip();
            }
            this.name = n;
            return this;
        }

        /** ISO 639-3 (three letters); null leaves it unset. */
        public Builder language(String language) {
            if (language == null) {
                this.language = null;
                return this;
            }
            String l = language.trim().toLowerCase(Locale.ROOT);
            if (!LANGUAGE.matcher(l).matches()) throw new IllegalArgumentException("language must be ISO 639-3 (three letters)");
            this.language = l;
            return this;
        }

        /** A field; the key must follow §8's rules; null is sent as {@code ""} (clears the value). */
        public Builder field(String key, String value) {
            RapidProField.validateKey(key);
            fields.put(key, value == null ? "" : value.strip());
            return this;
        }

        public ContactPayload build() {
            if (fields.size() > MAX_FIELDS) throw new IllegalArgumentException("at most " + MAX_FIELDS + " fields per write");
            return new ContactPayload(this);
        }
    }
}
