package org.mhero.rapidpro;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the contact sync knows of a health worker, as read from PostgreSQL: our id, the registry and its bare source
 * id, the display name, an optional ISO 639-3 language, the primary phone in E.164, and the resolved facility,
 * district, region and cadre (names, any may be null).
 */
public record HealthWorkerContact(long mheroId, String registry, String sourceId, String name, String language,
                                  String primaryE164, String facility, String district, String region, String cadre) {

    private static final Pattern E164 = Pattern.compile("^\\+[0-9]{7,15}$");

    /** {@code tel:<E.164>} of the primary phone, empty when there is none or it is not E.164 (§14). */
    public Optional<String> urn() { return telUrn(primaryE164); }

    /** {@code tel:+231770000000} for an E.164 number; empty otherwise. */
    public static Optional<String> telUrn(String e164) {
        if (e164 == null) return Optional.empty();
        String s = e164.trim();
        return E164.matcher(s).matches() ? Optional.of("tel:" + s) : Optional.empty();
    }
}
