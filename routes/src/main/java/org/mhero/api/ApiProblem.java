package org.mhero.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the JSON API answers with a 4xx (or 503) and {@code {"error": message, "field": name}}: bad JSON or shape
 * (400), no or wrong credentials (401), a missing role (403), an unknown resource (404), a wrong method (405), a body
 * too large (413), a body that is not JSON (415), the broadcast flow not running (503). Nothing has been written.
 */
public final class ApiProblem extends Exception {
    private final int status;
    private final String field;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiProblem(int status, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    public static ApiProblem bad(String field, String message) { return new ApiProblem(400, field, message); }

    /** An extra response header ({@code Allow} with a 405, {@code WWW-Authenticate} with a 401). */
    public ApiProblem withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() { return status; }
    public String field() { return field; }
    public Map<String, String> headers() { return Map.copyOf(headers); }
}
