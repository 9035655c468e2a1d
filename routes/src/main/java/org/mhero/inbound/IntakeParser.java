package org.mhero.inbound;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads each intake's wire form into a {@link Received}, or refuses it with a {@link Malformed} naming the field. Plain
 * Java: the routes hand it the parameters (query and form, as Camel's HTTP consumers put them in headers) and the body.
 * <ul>
 *   <li>RapidPro flow webhook (the body mHero's flows ship with: the editor's default plus {@code run.uuid} and
 *       {@code input}) and resthook ({@code ResthookPayload}): JSON; {@code run.uuid}, {@code flow.uuid} and
 *       {@code contact.uuid} are required, the run uuid is the dedupe key.</li>
 *   <li>Kannel sms-service: get-url {@code ?from=%p&to=%P&text=%a&time=%t&id=%I} (RapidPro's names
 *       {@code sender}, {@code message}, {@code ts} are accepted too), or post-url with the text as the body and
 *       {@code X-Kannel-From}; the Kannel message id ({@code %I}) is required in both.</li>
 *   <li>Africa's Talking-style incoming message: form {@code from, to, text, id, date, linkId, networkCode}.</li>
 *   <li>RapidPro External API receive form: {@code from} (or {@code sender}), {@code text}, optional {@code date} /
 *       {@code time} and {@code id}. Without an id the dedupe key is a hash of sender, text and time given (or the
 *       second it arrived), so a sender retrying within that second is taken once.</li>
 * </ul>
 */
public final class IntakeParser {
    /** A request mHero cannot take: answered 400 with this message. */
    public static final class Malformed extends Exception {
        public Malformed(String message) { super(message, null, false, false); }
    }

    public static final int MAX_TEXT = 4096;
    private static final int MAX_ID = 200;
    private static final int MAX_RESULTS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PRINTABLE = Pattern.compile("[^\\p{Cntrl}]+");
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
            .withResolverStyle(java.time.format.ResolverStyle.STRICT);

    private IntakeParser() {}

    /** A RapidPro flow webhook ({@code intake = webhook}) or resthook ({@code intake = resthook}) body. */
    public static Received rapidproRun(String body, String intake) throws Malformed {
        JsonNode root;
        try {
            root = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new Malformed("body is not JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) throw new Malformed("body is not a JSON object");
        String run = id(text(root.path("run"), "uuid", "run.uuid"), "run.uuid");
        String flow = id(text(root.path("flow"), "uuid", "flow.uuid"), "flow.uuid");
        String contact = id(text(root.path("contact"), "uuid", "contact.uuid"), "contact.uuid");
        String urn = field(text(root.path("contact"), "urn", "contact.urn"), "contact.urn", 300);
        JsonNode input = root.path("input");
        String text = null;
        Instant sentAt = null;
        if (input.isObject()) {
            text = message(text(input, "text", "input.text"), "input.text");
            JsonNode inUrn = input.path("urn");
            if (urn == null && inUrn.isTextual()) urn = field(inUrn.asText(), "input.urn", 300);
            if (urn == null && inUrn.isObject() && inUrn.path("path").isTextual()) {
                urn = field(inUrn.path("scheme").asText("tel") + ":" + inUrn.path("path").asText(), "input.urn", 300);
            }
            String created = text(input, "created_on", "input.created_on");
            if (created != null) sentAt = instant(created, "input.created_on");
        } else if (!input.isMissingNode() && !input.isNull()) {
            throw new Malformed("input is neither an object nor null");
        }
        JsonNode results = root.path("results");
        String resultsJson = null;
        if (results.isObject()) {
            if (results.size() > MAX_RESULTS) throw new Malformed("results has more than " + MAX_RESULTS + " keys");
            ObjectNode kept = JSON.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = results.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (!v.isObject()) throw new Malformed("results." + e.getKey() + " is not an object");
                ObjectNode r = kept.putObject(e.getKey());
                r.put("value", message(v.path("value").isValueNode() ? v.path("value").asText() : null, "results." + e.getKey() + ".value"));
                r.put("category", field(v.path("category").isValueNode() ? v.path("category").asText() : null, "results." + e.getKey() + ".category", 300));
            }
            resultsJson = kept.toString();
        } else if (!results.isMissingNode() && !results.isNull()) {
            throw new Malformed("results is not an object");
        }
        String sender = urn == null ? null : urn.contains(":") ? urn.substring(urn.indexOf(':') + 1) : urn;
        return new Received("rapidpro-run", intake, run, sentAt, sender, urn, contact, text, flow.toLowerCase(java.util.Locale.ROOT), resultsJson);
    }

    /** Kannel's get-url (parameters only) or post-url ({@code body} = the text, sender in {@code X-Kannel-From}). */
    public static Received kannel(Map<String, Object> params, String body, boolean post) throws Malformed {
        String id = id(first(params, "id"), "id");
        String from = post ? first(params, "X-Kannel-From", "from", "sender") : first(params, "from", "sender");
        from = sender(from, post ? "X-Kannel-From" : "from");
        String text = post ? body : first(params, "text", "message");
        if (text == null) throw new Malformed(post ? "body (the message text) is missing" : "text is missing");
        text = message(text, "text");
        String time = post ? first(params, "X-Kannel-Time", "time", "ts") : first(params, "time", "ts");
        return new Received("kannel", post ? "post-url" : "get-url", id, time == null ? null : instant(time, "time"), from,
                null, null, text, null, null);
    }

    /** An Africa's Talking-style incoming message callback (form). */
    public static Received africasTalking(Map<String, Object> params) throws Malformed {
        String id = id(first(params, "id"), "id");
        String from = sender(first(params, "from"), "from");
        String text = first(params, "text");
        if (text == null) throw new Malformed("text is missing");
        String date = first(params, "date");
        return new Received("africastalking", "form", id, date == null ? null : instant(date, "date"), from, null, null,
                message(text, "text"), null, null);
    }

    /** The RapidPro External API channel's receive form ({@code from} or {@code sender}, {@code text}, {@code date}). */
    public static Received external(Map<String, Object> params, Instant now) throws Malformed {
        String from = first(params, "from", "sender");
        if (from == null) throw new Malformed("must have one of 'sender' or 'from' set");
        from = sender(from, "from");
        String text = first(params, "text");
        if (text == null) throw new Malformed("text is missing");
        text = message(text, "text");
        String date = first(params, "date", "time");
        Instant sentAt = date == null ? null : instant(date, "date");
        String id = first(params, "id");
        if (id != null) id = id(id, "id");
        else id = "h:" + sha256(from + "\n" + text + "\n" + (sentAt != null ? sentAt.toString() : now.getEpochSecond()));
        return new Received("external", "receive", id, sentAt, from, null, null, text, null, null);
    }

    // --- helpers ---

    /** The first non-empty value of any of the names (Camel gives repeated parameters as a list). */
    public static String first(Map<String, Object> params, String... names) {
        for (String n : names) {
            Object v = params.get(n);
            if (v instanceof java.util.List<?> l) v = l.isEmpty() ? null : l.get(0);
            if (v != null && !v.toString().isEmpty()) return v.toString();
        }
        return null;
    }

    private static String text(JsonNode parent, String name, String label) throws Malformed {
        JsonNode n = parent.path(name);
        if (n.isMissingNode() || n.isNull()) return null;
        if (!n.isTextual()) throw new Malformed(label + " is not a string");
        return n.asText();
    }

    private static String id(String v, String name) throws Malformed {
        if (v == null || v.isBlank()) throw new Malformed(name + " is missing");
        if (v.length() > MAX_ID) throw new Malformed(name + " is longer than " + MAX_ID + " characters");
        if (!PRINTABLE.matcher(v).matches()) throw new Malformed(name + " contains control characters");
        return v;
    }

    private static String field(String v, String name, int max) throws Malformed {
        if (v == null) return null;
        if (v.length() > max) throw new Malformed(name + " is longer than " + max + " characters");
        if (!v.isEmpty() && !PRINTABLE.matcher(v).matches()) throw new Malformed(name + " contains control characters");
        return v;
    }

    private static String sender(String v, String name) throws Malformed {
        if (v == null || v.isBlank()) throw new Malformed(name + " (the sender) is missing");
        return field(v.strip(), name, 64);
    }

    /** A message text: at most {@link #MAX_TEXT} characters; NUL (which PostgreSQL cannot store) becomes U+FFFD. */
    private static String message(String v, String name) throws Malformed {
        if (v == null) return null;
        if (v.length() > MAX_TEXT) throw new Malformed(name + " is longer than " + MAX_TEXT + " characters");
        return v.indexOf('\0') >= 0 ? v.replace('\0', '\uFFFD') : v;
    }

    /** RFC 3339, {@code yyyy-MM-dd HH:mm:ss} (UTC), or Unix seconds. */
    static Instant instant(String v, String name) throws Malformed {
        String s = v.strip();
        try {
            if (s.matches("\\d{9,11}")) return Instant.ofEpochSecond(Long.parseLong(s));
            if (s.length() == 19 && s.charAt(10) == ' ') return LocalDateTime.parse(s, SPACED).toInstant(ZoneOffset.UTC);
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new Malformed(name + " = '" + (s.length() > 40 ? s.substring(0, 40) + "…" : s)
                    + "' is not a time (RFC 3339, 'yyyy-MM-dd HH:mm:ss' or Unix seconds)");
        }
    }

    static String sha256(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
