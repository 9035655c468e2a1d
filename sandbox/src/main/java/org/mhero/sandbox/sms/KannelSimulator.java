package org.mhero.sandbox.sms;

import org.mhero.sandbox.core.Query;
import org.mhero.sandbox.core.SimHttpServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-JVM stand-in for Kannel's smsbox + bearerbox + one SMSC (contracts/sms-aggregators.md §1–4): the exact
 * sendsms replies, queued delivery paced at the SMSC throughput, DLR callbacks by GET with %-escapes per dlr-mask
 * (8 then 1, as observed), failure DLRs (16 or 8 + 2) for configured numbers, and MO injection to a get-url or
 * post-url. Every accepted message is recorded per recipient in {@link #log()}.
 */
public final class KannelSimulator extends SimHttpServer {
    static final String ACCEPTED = "0: Accepted for delivery";
    static final String QUEUED = "3: Queued for later delivery";
    static final String MISSING_TO = "Missing receiver number, rejected";
    static final String AUTH_FAILED = "Authorization failed for sendsms";
    static final String TEMPORAL = "Temporal failure, try again later.";
    static final String GARBAGE_TO = "Garbage 'to' field, rejected.";
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private record Job(SmsLog.Message message, int dlrMask, String dlrUrl, String smsc) {}

    private final KannelOptions options;
    private final SmsLog log = new SmsLog();
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final ExecutorService callbacks = Executors.newFixedThreadPool(4, r -> daemon(r, "kannel-dlr"));
    private final Thread deliverer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile boolean smscUp = true;
    private volatile boolean bearerboxUp = true;
    private volatile boolean closed;
    private final Object linkLock = new Object();

    private KannelSimulator(KannelOptions options) throws IOException {
        super(options.port, options.threads);
        this.options = options;
        this.deliverer = daemon(this::deliverLoop, "kannel-smsc");
    }

    public static KannelSimulator start(KannelOptions options) {
        try {
            KannelSimulator k = new KannelSimulator(options);
            k.start();
            k.deliverer.start();
            return k;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Kannel simulator", e);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public SmsLog log() { return log; }
    public KannelOptions options() { return options; }
    /** The sendsms URL ({@code http://127.0.0.1:<port>/cgi-bin/sendsms}). */
    public String sendsmsUrl() { return baseUrl() + "/cgi-bin/sendsms"; }
    /** Messages accepted but not yet handed to the SMSC. */
    public int queued() { return queue.size(); }
    /** Messages accepted but not yet delivered to the SMSC (including one held by the SMSC thread). */
    public int pending() { return log.messages().size() - log.delivered().size(); }

    /** SMSC link state: while down, sendsms answers {@code 3: Queued for later delivery} and nothing is delivered. */
    public void smscUp(boolean up) {
        synchronized (linkLock) {
            smscUp = up;
            linkLock.notifyAll();
        }
    }

    /** While bearerbox is "down", smsbox answers 503 {@code Temporal failure, try again later.} */
    public void bearerboxUp(boolean up) { bearerboxUp = up; }

    public void failure(String number, int dlrType) { options.failure(number, dlrType); }

    // ------------------------------------------------------------------ sendsms

    private static Response text(int status, String body) {
        return Response.of(status, "text/html", body).withHeader("Server", "Kannel/1.4.5");
    }

    @Override
    protected Response throttled(long retryAfterSeconds) { return text(503, TEMPORAL); }

    @Override
    protected Response serverError() { return text(503, TEMPORAL); }

    @Override
    protected Response handle(Request req) {
        if (req.path().equals("/sandbox/sent")) {
            // not Kannel's interface: the simulator's own record, for tests that cannot reach this object (a test running
            // inside Karaf). One line per accepted message with exactly this text: the number it went to.
            StringBuilder b = new StringBuilder();
            String wanted = req.param("text");
            for (SmsLog.Message m : log.messages()) if (wanted != null && wanted.equals(m.text())) b.append(m.to()).append('\n');
            return Response.of(200, "text/plain; charset=utf-8", b.toString());
        }
        if (!req.path().equals("/cgi-bin/sendsms")) return text(404, "Unknown request.");
        Map<String, String> p = new LinkedHashMap<>();
        req.query().forEach((k, v) -> { if (!v.isEmpty()) p.put(k, v.get(0)); });
        if (req.method().equals("POST")) {
            String ct = req.header("Content-Type");
            String mt = ct == null ? "" : ct.split(";")[0].trim().toLowerCase();
            if (mt.equals("application/x-www-form-urlencoded")) {
                Query.parse(req.bodyText()).forEach((k, v) -> { if (!v.isEmpty()) p.putIfAbsent(k, v.get(0)); });
            } else {
                header(req, p, "username", "X-Kannel-Username");
                header(req, p, "password", "X-Kannel-Password");
                header(req, p, "from", "X-Kannel-From");
                header(req, p, "to", "X-Kannel-To");
                header(req, p, "dlr-mask", "X-Kannel-DLR-Mask");
                header(req, p, "dlr-url", "X-Kannel-DLR-Url");
                header(req, p, "smsc", "X-Kannel-SMSC");
                header(req, p, "coding", "X-Kannel-Coding");
                p.put("text", req.bodyText());
            }
        } else if (!req.method().equals("GET")) {
            return text(405, "Unsupported method.");
        }
        if (!options.username.equals(p.get("username")) || !options.password.equals(p.get("password"))) {
            return text(403, AUTH_FAILED);
        }
        String to = p.get("to");
        if (to == null) return text(400, MISSING_TO);
        for (char c : to.toCharArray()) if (options.sendsmsChars.indexOf(c) < 0) return text(400, GARBAGE_TO);
        List<String> receivers = new ArrayList<>();
        for (String r : to.trim().split(" +")) if (!r.isEmpty()) receivers.add(r);
        if (receivers.isEmpty()) return text(400, MISSING_TO);
        if (options.maxRecipients > 0 && receivers.size() > options.maxRecipients) return text(400, "Too many receivers, rejected");
        if (!bearerboxUp) return text(503, TEMPORAL);
        int mask = 0;
        if (p.get("dlr-mask") != null) {
            try {
                mask = Integer.parseInt(p.get("dlr-mask").trim());
            } catch (NumberFormatException e) {
                return text(400, "Invalid dlr-mask, rejected");
            }
        }
        String from = p.getOrDefault("from", "");
        String body = p.getOrDefault("text", "");
        String smsc = p.getOrDefault("smsc", options.smscId);
        for (String r : receivers) {
            SmsLog.Message m = new SmsLog.Message(UUID.randomUUID().toString(), from, r, body, Instant.now(), p.get("dlr-url"));
            log.accepted(m);
            queue.add(new Job(m, mask, p.get("dlr-url"), smsc));
        }
        return smscUp ? text(202, ACCEPTED) : text(202, QUEUED);
    }

    private static void header(Request req, Map<String, String> p, String param, String header) {
        String v = req.header(header);
        if (v != null) p.putIfAbsent(param, v);
    }

    // ------------------------------------------------------------------ SMSC + DLRs

    private void deliverLoop() {
        long next = System.nanoTime();
        while (!closed) {
            try {
                synchronized (linkLock) {
                    while (!smscUp && !closed) linkLock.wait(100);
                }
                Job job = queue.poll(100, TimeUnit.MILLISECONDS);
                if (job == null) continue;
                synchronized (linkLock) {
                    while (!smscUp && !closed) linkLock.wait(100); // the link went down while we waited: hold the job
                }
                if (options.throughput > 0) {
                    long gap = (long) (1_000_000_000L / options.throughput);
                    long now = System.nanoTime();
                    if (next > now) TimeUnit.NANOSECONDS.sleep(next - now);
                    next = Math.max(next, now) + gap;
                }
                log.delivered(job.message());
                if (job.dlrUrl() != null && job.dlrMask() != 0) callbacks.submit(() -> dlrs(job));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void dlrs(Job job) {
        Integer failure = options.failures.get(job.message().to());
        String foreignId = UUID.randomUUID().toString();
        if (failure != null && failure == 16) {
            if ((job.dlrMask() & 16) != 0) dlr(job, 16, "NACK/0x0000000b/Invalid Destination Address", "");
            return;
        }
        if ((job.dlrMask() & 8) != 0) dlr(job, 8, "ACK/", "");
        if (options.dlrDelayMillis > 0) {
            try {
                Thread.sleep(options.dlrDelayMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
        if (failure != null && failure == 2) {
            if ((job.dlrMask() & 2) != 0) dlr(job, 2, "", foreignId);
        } else if ((job.dlrMask() & 1) != 0) {
            dlr(job, 1, "", foreignId);
        }
    }

    private void dlr(Job job, int type, String answer, String foreignId) {
        SmsLog.Message m = job.message();
        Map<Character, String> esc = new LinkedHashMap<>();
        esc.put('d', Integer.toString(type));
        esc.put('A', answer);
        esc.put('F', foreignId);
        esc.put('p', m.to());
        esc.put('P', m.from());
        esc.put('T', Long.toString(Instant.now().getEpochSecond()));
        esc.put('t', LocalDateTime.now().format(TIME));
        esc.put('I', m.id());
        esc.put('i', job.smsc());
        esc.put('a', m.text());
        esc.put('b', m.text());
        esc.put('n', options.username);
        String url = expand(job.dlrUrl(), esc);
        int status;
        try {
            status = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("User-Agent", "Kannel/1.4.5").GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            status = -1;
        }
        log.dlr(new SmsLog.Dlr(m.id(), m.to(), Integer.toString(type), url, status, Instant.now()));
    }

    // ------------------------------------------------------------------ MO

    /**
     * Injects one MO as if the SMSC had delivered it, calling the configured get-url or post-url synchronously.
     * Returns the HTTP status of the integration's answer (-1 if the call failed).
     */
    public int sendMo(String from, String to, String text) {
        String id = UUID.randomUUID().toString();
        String time = LocalDateTime.now().format(TIME);
        String[] words = text.trim().split("\\s+");
        Map<Character, String> esc = new LinkedHashMap<>();
        esc.put('p', from);
        esc.put('P', to);
        esc.put('a', String.join(" ", words));
        esc.put('k', words.length > 0 ? words[0] : "");
        esc.put('r', words.length > 1 ? String.join(" ", List.of(words).subList(1, words.length)) : "");
        esc.put('b', text);
        esc.put('t', time);
        esc.put('T', Long.toString(Instant.now().getEpochSecond()));
        esc.put('i', options.smscId);
        esc.put('I', id);
        esc.put('c', "0");
        esc.put('C', "");
        esc.put('D', "");
        esc.put('n', options.moService);
        String url;
        HttpRequest.Builder b;
        if (options.moGetUrl != null) {
            url = expand(options.moGetUrl, esc);
            b = HttpRequest.newBuilder(URI.create(url)).GET();
        } else if (options.moPostUrl != null) {
            url = expand(options.moPostUrl, esc);
            b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8))
                    .header("Content-Type", "text/plain; charset=\"UTF-8\"");
            if (options.sendSender) b.header("X-Kannel-From", from);
            b.header("X-Kannel-To", to).header("X-Kannel-Time", time).header("X-Kannel-SMSC", options.smscId)
                    .header("X-Kannel-Coding", "0").header("X-Kannel-Service", options.moService);
        } else {
            throw new IllegalStateException("no MO get-url or post-url configured");
        }
        b.header("User-Agent", "Kannel/1.4.5").timeout(Duration.ofSeconds(30));
        int status;
        try {
            status = http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            status = -1;
        }
        log.mo(new SmsLog.Mo(id, from, to, text, url, status, Instant.now()));
        return status;
    }

    /** Expands Kannel %-escapes; values are URL-encoded the way Kannel does (space → '+', ':' kept, '/' → %2F). */
    static String expand(String template, Map<Character, String> values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '%' && i + 1 < template.length()) {
                char k = template.charAt(i + 1);
                if (k == '%') {
                    b.append('%');
                    i++;
                    continue;
                }
                if (values.containsKey(k)) {
                    b.append(urlEncode(values.get(k)));
                    i++;
                    continue;
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    static String urlEncode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int v = x & 0xff;
            if ((v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z') || (v >= '0' && v <= '9') || "-_.!~*'():".indexOf(v) >= 0) {
                b.append((char) v);
            } else if (v == ' ') {
                b.append('+');
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(v >> 4, 16))).append(Character.toUpperCase(Character.forDigit(v & 15, 16)));
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        closed = true;
        deliverer.interrupt();
        callbacks.shutdownNow();
        super.close();
    }
}
