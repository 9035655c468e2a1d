package org.mhero.sandbox.ihris;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.mhero.sandbox.core.CallLog;
import org.mhero.sandbox.core.Faults;
import org.mhero.sandbox.core.RecordedCall;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies {@link Faults} to every FHIR request before HAPI sees it (latency, 5xx, timeouts, forced 429, down), counts
 * requests and records each call (method, path, query, headers, body, status) in a bounded {@link CallLog}.
 * Injected errors are FHIR OperationOutcomes, like a HAPI server behind a proxy would mostly answer.
 */
final class FaultFilter implements Filter {
    private final Faults faults;
    private final CallLog calls;
    private final AtomicLong requests = new AtomicLong();

    FaultFilter(Faults faults, CallLog calls) {
        this.faults = faults;
        this.calls = calls;
    }

    long requests() { return requests.get(); }

    @Override
    public void doFilter(ServletRequest sreq, ServletResponse sres, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) sreq;
        HttpServletResponse res = (HttpServletResponse) sres;
        requests.incrementAndGet();
        String ct = req.getContentType();
        byte[] body;
        HttpServletRequest forward;
        if (ct != null && ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            // let the container parse the form (HAPI reads POST _search parameters from getParameterMap())
            StringBuilder sb = new StringBuilder();
            for (var e : req.getParameterMap().entrySet()) {
                for (String v : e.getValue()) {
                    if (sb.length() > 0) sb.append('&');
                    sb.append(e.getKey()).append('=').append(v);
                }
            }
            body = sb.toString().getBytes(StandardCharsets.UTF_8);
            forward = req;
        } else {
            body = req.getInputStream().readAllBytes();
            forward = new BufferedRequest(req, body);
        }
        // each call is recorded before its answer leaves, so a client that saw the answer also sees the record
        switch (faults.next()) {
            case TIMEOUT -> {
                Faults.sleep(faults.timeoutMillis());
                record(req, body, 504);
                error(res, 504, "timeout", "Gateway Timeout (injected)");
            }
            case DOWN -> {
                record(req, body, 503);
                error(res, 503, "transient", "Service Unavailable (injected: server down)");
            }
            case ERROR_5XX -> {
                record(req, body, 500);
                error(res, 500, "exception", "HAPI-0000: Internal Server Error (injected)");
            }
            case THROTTLE_429 -> {
                record(req, body, 429);
                res.setHeader("Retry-After", "1");
                error(res, 429, "throttled", "Too Many Requests (injected)");
            }
            default -> {
                // buffer the whole answer and send it in one write: HAPI's streaming JSON writer otherwise turns a
                // 200-resource page into many small socket writes
                BufferedResponse buffered = new BufferedResponse(res);
                try {
                    chain.doFilter(forward, buffered);
                } finally {
                    record(req, body, res.getStatus());
                    buffered.commit();
                }
            }
        }
    }

    private void record(HttpServletRequest req, byte[] body, int status) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(req.getHeaderNames())) headers.put(name, new ArrayList<>(Collections.list(req.getHeaders(name))));
        calls.add(new RecordedCall(Instant.now(), req.getMethod(), req.getRequestURI(), req.getQueryString(), headers,
                new String(body, StandardCharsets.UTF_8), status));
    }

    private static void error(HttpServletResponse res, int status, String code, String message) throws IOException {
        res.setStatus(status);
        res.setContentType("application/fhir+json;charset=utf-8");
        String json = "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"" + code
                + "\",\"diagnostics\":\"" + message + "\"}]}";
        res.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Collects the response body in memory; {@link #commit()} sends it with a Content-Length. */
    private static final class BufferedResponse extends jakarta.servlet.http.HttpServletResponseWrapper {
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(64 * 1024);
        private final HttpServletResponse res;
        private jakarta.servlet.ServletOutputStream out;
        private java.io.PrintWriter writer;

        BufferedResponse(HttpServletResponse res) {
            super(res);
            this.res = res;
        }

        @Override
        public jakarta.servlet.ServletOutputStream getOutputStream() {
            if (writer != null) throw new IllegalStateException("getWriter() already called");
            if (out == null) {
                out = new jakarta.servlet.ServletOutputStream() {
                    @Override public boolean isReady() { return true; }
                    @Override public void setWriteListener(jakarta.servlet.WriteListener l) { throw new UnsupportedOperationException(); }
                    @Override public void write(int b) { buf.write(b); }
                    @Override public void write(byte[] b, int off, int len) { buf.write(b, off, len); }
                };
            }
            return out;
        }

        @Override
        public java.io.PrintWriter getWriter() {
            if (out != null) throw new IllegalStateException("getOutputStream() already called");
            if (writer == null) {
                String enc = res.getCharacterEncoding();
                writer = new java.io.PrintWriter(new java.io.OutputStreamWriter(buf,
                        enc == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(enc)));
            }
            return writer;
        }

        @Override public void flushBuffer() { if (writer != null) writer.flush(); }
        @Override public boolean isCommitted() { return false; }
        @Override public void resetBuffer() { buf.reset(); }
        @Override public void reset() { buf.reset(); res.reset(); }
        @Override public void setBufferSize(int size) { }
        @Override public int getBufferSize() { return Integer.MAX_VALUE; }

        void commit() throws IOException {
            if (writer != null) writer.flush();
            if (res.isCommitted()) return;
            res.setContentLength(buf.size());
            if (buf.size() > 0) buf.writeTo(res.getOutputStream());
        }
    }

    /** Lets the filter read the body for the call log and HAPI read it again. */
    private static final class BufferedRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedRequest(HttpServletRequest req, byte[] body) {
            super(req);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override public boolean isFinished() { return in.available() == 0; }
                @Override public boolean isReady() { return true; }
                @Override public void setReadListener(ReadListener l) { throw new UnsupportedOperationException(); }
                @Override public int read() { return in.read(); }
                @Override public int read(byte[] b, int off, int len) { return in.read(b, off, len); }
            };
        }

        @Override
        public BufferedReader getReader() {
            String enc = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(),
                    enc == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(enc)));
        }
    }
}
