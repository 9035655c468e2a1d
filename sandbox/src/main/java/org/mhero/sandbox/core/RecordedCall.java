package org.mhero.sandbox.core;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One request a simulator received and what it answered: tests assert on these. */
public record RecordedCall(Instant at, String method, String path, String query, Map<String, List<String>> headers,
                           String body, int status) {
    public String header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) return e.getValue().get(0);
        }
        return null;
    }
}
