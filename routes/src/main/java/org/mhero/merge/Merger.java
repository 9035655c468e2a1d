package org.mhero.merge;

import org.mhero.ihris.HealthWorkerRecord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The golden record of a health worker from the records of every registry that knows them: each field comes from the
 * highest-priority registry that has a value (configured order, e.g. ihris, dhis2, csv, rapidpro), and says so in the
 * provenance. Two exceptions favour safety: opted out if any registry says so; active only if the registry chosen for
 * it says so.
 */
public final class Merger {
    /** The merged fields, where each came from, and a hash to skip unchanged writes. */
    public record Golden(String displayName, String familyName, String givenNames, String gender, boolean active,
                         boolean optedOut, String facilityRegistry, String facilitySourceId, String jobCode,
                         String jobTitle, String cadre, String nationalId, String employeeNumber, String rapidproUuid,
                         Map<String, String> provenance, String hash) {}

    private final List<String> priority;

    public Merger(List<String> priority) { this.priority = List.copyOf(priority); }

    public Golden merge(List<HealthWorkerRecord> records) {
        List<HealthWorkerRecord> rs = new ArrayList<>(records);
        rs.sort(Comparator.comparingInt((HealthWorkerRecord r) -> rank(r.registry())).thenComparing(HealthWorkerRecord::sourceId));
        Map<String, String> prov = new LinkedHashMap<>();
        String display = pick(rs, HealthWorkerRecord::displayName, "displayName", prov);
        String family = pick(rs, HealthWorkerRecord::familyName, "familyName", prov);
        String given = pick(rs, HealthWorkerRecord::givenNames, "givenNames", prov);
        String gender = pick(rs, HealthWorkerRecord::gender, "gender", prov);
        HealthWorkerRecord facility = first(rs, r -> r.facilitySourceId());
        if (facility != null) prov.put("facility", facility.registry());
        String job = pick(rs, HealthWorkerRecord::jobCode, "jobCode", prov);
        String title = pick(rs, HealthWorkerRecord::jobTitle, "jobTitle", prov);
        String cadre = pick(rs, HealthWorkerRecord::cadre, "cadre", prov);
        String nid = pick(rs, HealthWorkerRecord::nationalId, "nationalId", prov);
        String emp = pick(rs, HealthWorkerRecord::employeeNumber, "employeeNumber", prov);
        String rp = pick(rs, HealthWorkerRecord::rapidproUuid, "rapidproUuid", prov);
        boolean active = rs.isEmpty() || rs.get(0).active();
        if (!rs.isEmpty()) prov.put("active", rs.get(0).registry());
        boolean optedOut = false;
        for (HealthWorkerRecord r : rs) {
            if (r.optedOut()) { optedOut = true; prov.put("optedOut", r.registry()); break; }
        }
        // the numbers count too: a changed number must reach RapidPro, so it changes the worker (updated_at)
        java.util.TreeSet<String> numbers = new java.util.TreeSet<>();
        for (HealthWorkerRecord r : rs) {
            for (HealthWorkerRecord.Phone p : r.phones()) if (p.e164() != null) numbers.add((p.primary() ? "*" : "") + p.e164());
        }
        String hash = hash(display, family, given, gender, Boolean.toString(active), Boolean.toString(optedOut),
                facility == null ? null : facility.registry() + "/" + facility.facilitySourceId(), job, title, cadre, nid, emp, rp,
                prov.toString(), String.join(",", numbers));
        return new Golden(display, family, given, gender, active, optedOut, facility == null ? null : facility.registry(),
                facility == null ? null : facility.facilitySourceId(), job, title, cadre, nid, emp, rp, prov, hash);
    }

    private int rank(String registry) {
        int i = priority.indexOf(registry);
        return i < 0 ? priority.size() : i;
    }

    private static String pick(List<HealthWorkerRecord> rs, Function<HealthWorkerRecord, String> f, String field,
                               Map<String, String> prov) {
        HealthWorkerRecord r = first(rs, f);
        if (r == null) return null;
        prov.put(field, r.registry());
        return f.apply(r);
    }

    private static HealthWorkerRecord first(List<HealthWorkerRecord> rs, Function<HealthWorkerRecord, String> f) {
        for (HealthWorkerRecord r : rs) {
            String v = f.apply(r);
            if (v != null && !v.isBlank()) return r;
        }
        return null;
    }

    private static String hash(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                md.update((p == null ? "\u0000" : p).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0x1f);
            }
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
