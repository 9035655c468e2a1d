package org.mhero.sandbox.sms;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A loopback JDK HttpServer that records every request (the integration's side of DLR/MO callbacks). */
final class Receiver implements AutoCloseable {
    record Got(String method, String uri, Headers headers, String body) {}

    private final HttpServer server;
    final LinkedBlockingQueue<Got> got = new LinkedBlockingQueue<>();

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            got.add(new Got(ex.getRequestMethod(), ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()),
                    ex.getRequestHeaders(), body));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
    }

    String url() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    Got next() throws InterruptedException {
        Got g = got.poll(10, TimeUnit.SECONDS);
        if (g == null) throw new AssertionError("no callback within 10 s");
        return g;
    }

    List<Got> take(int n) throws InterruptedException {
        List<Got> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(next());
        return l;
    }

    @Override
    public void close() { server.stop(0); }
}
