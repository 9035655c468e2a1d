package org.mhero.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An item of {@code contacts.json} (contract rapidpro.md §5). {@code status} comes from the {@code status} attribute,
 * or — on releases that only have them — from the {@code blocked}/{@code stopped} booleans. A tombstone
 * ({@code deleted=true} listing) has no status, no name and no URNs. Field values are null when unset.
 */
public record RapidProContact(String uuid, String name, ContactStatus status, String language, List<String> urns,
                              List<RapidProGroup> groups, Map<String, String> fields, Instant createdOn,
                              Instant modifiedOn, String modifiedOnText, Instant lastSeenOn) {

    public static final String GLOBALID = "globalid";

    public static RapidProContact parse(JsonNode n) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException("contact is not a JSON object");
        List<String> urns = new ArrayList<>();
        for (JsonNode u : n.path("urns")) if (u.isTextual()) urns.add(u.asText());
        List<RapidProGroup> groups = new ArrayList<>();
        for (JsonNode g : n.path("groups")) groups.add(new RapidProGroup(g.path("uuid").asText(null), g.path("name").asText(null), null, 0));
        Map<String, String> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path("fields").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            fields.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
        }
        String modified = text(n, "modified_on");
        return new RapidProContact(text(n, "uuid"), text(n, "name"), status(n), text(n, "language"),
                Collections.unmodifiableList(urns), Collections.unmodifiableList(groups), Collections.unmodifiableMap(fields),
                RapidProTimes.parse(text(n, "created_on")), RapidProTimes.parse(modified), modified,
                RapidProTimes.parse(text(n, "last_seen_on")));
    }

    private static ContactStatus status(JsonNode n) {
        ContactStatus s = ContactStatus.of(text(n, "status"));
        if (s != null) return s;
        // releases before `status`: blocked / stopped booleans (both null on a tombstone)
        boolean hasFlags = n.hasNonNull("blocked") || n.hasNonNull("stopped");
        if (!hasFlags) return null;
        if (n.path("blocked").asBoolean(false)) return ContactStatus.BLOCKED;
        if (n.path("stopped").asBoolean(false)) return ContactStatus.STOPPED;
        return ContactStatus.ACTIVE;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The value of a contact field, null when unset or not in the workspace. */
    public String field(String key) { return fields.get(key); }

    /** {@code fields.globalid}: the bare source id mHero wrote. */
    public String globalId() { return field(GLOBALID); }

    /** The first {@code tel:} URN, or null. */
    public String telUrn() {
        for (String u : urns) if (u.startsWith("tel:")) return u;
        return null;
    }

    /** A tombstone from a {@code deleted=true} listing. */
    public boolean deleted() { return status == null && name == null && urns.isEmpty(); }

    public boolean reachable() { return status == ContactStatus.ACTIVE; }

    @Override
    public String toString() {
        // no name, no URNs: this may end up in a log line
        return "RapidProContact[" + uuid + ", " + status + ", modified " + modifiedOnText + "]";
    }
}
