package org.mhero.sandbox.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/** A tiny RapidPro API client for the tests. */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    record Resp(int status, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String header(String name) { return raw.headers().firstValue(name).orElse(null); }
        String body() { return raw.body(); }
    }

    private final String base;
    private final String authorization;

    Api(RapidProSimulator sim) { this(sim.baseUrl(), sim.authorization()); }
    Api(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    Api withAuthorization(String authorization) { return new Api(base, authorization); }
    static String basic(String email, String token) { return "Basic " + Base64.getEncoder().encodeToString((email + ":" + token).getBytes()); }

    Resp get(String pathOrUrl) { return send("GET", pathOrUrl, null); }
    Resp post(String path, Object body) { return send("POST", path, body instanceof String s ? s : write(body)); }
    Resp delete(String path) { return send("DELETE", path, null); }

    Resp send(String method, String pathOrUrl, String body) {
        String url = pathOrUrl.startsWith("http") ? pathOrUrl : base + "/api/v2/" + pathOrUrl;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) b.header("Authorization", authorization);
        if (body != null) b.header("Content-Type", "application/json");
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The contract samples directory: {@code -Dmhero.contracts.dir} (the build sets it to the repository's contracts/). */
    static Path samplesDir() {
        return Path.of(System.getProperty("mhero.contracts.dir", "../contracts")).resolve("samples/rapidpro");
    }

    static JsonNode sample(String name) {
        Path dir = samplesDir();
        try {
            return JSON.readTree(dir.resolve(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
