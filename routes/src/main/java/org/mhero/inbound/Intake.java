package org.mhero.inbound;

import org.mhero.store.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The intake endpoints' bean ({@code inbound.intake-*} routes): authenticate the source (its shared token or an HMAC of
 * the body, compared in constant time), refuse what is too large, in an unknown charset or malformed, then persist
 * before answering. The answer: 200 for a new message or a duplicate (a retry of the sender, acknowledged and ignored),
 * 400 malformed (the message names the field), 401 unauthenticated, 404 a source switched off, 413 too large, 415 a
 * charset or content type it cannot read, 503 when the database cannot be reached, so that the sender tries again;
 * nothing is acknowledged before it is stored. Routing happens after the answer.
 */
public final class Intake {
    private static final Logger LOG = LoggerFactory.getLogger(Intake.class);

    /** The HTTP answer; {@code routeNow} is the id of a newly stored message (null otherwise) for the fast path. */
    public record Reply(int status, String contentType, String body, Long routeNow) {
        static Reply text(int status, String body) { return new Reply(status, "text/plain; charset=UTF-8", body, null); }
    }

    private final Supplier<InboundSettings> settings;
    private final InboundStore store;
    private final Clock clock;

    public Intake(Supplier<InboundSettings> settings, InboundStore store, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
    }

    /** POST /inbound/rapidpro/webhook and /inbound/rapidpro/resthook: a run's JSON. */
    public Reply rapidpro(Map<String, Object> headers, byte[] body, String intake) {
        return take("rapidpro", headers, body, true, raw -> {
            String type = header(headers, "Content-Type");
            if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                throw new Refused(415, "Content-Type must be application/json");
            }
            return IntakeParser.rapidproRun(decode(raw, type), intake);
        });
    }

    /** GET (get-url) or POST (post-url) /inbound/kannel. */
    public Reply kannel(Map<String, Object> headers, byte[] body) {
        boolean post = "POST".equalsIgnoreCase(header(headers, "CamelHttpMethod"));
        return take("kannel", headers, body, post, raw -> IntakeParser.kannel(headers, post ? decode(raw, header(headers, "Content-Type")) : null, post));
    }

    /** POST /inbound/africastalking: the incoming-message form. */
    public Reply africasTalking(Map<String, Object> headers, byte[] body) {
        return take("africastalking", headers, body, false, raw -> IntakeParser.africasTalking(headers));
    }

    /** GET or POST /inbound/external/receive: the RapidPro External API receive form. */
    public Reply external(Map<String, Object> headers, byte[] body) {
        return take("external", headers, body, false, raw -> IntakeParser.external(headers, clock.instant()));
    }

    private interface Parse { Received parse(byte[] raw) throws IntakeParser.Malformed, Refused; }

    private static final class Refused extends Exception {
        final int status;
        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private Reply take(String source, Map<String, Object> headers, byte[] body, boolean readBody, Parse parse) {
        InboundSettings s = settings.get();
        InboundSettings.SourceAuth auth = s.auth(source);
        if (auth == null || auth.off()) return Reply.text(404, "the " + source + " intake is switched off");
        try {
            String length = header(headers, "Content-Length");
            if (length != null) {
                try {
                    if (Long.parseLong(length.strip()) > s.maxBodyBytes()) throw tooLarge(s);
                } catch (NumberFormatException e) {
                    throw new Refused(400, "Content-Length is not a number");
                }
            }
            // the body is read (bounded) when it is the message or signed; forms arrive as parameters
            byte[] raw = readBody || auth.hmac() ? read(body, s) : new byte[0];
            if (!authorized(auth, headers, raw)) {
                LOG.warn("Inbound {} request refused (401): {}", source, auth.hmac() ? "bad or missing signature" : "bad or missing token");
                return Reply.text(401, "unauthorized");
            }
            Received r = parse.parse(raw);
            InboundStore.Stored stored = store.receive(r);
            if (stored.duplicate()) {
                LOG.debug("Inbound {} message {} is a duplicate of {}: acknowledged, ignored", source, r.externalId(), stored.id());
            }
            return answer(source, stored);
        } catch (Refused e) {
            LOG.warn("Inbound {} request refused ({}): {}", source, e.status, e.getMessage());
            return Reply.text(e.status, e.getMessage());
        } catch (IntakeParser.Malformed e) {
            LOG.warn("Inbound {} request refused (400): {}", source, e.getMessage());
            return answerError(source, e.getMessage());
        } catch (SQLException e) {
            LOG.warn("Inbound {} message not stored (answered 503, the sender should retry): {}", source, Failures.describe(e));
            return Reply.text(503, "try again later");
        }
    }

    private static Reply answer(String source, InboundStore.Stored stored) {
        Long now = stored.duplicate() ? null : stored.id();
        String status = stored.duplicate() ? "duplicate" : "accepted";
        return switch (source) {
            // Kannel turns a non-empty answer into an SMS to the sender unless max-messages = 0: answer nothing
            case "kannel" -> new Reply(200, "text/plain; charset=UTF-8", "", now);
            case "external" -> new Reply(200, "application/json", "{\"message\":\"Message Accepted\",\"data\":[{\"type\":\"msg\",\"id\":"
                    + stored.id() + ",\"status\":\"" + status + "\"}]}", now);
            default -> new Reply(200, "application/json", "{\"status\":\"" + status + "\",\"id\":" + stored.id() + "}", now);
        };
    }

    private static Reply answerError(String source, String message) {
        if (source.equals("kannel")) return Reply.text(400, message);
        String json = "{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        if (source.equals("external")) json = "{\"message\":\"Error\",\"data\":[{\"type\":\"error\",\"error\":\""
                + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}]}";
        return new Reply(400, "application/json", json, null);
    }

    private static Refused tooLarge(InboundSettings s) {
        return new Refused(413, "body larger than " + s.maxBodyBytes() + " bytes (org.mhero.inbound max.body.bytes)");
    }

    /**
     * The body as it came (a chunked body is already bounded by Jetty's request buffer). Too large: 413. With a
     * Content-Length the refusal comes before anything is read.
     */
    private static byte[] read(byte[] body, InboundSettings s) throws Refused {
        if (body == null) return new byte[0];
        if (body.length > s.maxBodyBytes()) throw tooLarge(s);
        return body;
    }

    /** Decodes strictly in the charset the Content-Type names (UTF-8 when it names none). */
    static String decode(byte[] raw, String contentType) throws Refused {
        Charset cs = StandardCharsets.UTF_8;
        if (contentType != null) {
            for (String part : contentType.split(";")) {
                String p = part.strip();
                if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    String name = p.substring(8).strip().replace("\"", "").replace("'", "");
                    try {
                        cs = Charset.forName(name);
                    } catch (RuntimeException e) {
                        throw new Refused(415, "charset '" + (name.length() > 40 ? name.substring(0, 40) : name) + "' is not supported");
                    }
                }
            }
        }
        try {
            return cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new Refused(400, "the body is not valid " + cs.name());
        }
    }

    private static boolean authorized(InboundSettings.SourceAuth auth, Map<String, Object> headers, byte[] raw) {
        byte[] secret = auth.secret().getBytes(StandardCharsets.UTF_8);
        if (auth.hmac()) {
            String sig = header(headers, "X-Mhero-Signature");
            if (sig == null || !sig.startsWith("sha256=")) return false;
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret, "HmacSHA256"));
                byte[] expected = mac.doFinal(raw);
                byte[] given = HexFormat.of().parseHex(sig.substring(7).strip().toLowerCase(Locale.ROOT));
                return MessageDigest.isEqual(expected, given);
            } catch (IllegalArgumentException e) {
                return false;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        String given = IntakeParser.first(headers, "token", "X-Mhero-Token");
        if (given == null) {
            String a = header(headers, "Authorization");
            if (a != null && a.regionMatches(true, 0, "Token ", 0, 6)) given = a.substring(6).strip();
        }
        return given != null && MessageDigest.isEqual(digest(given.getBytes(StandardCharsets.UTF_8)), digest(secret));
    }

    private static byte[] digest(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(Map<String, Object> headers, String name) {
        Object v = headers.get(name);
        if (v == null) {
            for (Map.Entry<String, Object> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) { v = e.getValue(); break; }
            }
        }
        if (v instanceof java.util.List<?> l) v = l.isEmpty() ? null : l.get(0);
        return v == null ? null : v.toString();
    }
}
