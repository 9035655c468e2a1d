package org.mhero.api;

import java.util.Map;

/** What the API answers: an HTTP status, a JSON body and extra response headers (Location, WWW-Authenticate, Allow). */
public record ApiResponse(int status, String json, Map<String, String> headers) {
    public ApiResponse {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public static ApiResponse ok(String json) { return new ApiResponse(200, json, Map.of()); }
}
