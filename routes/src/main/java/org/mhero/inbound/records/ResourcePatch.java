package org.mhero.inbound.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.phone.PhoneResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The smallest JSON Patch (RFC 6902, ihris-fhir.md §10) that makes a FHIR resource, as just read, say what the changes
 * say, with each field's old and new value. Only the elements a field owns are touched; everything else (other
 * telecoms, names, extensions, an iHRIS user's concurrent edit) stays as read. A field already at its value adds no
 * operation, so applying the same answer twice writes nothing the second time.
 */
public final class ResourcePatch {
    /** One field: its value before and after (equal when unchanged). */
    public record Diff(Field field, String oldValue, String newValue) {
        public boolean changed() { return !Objects.equals(oldValue, newValue); }
    }

    /** The operations (empty = nothing to write) and the diffs. */
    public record Result(ArrayNode ops, List<Diff> diffs) {
        public boolean empty() { return ops.isEmpty(); }
    }

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final PhoneNormalizer phones;
    private final String jobSystem;
    private final String supervisorExtension;

    public ResourcePatch(PhoneNormalizer phones, String jobSystem, String supervisorExtension) {
        this.phones = phones;
        this.jobSystem = jobSystem;
        this.supervisorExtension = supervisorExtension;
    }

    public Result diff(JsonNode resource, List<FieldChange> changes) {
        ArrayNode ops = F.arrayNode();
        List<Diff> diffs = new ArrayList<>();
        for (FieldChange c : changes) {
            Diff d = switch (c.field()) {
                case PHONE -> phone(resource, c, ops);
                case SUPERVISOR -> supervisor(resource, c, ops);
                case JOB -> job(resource, c, ops);
                case FACILITY -> facility(resource, c, ops);
                case FACILITY_STATUS -> status(resource, c, ops);
            };
            diffs.add(d);
        }
        return new Result(ops, List.copyOf(diffs));
    }

    /**
     * The worker's main phone (system = phone, lowest rank, then use = mobile, then first) gets the new E.164 value; it
     * is unchanged when it already reads as that number in any notation (the old value is kept as it is). No phone
     * yet: one is added as mobile.
     */
    private Diff phone(JsonNode r, FieldChange c, ArrayNode ops) {
        JsonNode telecom = r.path("telecom");
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < telecom.size(); i++) {
            if ("phone".equals(telecom.get(i).path("system").asText(null))) idx.add(i);
        }
        idx.sort(Comparator.<Integer>comparingInt(i -> telecom.get(i).path("rank").asInt(Integer.MAX_VALUE))
                .thenComparing(i -> "mobile".equals(telecom.get(i).path("use").asText()) ? 0 : 1));
        if (idx.isEmpty()) {
            ObjectNode tp = F.objectNode().put("system", "phone").put("value", c.value()).put("use", "mobile");
            if (telecom.isArray()) ops.add(op("add", "/telecom/-", tp));
            else ops.add(op("add", "/telecom", F.arrayNode().add(tp)));
            return new Diff(c.field(), null, c.value());
        }
        int main = idx.get(0);
        String old = telecom.get(main).path("value").asText(null);
        if (old != null) {
            // several numbers in one value ("a/b", ihris-fhir.md §3): already so when one of them is the new number
            if (phones.normalize(old).stream().map(PhoneResult::e164).anyMatch(c.value()::equals)) return new Diff(c.field(), old, old);
        }
        ops.add(op(old == null ? "add" : "replace", "/telecom/" + main + "/value", F.textNode(c.value())));
        return new Diff(c.field(), old, c.value());
    }

    /** An extension (URL from {@code record.supervisor.extension}) with valueString; same text in any case = unchanged. */
    private Diff supervisor(JsonNode r, FieldChange c, ArrayNode ops) {
        JsonNode ext = r.path("extension");
        for (int i = 0; i < ext.size(); i++) {
            if (!supervisorExtension.equals(ext.get(i).path("url").asText())) continue;
            String old = ext.get(i).path("valueString").asText(null);
            if (old != null && old.strip().equalsIgnoreCase(c.value())) return new Diff(c.field(), old, old);
            ops.add(op(old == null ? "add" : "replace", "/extension/" + i + "/valueString", F.textNode(c.value())));
            return new Diff(c.field(), old, c.value());
        }
        ObjectNode e = F.objectNode().put("url", supervisorExtension).put("valueString", c.value());
        if (ext.isArray()) ops.add(op("add", "/extension/-", e));
        else ops.add(op("add", "/extension", F.arrayNode().add(e)));
        return new Diff(c.field(), null, c.value());
    }

    /** PractitionerRole.code[0] becomes the job's coding; unchanged when it already carries that code (any |version). */
    private Diff job(JsonNode r, FieldChange c, ArrayNode ops) {
        JsonNode code = r.path("code");
        String old = null;
        if (code.size() > 0) {
            for (JsonNode coding : code.get(0).path("coding")) {
                String system = coding.path("system").asText("");
                int bar = system.indexOf('|');
                if (bar >= 0) system = system.substring(0, bar);
                if (system.equals(jobSystem) || old == null) old = coding.path("code").asText(null);
                if (system.equals(jobSystem) && c.value().equals(coding.path("code").asText())) return new Diff(c.field(), c.value(), c.value());
            }
        }
        ObjectNode coding = F.objectNode().put("system", jobSystem).put("code", c.value());
        if (c.display() != null) coding.put("display", c.display());
        ObjectNode concept = F.objectNode();
        concept.set("coding", F.arrayNode().add(coding));
        if (c.display() != null) concept.put("text", c.display());
        if (code.size() > 0) ops.add(op("replace", "/code/0", concept));
        else if (code.isArray()) ops.add(op("add", "/code/-", concept));
        else ops.add(op("add", "/code", F.arrayNode().add(concept)));
        return new Diff(c.field(), old, c.value());
    }

    /** PractitionerRole.location[0] points at the facility; unchanged when it already does. */
    private Diff facility(JsonNode r, FieldChange c, ArrayNode ops) {
        JsonNode loc = r.path("location");
        String ref = "Location/" + c.value();
        String old = loc.size() > 0 ? loc.get(0).path("reference").asText(null) : null;
        if (old != null && (old.equals(ref) || old.endsWith("/" + ref))) return new Diff(c.field(), c.value(), c.value());
        ObjectNode to = F.objectNode().put("reference", ref);
        if (c.display() != null) to.put("display", c.display());
        if (loc.size() > 0) ops.add(op("replace", "/location/0", to));
        else if (loc.isArray()) ops.add(op("add", "/location/-", to));
        else ops.add(op("add", "/location", F.arrayNode().add(to)));
        String oldId = old == null ? null : old.substring(old.lastIndexOf('/') + 1);
        return new Diff(c.field(), oldId, c.value());
    }

    /** Location.status (active | suspended | inactive). */
    private Diff status(JsonNode r, FieldChange c, ArrayNode ops) {
        String old = r.path("status").asText(null);
        if (c.value().equals(old)) return new Diff(c.field(), old, old);
        ops.add(op(old == null ? "add" : "replace", "/status", F.textNode(c.value())));
        return new Diff(c.field(), old, c.value());
    }

    private static ObjectNode op(String op, String path, JsonNode value) {
        ObjectNode o = F.objectNode().put("op", op).put("path", path);
        o.set("value", value);
        return o;
    }
}
