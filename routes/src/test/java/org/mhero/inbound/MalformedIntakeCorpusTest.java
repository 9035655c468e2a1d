package org.mhero.inbound;

import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.testing.ShippedConfig;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A generated corpus of malformed requests, 1,200 per intake (seeded, so a failure is reproducible): truncated and
 * mistyped JSON, missing and oversized fields, control characters, invalid UTF-8, unknown charsets, wrong content types,
 * bad times, oversize bodies, missing and wrong tokens. Each must get its own 4xx (asserted per kind), none a 2xx or a
 * 5xx, nothing may be stored, and the intake must still take a good message afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedIntakeCorpusTest extends CamelTestSupport {
    static final int PER_INTAKE = 1200;
    static final int MAX_BODY = 8192;
    static final String RP = "change-me-rapidpro-inbound";
    static final String KN = "change-me-kannel-inbound";
    static final String AT = "change-me-africastalking-inbound";
    static final String EX = "external-secret-for-tests";
    static TestDatabase db;
    static int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One generated request and the status it must get. */
    record Case(String kind, int expected, HttpRequest request) {}

    @BeforeAll
    static void database() {
        db = new TestDatabase();
        port = ShippedConfig.freePort();
    }

    @AfterAll
    void stop() {
        context.stop();
        db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(ShippedConfig.idle()
                .pid("org.mhero.api", Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port)))
                .pid("org.mhero.inbound", Map.of("max.body.bytes", Integer.toString(MAX_BODY), "external.auth", "token",
                        "external.secret", EX))
                .asMap());
        CamelContext camel = mhero.build();
        assertThat(mhero.getProblems()).isEmpty();
        return camel;
    }

    String base() { return "http://127.0.0.1:" + port; }

    static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    static String query(Map<String, String> p) {
        StringBuilder b = new StringBuilder();
        p.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        return b.toString();
    }

    HttpRequest postBytes(String path, String contentType, byte[] body) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    HttpRequest postForm(String path, Map<String, String> form) {
        return postBytes(path, "application/x-www-form-urlencoded", query(form).getBytes(StandardCharsets.UTF_8));
    }

    HttpRequest get(String path, Map<String, String> params) {
        return HttpRequest.newBuilder(URI.create(base() + path + "?" + query(params))).timeout(Duration.ofSeconds(20)).GET().build();
    }

    static String randomText(Random r, int n) {
        StringBuilder b = new StringBuilder();
        String alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789.,;:'\"{}[]<>$#%&*()=+-_/\\éàüñ漢字😀";
        for (int i = 0; i < n; i++) b.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0, alphabet.length())))));
        return b.toString();
    }

    static String control(Random r) { return String.valueOf((char) (1 + r.nextInt(31))); }

    // ---------------------------------------------------------------- RapidPro webhook (JSON)

    static String webhookBody(Random r) {
        return "{\"contact\":{\"uuid\":\"c-" + r.nextInt(1_000_000) + "\",\"name\":\"N\",\"urn\":\"tel:+23177" + (1000000 + r.nextInt(8999999)) + "\"},"
                + "\"flow\":{\"uuid\":\"0f3c5f6b-2a4d-4b4e-9c47-5d1b0c6a7e21\",\"name\":\"V\"},"
                + "\"results\":{\"phone_ok\":{\"value\":\"yes\",\"category\":\"Yes\"}},"
                + "\"run\":{\"uuid\":\"run-" + r.nextLong() + "\"},"
                + "\"input\":{\"uuid\":\"m\",\"type\":\"msg\",\"text\":\"" + randomText(r, 20).replace("\\", "").replace("\"", "") + "\",\"created_on\":\"2026-11-22T10:00:00Z\"}}";
    }

    List<Case> webhookCorpus(Random r) {
        String path = "/inbound/rapidpro/webhook?token=" + RP;
        List<Case> out = new ArrayList<>();
        List<Function<Random, Case>> kinds = List.of(
                x -> { String b = webhookBody(x); return new Case("truncated json", 400, postBytes(path, "application/json",
                        b.substring(0, 1 + x.nextInt(b.length() - 1)).getBytes(StandardCharsets.UTF_8))); },
                x -> { String key = List.of("run", "flow", "contact").get(x.nextInt(3));
                       String b = webhookBody(x).replaceFirst("\"" + key + "\":\\{\"uuid\":\"[^\"]*\"", "\"" + key + "\":{\"nouuid\":\"x\"");
                       return new Case("missing " + key + ".uuid", 400, postBytes(path, "application/json", b.getBytes(StandardCharsets.UTF_8))); },
                x -> { String v = List.of("42", "true", "[1]", "{\"a\":1}").get(x.nextInt(4));
                       String b = webhookBody(x).replaceFirst("\"run\":\\{\"uuid\":\"[^\"]*\"", "\"run\":{\"uuid\":" + v);
                       return new Case("mistyped run.uuid", 400, postBytes(path, "application/json", b.getBytes(StandardCharsets.UTF_8))); },
                x -> { byte[] g = new byte[1 + x.nextInt(200)]; x.nextBytes(g); g[0] = (byte) 0xC3; if (g.length > 1) g[1] = (byte) 0x28;
                       return new Case("invalid utf-8", 400, postBytes(path, "application/json", g)); },
                x -> new Case("wrong content type", 415, postBytes(path, List.of("text/plain", "application/xml", "text/html", "image/png").get(x.nextInt(4)),
                        webhookBody(x).getBytes(StandardCharsets.UTF_8))),
                x -> new Case("unknown charset", 415, postBytes(path, "application/json; charset=x-" + x.nextInt(1000) + "-nope",
                        webhookBody(x).getBytes(StandardCharsets.UTF_8))),
                x -> new Case("bad token", 401, postBytes(x.nextBoolean() ? "/inbound/rapidpro/webhook" : "/inbound/rapidpro/webhook?token=" + RP + "x",
                        "application/json", webhookBody(x).getBytes(StandardCharsets.UTF_8))),
                x -> new Case("oversize", 413, postBytes(path, "application/json",
                        ("{\"pad\":\"" + "y".repeat(MAX_BODY + x.nextInt(5000)) + "\"}").getBytes(StandardCharsets.UTF_8))),
                x -> { String b = webhookBody(x).replaceFirst("\"run\":\\{\"uuid\":\"run-", "\"run\":{\"uuid\":\"run-" + control(x));
                       return new Case("control character in run.uuid", 400, postBytes(path, "application/json", escapeControls(b).getBytes(StandardCharsets.UTF_8))); },
                x -> new Case("deep nesting", 400, postBytes(path, "application/json",
                        ("[".repeat(1500 + x.nextInt(500))).getBytes(StandardCharsets.UTF_8))),
                x -> { String b = webhookBody(x).replaceFirst("\"text\":\"[^\"]*\"", "\"text\":\"" + "z".repeat(4097 + x.nextInt(100)) + "\"");
                       return new Case("text too long", 400, postBytes(path, "application/json", b.getBytes(StandardCharsets.UTF_8))); },
                x -> { String b = webhookBody(x).replaceFirst("\"created_on\":\"[^\"]*\"", "\"created_on\":\"" + List.of("tomorrow", "2026-13-45", "1e9", "").get(x.nextInt(4)) + "\"");
                       return new Case("bad input.created_on", 400, postBytes(path, "application/json", b.getBytes(StandardCharsets.UTF_8))); },
                x -> { String b = webhookBody(x).replaceFirst("\"input\":\\{.*}}$", "\"input\":" + List.of("5", "\"text\"", "[]").get(x.nextInt(3)) + "}");
                       return new Case("input not an object", 400, postBytes(path, "application/json", b.getBytes(StandardCharsets.UTF_8))); },
                x -> new Case("not an object", 400, postBytes(path, "application/json",
                        List.of("[]", "null", "42", "\"s\"", "true").get(x.nextInt(5)).getBytes(StandardCharsets.UTF_8))));
        for (int i = 0; i < PER_INTAKE; i++) out.add(kinds.get(i % kinds.size()).apply(r));
        return out;
    }

    /** A JSON string may not hold raw control characters; escape them so the JSON is valid and the value has one. */
    static String escapeControls(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        return b.toString();
    }

    // ---------------------------------------------------------------- forms

    Map<String, String> kannelParams(Random r) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("token", KN);
        p.put("from", "+23177" + (1000000 + r.nextInt(8999999)));
        p.put("to", "1234");
        p.put("text", randomText(r, 1 + r.nextInt(100)));
        p.put("time", "2026-11-21 19:42:42");
        p.put("id", "k-" + r.nextLong());
        return p;
    }

    List<Case> formCorpus(Random r, String path, Function<Random, Map<String, String>> good, boolean get, String idName,
                          String fromName, String textName, String timeName, String token) {
        List<Function<Random, Case>> kinds = new ArrayList<>();
        Function<Map<String, String>, HttpRequest> send = p -> get ? get(path, p) : postForm(path, p);
        if (idName != null) {
            kinds.add(x -> { Map<String, String> p = good.apply(x); p.remove(idName); return new Case("missing id", 400, send.apply(p)); });
            kinds.add(x -> { Map<String, String> p = good.apply(x); p.put(idName, "i" + control(x) + "d"); return new Case("control character in id", 400, send.apply(p)); });
            kinds.add(x -> { Map<String, String> p = good.apply(x); p.put(idName, "i".repeat(201 + x.nextInt(50))); return new Case("id too long", 400, send.apply(p)); });
            kinds.add(x -> { Map<String, String> p = good.apply(x); p.put(idName, ""); return new Case("empty id", 400, send.apply(p)); });
        }
        kinds.add(x -> { Map<String, String> p = good.apply(x); p.remove(fromName); return new Case("missing sender", 400, send.apply(p)); });
        kinds.add(x -> { Map<String, String> p = good.apply(x); p.put(fromName, "+" + "9".repeat(65 + x.nextInt(20))); return new Case("sender too long", 400, send.apply(p)); });
        kinds.add(x -> { Map<String, String> p = good.apply(x); p.remove(textName); return new Case("missing text", 400, send.apply(p)); });
        kinds.add(x -> { Map<String, String> p = good.apply(x); p.put(textName, "t".repeat(4097 + x.nextInt(200))); return new Case("text too long", 400, send.apply(p)); });
        kinds.add(x -> { Map<String, String> p = good.apply(x); p.put(timeName, List.of("yesterday", "2026-02-30 10:00:00", "99:99", "2026-11-22T25:00:00Z").get(x.nextInt(4)));
                         return new Case("bad time", 400, send.apply(p)); });
        kinds.add(x -> { Map<String, String> p = good.apply(x); if (x.nextBoolean()) p.remove("token"); else p.put("token", token + "-wrong");
                         return new Case("bad token", 401, send.apply(p)); });
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < PER_INTAKE; i++) out.add(kinds.get(i % kinds.size()).apply(r));
        return out;
    }

    List<Case> kannelPostCorpus(Random r) {
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String path = "/inbound/kannel?token=" + KN + "&id=kp-" + i;
            out.add(switch (i % 3) {
                case 0 -> new Case("post-url invalid utf-8", 400, postBytes(path, "text/plain; charset=\"UTF-8\"", new byte[] {(byte) 0xFF, (byte) 0xFE, 0x41}));
                case 1 -> new Case("post-url unknown charset", 415, postBytes(path, "text/plain; charset=\"klingon\"", "STOP".getBytes(StandardCharsets.UTF_8)));
                default -> new Case("post-url oversize", 413, postBytes(path, "text/plain", "x".repeat(MAX_BODY + 1 + r.nextInt(100)).getBytes(StandardCharsets.UTF_8)));
            });
        }
        return out;
    }

    @Test
    void everyMalformedRequestGetsItsOwn4xxAndNothingIsStored() throws Exception {
        Random r = new Random(20261122L);
        Map<String, List<Case>> corpus = new LinkedHashMap<>();
        corpus.put("rapidpro webhook", webhookCorpus(r));
        List<Case> kannel = formCorpus(r, "/inbound/kannel", this::kannelParams, true, "id", "from", "text", "time", KN);
        kannel.addAll(kannelPostCorpus(r));
        corpus.put("kannel", kannel);
        corpus.put("africastalking", formCorpus(r, "/inbound/africastalking", x -> {
            Map<String, String> p = kannelParams(x);
            p.put("token", AT);
            p.remove("time");
            p.put("date", "2026-11-22T10:00:00Z");
            return p;
        }, false, "id", "from", "text", "date", AT));
        corpus.put("external", formCorpus(r, "/inbound/external/receive", x -> {
            Map<String, String> p = kannelParams(x);
            p.put("token", EX);
            p.remove("id");
            p.remove("time");
            p.put("date", "2026-11-22T10:00:00Z");
            return p;
        }, false, null, "from", "text", "date", EX));

        Map<String, Integer> byKind = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, List<Case>> e : corpus.entrySet()) {
            assertThat(e.getValue()).as(e.getKey()).hasSizeGreaterThanOrEqualTo(1000);
            for (Case c : e.getValue()) {
                HttpResponse<String> res = http.send(c.request(), HttpResponse.BodyHandlers.ofString());
                byKind.merge(e.getKey() + " / " + c.kind(), 1, Integer::sum);
                if (res.statusCode() != c.expected() && wrong.size() < 20) {
                    wrong.add(e.getKey() + " / " + c.kind() + ": expected " + c.expected() + ", got " + res.statusCode() + " " + res.body());
                }
            }
        }
        System.out.println("malformed corpus: " + byKind);
        assertThat(wrong).as("requests answered with another status").isEmpty();
        assertThat(db.count("select count(*) from inbound_message")).as("nothing stored").isZero();

        // and a good one still goes in
        HttpResponse<String> good = http.send(get("/inbound/kannel", kannelParams(r)), HttpResponse.BodyHandlers.ofString());
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(db.count("select count(*) from inbound_message")).isEqualTo(1);
    }
}
