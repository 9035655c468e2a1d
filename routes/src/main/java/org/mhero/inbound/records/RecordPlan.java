package org.mhero.inbound.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The write-back of one validation answer, as a small state machine the route drives: for each FHIR resource to change
 * (the worker's Practitioner, their current PractitionerRole, their facility's Location) it asks for a fresh read
 * ({@link #getStep()} = {@code read}, {@link #getUrl()}), computes the smallest JSON Patch against what was read, and
 * asks for it to be sent with {@code If-Match} on the version read ({@code patch}). A version conflict (409, HAPI-0989,
 * or 412) goes back to the read, at most {@code record.conflict.retries} times; 404, 410 and other 4xx end that
 * resource with an operator-facing reason; 5xx and 429 throw {@link IhrisUnavailableException} (the message is routed
 * again later). Every field's outcome becomes an {@link Audit} row.
 */
public final class RecordPlan {
    /** One audit row (table record_update). */
    public record Audit(Field field, String resourceType, String resourceId, String practitionerId, String oldValue, String newValue,
                        String status, String error, String versionBefore, String versionAfter, int attempts) {}

    /** A technical failure of iHRIS (5xx, 429): retried later with backoff. */
    public static final class IhrisUnavailableException extends Exception {
        public IhrisUnavailableException(String message) { super(message); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final class Target {
        final Field.Target kind;
        final String practitionerId;
        String id;
        final List<FieldChange> changes;
        int attempts;
        String version;
        ResourcePatch.Result patch;

        Target(Field.Target kind, String practitionerId, String id, List<FieldChange> changes) {
            this.kind = kind;
            this.practitionerId = practitionerId;
            this.id = id;
            this.changes = changes;
        }

        String ref() { return kind.resourceType() + "/" + (id == null ? "?" : id); }
    }

    private final String baseUrl;
    private final ResourcePatch patcher;
    private final int maxRetries;
    private final List<Target> targets = new ArrayList<>();
    private final List<Audit> pending = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> updated = new ArrayList<>();
    private final List<String> unchanged = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final String outcome;
    private int current;
    private String step;

    private RecordPlan(String baseUrl, ResourcePatch patcher, int maxRetries, String outcome) {
        this.baseUrl = baseUrl;
        this.patcher = patcher;
        this.maxRetries = maxRetries;
        this.outcome = outcome;
    }

    /** Nothing to write: with {@code reason} the message goes to the inbox, without it the answer needed no change. */
    public static RecordPlan nothing(String reason) {
        RecordPlan p = new RecordPlan(null, null, 0, reason);
        p.step = "done";
        return p;
    }

    /** Bad answers: nothing is written; each becomes a rejected audit row and the sender is told. */
    public static RecordPlan rejected(List<RecordMapping.Problem> problems, String practitionerId) {
        RecordPlan p = new RecordPlan(null, null, 0, null);
        for (RecordMapping.Problem pr : problems) {
            p.problems.add(pr.message());
            p.pending.add(new Audit(pr.field(), pr.field().target().resourceType(), null, practitionerId, null, null, "rejected",
                    pr.message(), null, null, 0));
        }
        p.step = "done";
        return p;
    }

    /**
     * The writes for {@code changes}: the Practitioner fields on each of the worker's Practitioners, the role fields on
     * each one's current PractitionerRole, the facility status on {@code facilityId} (the new facility if the answer
     * also moves the worker).
     */
    public static RecordPlan of(String baseUrl, ResourcePatch patcher, int maxRetries, List<String> practitionerIds, String facilityId,
                                List<FieldChange> changes) {
        RecordPlan p = new RecordPlan(baseUrl, patcher, maxRetries, null);
        List<FieldChange> onPractitioner = changes.stream().filter(c -> c.field().target() == Field.Target.PRACTITIONER).toList();
        List<FieldChange> onRole = changes.stream().filter(c -> c.field().target() == Field.Target.ROLE).toList();
        List<FieldChange> onFacility = changes.stream().filter(c -> c.field().target() == Field.Target.FACILITY).toList();
        for (String pid : practitionerIds) {
            if (!onPractitioner.isEmpty()) p.targets.add(p.new Target(Field.Target.PRACTITIONER, pid, pid, onPractitioner));
            if (!onRole.isEmpty()) p.targets.add(p.new Target(Field.Target.ROLE, pid, null, onRole));
        }
        if (!onFacility.isEmpty()) {
            String newFacility = changes.stream().filter(c -> c.field() == Field.FACILITY).map(FieldChange::value).findFirst().orElse(facilityId);
            String pid = practitionerIds.isEmpty() ? null : practitionerIds.get(0);
            if (newFacility == null) {
                for (FieldChange c : onFacility) p.fail(c.field(), "Location", null, pid, "the worker has no facility on record to set the status of", null, 0);
            } else {
                p.targets.add(p.new Target(Field.Target.FACILITY, pid, newFacility, onFacility));
            }
        }
        p.step = p.targets.isEmpty() ? "done" : "read";
        return p;
    }

    /** {@code read}, {@code patch} or {@code done}. */
    public String getStep() { return step; }

    /** The URL of the current read (a search for the current role) or patch. */
    public String getUrl() {
        Target t = targets.get(current);
        if (step.equals("read") && t.kind == Field.Target.ROLE) {
            return baseUrl + "/PractitionerRole?practitioner=Practitioner/" + t.practitionerId + "&_count=100";
        }
        return baseUrl + "/" + t.kind.resourceType() + "/" + t.id;
    }

    /** {@code W/"<version>"} of the resource as read. */
    public String getIfMatch() { return "W/\"" + targets.get(current).version + "\""; }

    public String getPatchBody() { return targets.get(current).patch.ops().toString(); }

    /** The answer to the read. */
    public void onRead(Integer status, String body, String etag) throws IhrisUnavailableException, java.io.IOException {
        Target t = targets.get(current);
        int s = status == null ? 0 : status;
        if (technical(s)) throw new IhrisUnavailableException("iHRIS answered " + s + " to reading " + t.ref() + diagnostics(body));
        if (s != 200) {
            failTarget(t, (s == 404 || s == 410 ? t.ref() + " is not in iHRIS (" + s + ")" : "iHRIS refused reading " + t.ref() + " (" + s + ")" + diagnostics(body)));
            return;
        }
        JsonNode resource = JSON.readTree(body);
        if (t.kind == Field.Target.ROLE) {
            resource = currentRole(resource);
            if (resource == null) {
                failTarget(t, "Practitioner/" + t.practitionerId + " has no current PractitionerRole in iHRIS to set the " + fieldNames(t) + " on");
                return;
            }
            t.id = resource.path("id").asText();
            t.version = resource.path("meta").path("versionId").asText(null);
        } else {
            t.version = versionOf(etag, resource);
        }
        t.patch = patcher.diff(resource, t.changes);
        if (t.patch.empty()) {
            for (ResourcePatch.Diff d : t.patch.diffs()) {
                pending.add(new Audit(d.field(), t.kind.resourceType(), t.id, t.practitionerId, d.oldValue(), d.newValue(), "unchanged", null,
                        t.version, t.version, t.attempts));
                unchanged.add(d.field().key() + " on " + t.ref());
            }
            next();
        } else {
            step = "patch";
        }
    }

    /** The answer to the patch. */
    public void onPatched(Integer status, String body, String etag) throws IhrisUnavailableException, java.io.IOException {
        Target t = targets.get(current);
        t.attempts++;
        int s = status == null ? 0 : status;
        if (technical(s)) throw new IhrisUnavailableException("iHRIS answered " + s + " to patching " + t.ref() + diagnostics(body));
        if (s == 409 || s == 412) {
            if (t.attempts <= maxRetries) {
                step = "read";
                return;
            }
            failTarget(t, t.ref() + " kept changing while mHero wrote to it (" + t.attempts + " version conflicts)");
            return;
        }
        if (s != 200 && s != 201) {
            failTarget(t, (s == 404 || s == 410 ? t.ref() + " is not in iHRIS (" + s + ")" : "iHRIS refused the change to " + t.ref() + " (" + s + ")" + diagnostics(body)));
            return;
        }
        String after = versionOf(etag, body == null || body.isBlank() ? null : JSON.readTree(body));
        for (ResourcePatch.Diff d : t.patch.diffs()) {
            boolean changed = d.changed();
            pending.add(new Audit(d.field(), t.kind.resourceType(), t.id, t.practitionerId, d.oldValue(), d.newValue(),
                    changed ? "updated" : "unchanged", null, t.version, after, t.attempts));
            (changed ? updated : unchanged).add(d.field().key() + " on " + t.ref());
        }
        next();
    }

    private static boolean technical(int s) { return s == 0 || s == 429 || s >= 500; }

    private void failTarget(Target t, String reason) {
        for (FieldChange c : t.changes) fail(c.field(), t.kind.resourceType(), t.id, t.practitionerId, reason, t.version, t.attempts);
        next();
    }

    private void fail(Field f, String type, String id, String pid, String reason, String version, int attempts) {
        pending.add(new Audit(f, type, id, pid, null, null, "failed", reason, version, null, attempts));
        if (!failures.contains(reason)) failures.add(reason);
    }

    private void next() {
        current++;
        step = current < targets.size() ? "read" : "done";
    }

    private static String fieldNames(Target t) {
        return String.join(" and ", t.changes.stream().map(c -> c.field().key()).toList());
    }

    /** The version from {@code ETag: W/"3"}, else from meta.versionId. */
    static String versionOf(String etag, JsonNode resource) {
        if (etag != null && !etag.isBlank()) {
            String v = etag.strip();
            if (v.startsWith("W/")) v = v.substring(2);
            v = v.replace("\"", "").strip();
            if (!v.isEmpty()) return v;
        }
        return resource == null ? null : resource.path("meta").path("versionId").asText(null);
    }

    /**
     * The current role in a search Bundle (ihris-fhir.md §6): active, period not ended before today, latest start
     * first; null if none.
     */
    static JsonNode currentRole(JsonNode bundle) {
        String today = LocalDate.now().toString();
        JsonNode best = null;
        String bestStart = null;
        for (JsonNode e : bundle.path("entry")) {
            JsonNode r = e.path("resource");
            if (!"PractitionerRole".equals(r.path("resourceType").asText())) continue;
            if (r.has("active") && !r.path("active").asBoolean()) continue;
            String end = r.path("period").path("end").asText(null);
            if (end != null && end.substring(0, Math.min(10, end.length())).compareTo(today) < 0) continue;
            String start = r.path("period").path("start").asText("");
            if (best == null || start.compareTo(bestStart) > 0) {
                best = r;
                bestStart = start;
            }
        }
        return best;
    }

    private static String diagnostics(String body) {
        if (body == null || body.isBlank()) return "";
        String d;
        try {
            JsonNode n = JSON.readTree(body);
            d = n.path("issue").path(0).path("diagnostics").asText(null);
        } catch (Exception e) {
            d = null;
        }
        if (d == null) d = body;
        d = d.replaceAll("\\s+", " ").strip();
        return ": " + (d.length() <= 200 ? d : d.substring(0, 199) + "…");
    }

    /** The audit rows produced since the last call. */
    public List<Audit> drainAudit() {
        List<Audit> out = List.copyOf(pending);
        pending.clear();
        return out;
    }

    public List<String> failures() { return List.copyOf(failures); }
    public List<String> problems() { return List.copyOf(problems); }
    /** Why nothing was planned (the message goes to the inbox), or null. */
    public String reason() { return outcome; }

    /** What came of it, for the inbox review (field names and FHIR ids, never values). */
    public String summary() {
        if (outcome != null) return outcome;
        if (!problems.isEmpty()) return "answer rejected, nothing written to iHRIS: " + String.join("; ", problems);
        StringBuilder b = new StringBuilder();
        if (!updated.isEmpty()) b.append("updated in iHRIS: ").append(String.join(", ", updated));
        if (!unchanged.isEmpty()) b.append(b.length() > 0 ? "; " : "").append("already so: ").append(String.join(", ", unchanged));
        if (!failures.isEmpty()) b.append(b.length() > 0 ? "; " : "").append("not written: ").append(String.join("; ", failures));
        return b.length() == 0 ? "nothing to change" : b.toString();
    }
}
