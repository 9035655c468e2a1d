package org.mhero.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;

/** An item of {@code groups.json}: a group with a {@code query} is a smart group whose membership cannot be written. */
public record RapidProGroup(String uuid, String name, String query, int count) {
    public boolean smart() { return query != null && !query.isBlank(); }

    public static RapidProGroup parse(JsonNode n) {
        return new RapidProGroup(n.path("uuid").asText(null), n.path("name").asText(null),
                n.hasNonNull("query") ? n.get("query").asText() : null, n.path("count").asInt(0));
    }
}
