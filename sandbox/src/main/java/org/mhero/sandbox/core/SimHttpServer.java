package org.mhero.sandbox.core;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small loopback HTTP server for the contract simulators (RapidPro, DHIS2, Kannel, Africa's Talking): the JDK's
 * HttpServer, a pool of handler threads, {@link Faults} applied to every request, and every call recorded.
 * Subclasses implement {@link #handle(Request)}.
 */
public abstract class SimHttpServer implements AutoCloseable {
    static {
        // small responses otherwise wait for the delayed-ACK/Nagle interplay: ~40 ms per call instead of < 1 ms.
        // Read once, when the JDK's server configuration class loads, so set it before the first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** What a handler sees. */
    public record Request(String method, String path, String rawQuery, Map<String, List<String>> query,
                          Map<String, List<String>> headers, byte[] body, HttpExchange exchange) {
        public String bodyText() { return new String(body, StandardCharsets.UTF_8); }
        public String param(String name) {
            List<String> v = query.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) return e.getValue().get(0);
            }
            return null;
        }
    }

    /** What a handler answers. */
    public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        public static Response of(int status, String contentType, String body) {
            return new Response(status, contentType, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), Map.of());
        }
        public static Response json(int status, String json) { return of(status, "application/json", json); }
        public Response withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Response(status, contentType, body, h);
        }
    }

    protected final Faults faults = new Faults();
    protected final CallLog calls = new CallLog();
    private final HttpServer server;
    private final ExecutorService pool;

    protected SimHttpServer(int port, int threads) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, getClass().getSimpleName() + "-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::dispatch);
    }

    /** Starts listening; returns this for chaining. */
    public SimHttpServer start() {
        server.start();
        return this;
    }

    public int port() { return server.getAddress().getPort(); }
    public String baseUrl() { return "http://127.0.0.1:" + port(); }
    public Faults faults() { return faults; }
    public CallLog calls() { return calls; }

    protected abstract Response handle(Request request) throws Exception;

    /** The answer to a forced 429 (each simulator has its own error shape). */
    protected Response throttled(long retryAfterSeconds) {
        return Response.of(429, "text/plain", "Too Many Requests").withHeader("Retry-After", Long.toString(retryAfterSeconds));
    }

    /** The answer to an injected 5xx. */
    protected Response serverError() { return Response.of(500, "text/plain", "Server Error"); }

    private void dispatch(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        URI uri = ex.getRequestURI();
        Request req = new Request(ex.getRequestMethod(), uri.getPath(), uri.getRawQuery(), Query.parse(uri.getRawQuery()),
                ex.getRequestHeaders(), body, ex);
        Response res;
        switch (faults.next()) {
            case TIMEOUT -> {
                Faults.sleep(faults.timeoutMillis());
                res = Response.of(504, "text/plain", "Gateway Timeout");
            }
            case DOWN -> res = Response.of(503, "text/plain", "Service Unavailable");
            case ERROR_5XX -> res = serverError();
            case THROTTLE_429 -> res = throttled(1);
            case LOST_RESPONSE -> {
                try {
                    res = handle(req);
                } catch (Exception e) {
                    res = Response.of(500, "text/plain", "Server Error: " + e);
                }
                Faults.sleep(faults.timeoutMillis());
            }
            default -> {
                try {
                    res = handle(req);
                } catch (Exception e) {
                    res = Response.of(500, "text/plain", "Server Error: " + e);
                }
            }
        }
        calls.add(new RecordedCall(Instant.now(), req.method(), req.path(), req.rawQuery(), Map.copyOf(req.headers()),
                req.bodyText(), res.status()));
        for (Map.Entry<String, String> h : res.headers().entrySet()) ex.getResponseHeaders().add(h.getKey(), h.getValue());
        if (res.contentType() != null) ex.getResponseHeaders().set("Content-Type", res.contentType());
        if (res.body().length == 0) {
            ex.sendResponseHeaders(res.status(), -1);
        } else {
            ex.sendResponseHeaders(res.status(), res.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(res.body());
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
