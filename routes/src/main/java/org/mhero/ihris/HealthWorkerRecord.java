package org.mhero.ihris;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * A health worker as one registry describes it, already mapped and normalised: what we store per source link.
 * {@link #contentHash()} covers everything we store, so an unchanged record is recognised without touching the database.
 */
public record HealthWorkerRecord(
        String registry,
        String sourceId,
        String sourceVersion,
        Instant sourceUpdated,
        String displayName,
        String familyName,
        String givenNames,
        String gender,
        boolean active,
        boolean optedOut,
        String facilitySourceId,
        String jobCode,
        String jobTitle,
        String cadre,
        String nationalId,
        String employeeNumber,
        String rapidproUuid,
        List<Phone> phones) {

    /** A phone as the registry gave it, with its E.164 form or the reason it is unusable. */
    public record Phone(String raw, String e164, String invalidReason, int rank, String use, boolean primary) {
        public boolean valid() { return e164 != null; }
    }

    public String contentHash() {
        StringBuilder sb = new StringBuilder(256);
        append(sb, displayName).append(familyName == null ? "" : familyName);
        append(sb, givenNames);
        append(sb, gender);
        append(sb, Boolean.toString(active));
        append(sb, Boolean.toString(optedOut));
        append(sb, facilitySourceId);
        append(sb, jobCode);
        append(sb, jobTitle);
        append(sb, cadre);
        append(sb, nationalId);
        append(sb, employeeNumber);
        append(sb, rapidproUuid);
        for (Phone p : phones) {
            append(sb, p.raw());
            append(sb, p.e164());
            append(sb, p.invalidReason());
            append(sb, Integer.toString(p.rank()));
            append(sb, p.use());
            append(sb, Boolean.toString(p.primary()));
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(sb.toString().getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static StringBuilder append(StringBuilder sb, String v) {
        return sb.append(v == null ? "\u0000" : v).append('\u001f');
    }

    public boolean reachable() {
        return phones.stream().anyMatch(Phone::valid);
    }
}
