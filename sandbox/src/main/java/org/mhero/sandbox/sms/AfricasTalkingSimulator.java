package org.mhero.sandbox.sms;

import org.mhero.sandbox.core.Query;
import org.mhero.sandbox.core.SimHttpServer;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * An Africa's Talking-style SMS API (contracts/sms-aggregators.md §8): {@code POST /version1/messaging} with the
 * {@code apiKey} header and form fields, a per-recipient JSON (or XML) reply, recipient error codes 401–407 for
 * configured numbers, DLR callbacks (form POST: Sent, then Success or Failed) and MO callbacks.
 */
public final class AfricasTalkingSimulator extends SimHttpServer {
    /** Settings; defaults: username {@code sandbox}, apiKey {@code atsk_test_key}, DLR delay 0 ms. */
    public static final class Options {
        int port = 0;
        int threads = 8;
        String username = "sandbox";
        String apiKey = "atsk_test_key";
        String currency = "KES";
        String costPerMessage = "0.8000";
        String networkCode = "63902";
        String dlrUrl;
        String moUrl;
        long dlrDelayMillis = 0;
        Map<String, Integer> rejections = new LinkedHashMap<>();
        Map<String, String> deliveryFailures = new LinkedHashMap<>();

        public Options port(int port) { this.port = port; return this; }
        public Options threads(int n) { this.threads = n; return this; }
        public Options credentials(String username, String apiKey) { this.username = username; this.apiKey = apiKey; return this; }
        public Options currency(String currency, String costPerMessage) { this.currency = currency; this.costPerMessage = costPerMessage; return this; }
        /** Where delivery reports are POSTed (none when null). */
        public Options dlrUrl(String url) { this.dlrUrl = url; return this; }
        /** Where incoming messages are POSTed by {@link #sendMo}. */
        public Options moUrl(String url) { this.moUrl = url; return this; }
        /** Pause between the Sent and the final (Success/Failed) report. */
        public Options dlrDelayMillis(long ms) { this.dlrDelayMillis = ms; return this; }
        /** The API refuses this recipient with a statusCode: 401 RiskHold … 407 CouldNotRoute, 500–502. */
        public Options reject(String number, int statusCode) { rejections.put(number, statusCode); return this; }
        /** Accepted (101 Success) but the final DLR is {@code Failed} with this failureReason (e.g. AbsentSubscriber). */
        public Options deliveryFailure(String number, String failureReason) { deliveryFailures.put(number, failureReason); return this; }
    }

    public static Options options() { return new Options(); }

    static final Map<Integer, String> STATUS = Map.ofEntries(
            Map.entry(100, "Processed"), Map.entry(101, "Success"), Map.entry(102, "Queued"),
            Map.entry(401, "RiskHold"), Map.entry(402, "InvalidSenderId"), Map.entry(403, "InvalidPhoneNumber"),
            Map.entry(404, "UnsupportedNumberType"), Map.entry(405, "InsufficientBalance"), Map.entry(406, "UserInBlacklist"),
            Map.entry(407, "CouldNotRoute"), Map.entry(500, "InternalServerError"), Map.entry(501, "GatewayError"),
            Map.entry(502, "RejectedByGateway"));
    private static final Pattern E164 = Pattern.compile("^\\+[1-9]\\d{6,14}$");

    private final Options options;
    private final SmsLog log = new SmsLog();
    private final ScheduledExecutorService callbacks = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "at-callbacks");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AfricasTalkingSimulator(Options options) throws IOException {
        super(options.port, options.threads);
        this.options = options;
    }

    public static AfricasTalkingSimulator start(Options options) {
        try {
            AfricasTalkingSimulator s = new AfricasTalkingSimulator(options);
            s.start();
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Africa's Talking simulator", e);
        }
    }

    public SmsLog log() { return log; }
    public String messagingUrl() { return baseUrl() + "/version1/messaging"; }
    public void reject(String number, int statusCode) { options.reject(number, statusCode); }

    @Override
    protected Response throttled(long retryAfterSeconds) {
        return Response.of(429, "text/plain", "Too Many Requests").withHeader("Retry-After", Long.toString(retryAfterSeconds));
    }

    @Override
    protected Response serverError() { return Response.of(500, "text/plain", "Internal Server Error"); }

    @Override
    protected Response handle(Request req) {
        if (!req.path().equals("/version1/messaging")) return Response.of(404, "text/plain", "Not Found");
        if (!req.method().equals("POST")) return Response.of(405, "text/plain", "Method Not Allowed");
        if (!options.apiKey.equals(req.header("apiKey"))) return Response.of(401, "text/plain", "The supplied authentication is invalid");
        Map<String, List<String>> form = Query.parse(req.bodyText());
        String username = first(form, "username");
        if (username == null) return Response.of(400, "text/plain", "Request is missing required form field 'username'");
        if (!options.username.equals(username)) return Response.of(401, "text/plain", "The supplied authentication is invalid");
        String to = first(form, "to");
        if (to == null || to.isBlank()) return Response.of(400, "text/plain", "Request is missing required form field 'to'");
        String message = first(form, "message");
        if (message == null) return Response.of(400, "text/plain", "Request is missing required form field 'message'");
        String from = first(form, "from");

        record Recipient(String number, int code, String cost, String messageId) {}
        List<Recipient> recipients = new ArrayList<>();
        int sent = 0;
        for (String raw : to.split(",")) {
            String number = raw.trim();
            if (number.isEmpty()) continue;
            Integer code = options.rejections.get(number);
            if (code == null && !E164.matcher(number).matches()) code = 403;
            if (code == null) {
                String id = "ATXid_" + UUID.randomUUID().toString().replace("-", "");
                recipients.add(new Recipient(number, 101, options.currency + " " + options.costPerMessage, id));
                SmsLog.Message m = new SmsLog.Message(id, from == null ? "AFRICASTKNG" : from, number, message, Instant.now(), null);
                log.accepted(m);
                log.delivered(m);
                sent++;
                scheduleDlrs(m);
            } else {
                recipients.add(new Recipient(number, code, "0", "None"));
            }
        }
        String total = options.currency + " " + new java.math.BigDecimal(options.costPerMessage).multiply(java.math.BigDecimal.valueOf(sent)).setScale(4);
        String summary = "Sent to " + sent + "/" + recipients.size() + " Total Cost: " + total;
        String accept = req.header("Accept");
        if (accept != null && accept.toLowerCase(Locale.ROOT).contains("json")) {
            StringBuilder b = new StringBuilder("{\"SMSMessageData\":{\"Message\":\"").append(summary).append("\",\"Recipients\":[");
            for (int i = 0; i < recipients.size(); i++) {
                Recipient r = recipients.get(i);
                if (i > 0) b.append(',');
                b.append("{\"statusCode\":").append(r.code()).append(",\"number\":\"").append(jsonEscape(r.number()))
                        .append("\",\"status\":\"").append(STATUS.getOrDefault(r.code(), "Failed")).append("\",\"cost\":\"")
                        .append(r.cost()).append("\",\"messageId\":\"").append(r.messageId()).append("\"}");
            }
            b.append("]}}");
            return Response.json(201, b.toString());
        }
        StringBuilder x = new StringBuilder("<?xml version='1.0' encoding='UTF-8'?><AfricasTalkingResponse><SMSMessageData><Message>")
                .append(summary).append("</Message><Recipients>");
        for (Recipient r : recipients) {
            x.append("<Recipient><number>").append(xmlEscape(r.number())).append("</number><cost>").append(r.cost())
                    .append("</cost><status>").append(STATUS.getOrDefault(r.code(), "Failed")).append("</status><statusCode>")
                    .append(r.code()).append("</statusCode><messageId>").append(r.messageId()).append("</messageId></Recipient>");
        }
        x.append("</Recipients></SMSMessageData></AfricasTalkingResponse>");
        return Response.of(201, "application/xml", x.toString());
    }

    private void scheduleDlrs(SmsLog.Message m) {
        if (options.dlrUrl == null) return;
        callbacks.submit(() -> {
            dlr(m, "Sent", null);
            String reason = options.deliveryFailures.get(m.to());
            Runnable last = () -> dlr(m, reason == null ? "Success" : "Failed", reason);
            if (options.dlrDelayMillis > 0) callbacks.schedule(last, options.dlrDelayMillis, TimeUnit.MILLISECONDS);
            else last.run();
        });
    }

    private void dlr(SmsLog.Message m, String status, String failureReason) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("id", m.id());
        f.put("status", status);
        f.put("phoneNumber", m.to());
        f.put("networkCode", options.networkCode);
        if (failureReason != null) f.put("failureReason", failureReason);
        f.put("retryCount", "0");
        int code = postForm(options.dlrUrl, f);
        log.dlr(new SmsLog.Dlr(m.id(), m.to(), status, options.dlrUrl, code, Instant.now()));
    }

    /** POSTs an incoming message to the configured MO URL; returns the HTTP status (-1 on connection failure). */
    public int sendMo(String from, String to, String text) {
        if (options.moUrl == null) throw new IllegalStateException("no moUrl configured");
        String id = UUID.randomUUID().toString();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("date", DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC).format(Instant.now()));
        f.put("from", from);
        f.put("id", id);
        f.put("linkId", UUID.randomUUID().toString());
        f.put("text", text);
        f.put("to", to);
        f.put("networkCode", options.networkCode);
        int code = postForm(options.moUrl, f);
        log.mo(new SmsLog.Mo(id, from, to, text, options.moUrl, code, Instant.now()));
        return code;
    }

    private int postForm(String url, Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> {
            if (b.length() > 0) b.append('&');
            b.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(b.toString())).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String first(Map<String, List<String>> m, String k) {
        List<String> v = m.get(k);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static String jsonEscape(String s) { return s.replace("\\", "\\\\").replace("\"", "\\\""); }
    private static String xmlEscape(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"); }

    @Override
    public void close() {
        callbacks.shutdownNow();
        super.close();
    }
}
