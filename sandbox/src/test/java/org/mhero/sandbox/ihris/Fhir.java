package org.mhero.sandbox.ihris;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A tiny FHIR client for the tests: java.net.http plus HAPI's parser. */
final class Fhir {
    static final FhirContext CTX = FhirContext.forR4Cached();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final String base;

    Fhir(String base) { this.base = base; }

    IParser parser() { return CTX.newJsonParser(); }

    HttpResponse<String> send(String method, String pathOrUrl, String contentType, String body, String... headers) {
        String url = pathOrUrl.startsWith("http") ? pathOrUrl : base + "/" + pathOrUrl;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/fhir+json");
        for (int k = 0; k + 1 < headers.length; k += 2) b.header(headers[k], headers[k + 1]);
        if (body == null) b.method(method, HttpRequest.BodyPublishers.noBody());
        else b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RuntimeException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }

    HttpResponse<String> get(String path, String... headers) { return send("GET", path, null, null, headers); }

    <T extends Resource> T read(Class<T> type, String path) {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) throw new AssertionError("GET " + path + " → " + r.statusCode() + ": " + r.body());
        return parser().parseResource(type, r.body());
    }

    Bundle bundle(String path) { return read(Bundle.class, path); }

    /** Follows next links; returns every page. */
    List<Bundle> walk(String path) {
        List<Bundle> pages = new ArrayList<>();
        Bundle b = bundle(path);
        pages.add(b);
        while (b.getLink(Bundle.LINK_NEXT) != null) {
            b = bundle(b.getLink(Bundle.LINK_NEXT).getUrl());
            pages.add(b);
        }
        return pages;
    }

    static List<Resource> matches(Bundle b) {
        List<Resource> out = new ArrayList<>();
        for (Bundle.BundleEntryComponent e : b.getEntry()) {
            if (e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH) out.add(e.getResource());
        }
        return out;
    }

    static List<Resource> includes(Bundle b) {
        List<Resource> out = new ArrayList<>();
        for (Bundle.BundleEntryComponent e : b.getEntry()) {
            if (e.getSearch().getMode() == Bundle.SearchEntryMode.INCLUDE) out.add(e.getResource());
        }
        return out;
    }
}
