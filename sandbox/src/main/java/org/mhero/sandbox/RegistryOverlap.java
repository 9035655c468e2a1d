package org.mhero.sandbox;

import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Practitioner;
import org.mhero.sandbox.dhis2.Dhis2Model;
import org.mhero.sandbox.ihris.IhrisStore;

import java.time.Instant;
import java.util.List;

/**
 * Makes the sandbox's DHIS2 know some of the same people as its iHRIS, as real countries' registries do: every
 * {@code every}-th practitioner with a phone also becomes a DHIS2 user, with the same name (word order swapped, upper
 * case, as DHIS2 data entry often has it) and the same number written the national way. mHero should merge each pair
 * into one health worker by phone and name.
 */
public final class RegistryOverlap {
    private RegistryOverlap() {}

    /** Adds the overlapping users; returns how many. */
    public static int seed(IhrisStore ihris, Dhis2Model dhis2, int every) {
        List<Dhis2Model.OrgUnit> facilities = dhis2.orgUnitsAtLevel(4);
        if (facilities.isEmpty() || every <= 0) return 0;
        int added = 0;
        for (int i = 0; i < ihris.practitionerCount(); i += every) {
            Practitioner p = ihris.practitioner("P" + i);
            if (p == null || !p.getActive() || p.getName().isEmpty()) continue;
            String phone = p.getTelecom().stream().filter(t -> t.getSystem() == ContactPoint.ContactPointSystem.PHONE && t.hasValue())
                    .map(ContactPoint::getValue).filter(v -> v.replaceAll("[^0-9]", "").length() >= 9).findFirst().orElse(null);
            String e164 = e164(phone);
            if (e164 == null) continue;
            HumanName n = p.getNameFirstRep();
            String given = n.getGivenAsSingleString();
            String id = String.format("xHRIS%06d", i);
            String ts = Instant.parse("2024-06-01T00:00:00Z").plusSeconds(i).toString().replace("Z", "");
            dhis2.putUser(new Dhis2Model.User(id, "hw" + i, n.getFamily().toUpperCase(), given, null, "0" + e164.substring(4),
                    null, false, List.of(facilities.get(i % facilities.size()).id()), ts, ts, List.of(e164)));
            added++;
        }
        return added;
    }

    /** The Liberian E.164 form of a generated number, or null when it is not a plain single mobile number. */
    static String e164(String raw) {
        if (raw == null || raw.matches(".*[/,;]|.*\\bor\\b.*")) return null;
        String digits = raw.replaceAll("[^0-9]", "");
        if (digits.startsWith("231")) digits = digits.substring(3);
        if (digits.startsWith("0")) digits = digits.substring(1);
        return digits.matches("(77|88)[0-9]{7}|555[0-9]{6}") ? "+231" + digits : null;
    }
}
