package org.mhero.inbound.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * The iHRIS side of STOP and START (ihris-fhir.md §5), as a state machine the route drives. STOP: for each of the
 * worker's Practitioners, {@code GET $meta} tells whether iHRIS already has the opt-out tag (then it is iHRIS's and
 * START leaves it); if not, mHero records that the tag is its own and adds it with {@code $meta-add}. START: mHero's
 * tags are removed with {@code $meta-delete}. Both are idempotent (the operations are, and the rows say what was
 * done); 5xx and 429 throw {@link RecordPlan.IhrisUnavailableException} so that the message is routed again later.
 */
public final class TagPlan {
    public static final String SYSTEM = "http://mhero.org/codesystem";
    public static final String CODE = "optedout";

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Item(String practitionerId, boolean rowExists, boolean ours) {}

    private final String baseUrl;
    private final RecordStore store;
    private final long workerId;
    private final long inboundId;
    private final boolean optOut;
    private final List<Item> items = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int current;
    private String step = "done";
    private final List<String> removed = new ArrayList<>();
    private boolean keptTheirs;

    private TagPlan(String baseUrl, RecordStore store, long workerId, long inboundId, boolean optOut) {
        this.baseUrl = baseUrl;
        this.store = store;
        this.workerId = workerId;
        this.inboundId = inboundId;
        this.optOut = optOut;
    }

    /** Nothing to do in iHRIS (not configured, or the worker is not from iHRIS). */
    public static TagPlan none() { return new TagPlan(null, null, 0, 0, true); }

    /** STOP: tag every Practitioner of the worker that mHero has not tagged yet. */
    public static TagPlan optOut(String baseUrl, RecordStore store, long workerId, long inboundId, List<String> practitioners,
                                 List<RecordStore.Tag> rows) {
        TagPlan p = new TagPlan(baseUrl, store, workerId, inboundId, true);
        for (String pid : practitioners) {
            RecordStore.Tag row = rows.stream().filter(r -> r.practitionerId().equals(pid)).findFirst().orElse(null);
            if (row != null && !row.ours()) continue;                      // iHRIS's own tag: nothing to do
            p.items.add(new Item(pid, row != null, row != null && row.ours()));
        }
        p.start();
        return p;
    }

    /** START: remove the tags mHero set; forget the ones iHRIS set (they stay in iHRIS). */
    public static TagPlan optIn(String baseUrl, RecordStore store, long workerId, long inboundId, List<RecordStore.Tag> rows) {
        TagPlan p = new TagPlan(baseUrl, store, workerId, inboundId, false);
        for (RecordStore.Tag r : rows) p.items.add(new Item(r.practitionerId(), true, r.ours()));
        p.start();
        return p;
    }

    private void start() throws IllegalStateException {
        current = -1;
        try {
            next();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code check} (GET $meta), {@code add} (POST $meta-add), {@code delete} (POST $meta-delete) or {@code done}. */
    public String getStep() { return step; }

    public String getMethod() { return step.equals("check") ? "GET" : "POST"; }

    public String getUrl() {
        String op = switch (step) {
            case "check" -> "$meta";
            case "add" -> "$meta-add";
            default -> "$meta-delete";
        };
        return baseUrl + "/Practitioner/" + items.get(current).practitionerId() + "/" + op;
    }

    /** The Parameters body of $meta-add / $meta-delete (null for the check). */
    public String getBody() {
        if (step.equals("check")) return null;
        return "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"meta\",\"valueMeta\":{\"tag\":[{\"system\":\"" + SYSTEM
                + "\",\"code\":\"" + CODE + "\",\"display\":\"Opted Out\"}]}}]}";
    }

    /** The answer to the current call. */
    public void answered(Integer status, String body) throws RecordPlan.IhrisUnavailableException, java.sql.SQLException, java.io.IOException {
        int s = status == null ? 0 : status;
        Item it = items.get(current);
        String ref = "Practitioner/" + it.practitionerId();
        if (s == 0 || s == 429 || s >= 500) {
            throw new RecordPlan.IhrisUnavailableException("iHRIS answered " + s + " to " + step + " of the opt-out tag on " + ref);
        }
        boolean gone = s == 404 || s == 410;
        switch (step) {
            case "check" -> {
                if (gone) {
                    notes.add(ref + " is not in iHRIS");
                } else if (s != 200) {
                    notes.add("iHRIS refused reading " + ref + "'s tags (" + s + ")");
                } else if (hasTag(JSON.readTree(body))) {
                    store.tagged(workerId, it.practitionerId(), false, inboundId);
                    notes.add(ref + " already carries iHRIS's opt-out tag");
                } else {
                    store.tagged(workerId, it.practitionerId(), true, inboundId);
                    step = "add";
                    return;
                }
            }
            case "add" -> {
                if (s == 200) notes.add("opt-out tag added to " + ref);
                else if (gone) {
                    store.untagged(workerId, it.practitionerId());
                    notes.add(ref + " is not in iHRIS");
                } else notes.add("iHRIS refused the opt-out tag on " + ref + " (" + s + ")");
            }
            default -> {
                if (s == 200 || gone) {
                    store.untagged(workerId, it.practitionerId());
                    removed.add(it.practitionerId());
                    notes.add(gone ? ref + " is not in iHRIS" : "opt-out tag removed from " + ref);
                } else {
                    notes.add("iHRIS refused removing the opt-out tag from " + ref + " (" + s + ")");
                }
            }
        }
        next();
    }

    private void next() throws java.sql.SQLException {
        while (++current < items.size()) {
            Item it = items.get(current);
            if (optOut) {
                step = it.rowExists() ? "add" : "check";
                return;
            }
            if (it.ours()) {
                step = "delete";
                return;
            }
            store.untagged(workerId, it.practitionerId());
            keptTheirs = true;
            notes.add("Practitioner/" + it.practitionerId() + " keeps the opt-out tag set in iHRIS");
        }
        step = "done";
        if (!optOut && !removed.isEmpty() && !keptTheirs) store.forgetIhrisOptOut(workerId, removed);
    }

    static boolean hasTag(JsonNode parameters) {
        for (JsonNode p : parameters.path("parameter")) {
            for (JsonNode t : p.path("valueMeta").path("tag")) {
                if (SYSTEM.equalsIgnoreCase(t.path("system").asText()) && CODE.equals(t.path("code").asText())) return true;
            }
        }
        // a server answering with the Meta itself
        for (JsonNode t : parameters.path("tag")) {
            if (SYSTEM.equalsIgnoreCase(t.path("system").asText()) && CODE.equals(t.path("code").asText())) return true;
        }
        return false;
    }

    /** What was done in iHRIS, for the message's outcome; empty when nothing. */
    public String note() { return String.join("; ", notes); }
}
