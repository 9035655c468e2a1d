package org.mhero.dhis2;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.phone.PhoneResult;

import java.util.ArrayList;
import java.util.List;

import static org.mhero.dhis2.Dhis2OrgUnitMapper.text;

/**
 * Maps a DHIS2 user to a {@link HealthWorkerRecord} (contracts/dhis2.md §6), in either user format: the flattened one
 * (2.38+, the only one in 2.42) or the legacy {@code userCredentials} wrapper (up to 2.41). Every field is read at the top
 * level first and then inside {@code userCredentials}, so both formats give the same record (and the same content hash:
 * a server upgrade writes nothing).
 *
 * <p>Disabled users are kept as inactive. Phones: {@code phoneNumber} (free text, possibly several numbers), then
 * {@code whatsApp} when it holds another number (an unusable number written another way counts as the same); unusable
 * values are kept with their reason. The facility is the deepest of the user's data-capture units
 * ({@code organisationUnits}) by {@code level} (or the depth of its {@code path}); among equally deep units, the smallest
 * id, so the choice does not depend on the order the server lists them in.
 */
public final class Dhis2UserMapper {
    public static final String REGISTRY = Dhis2OrgUnitMapper.REGISTRY;

    private final PhoneNormalizer phones;
    private final String orgUnitRule;

    public Dhis2UserMapper(PhoneNormalizer phones, String orgUnitRule) {
        this.phones = phones;
        this.orgUnitRule = orgUnitRule;
    }

    /** Null for an entry without an id. */
    public HealthWorkerRecord map(JsonNode user) {
        String id = text(user, "id");
        if (id == null) return null;
        String first = field(user, "firstName");
        String surname = field(user, "surname");
        String display = ((first == null ? "" : first) + " " + (surname == null ? "" : surname)).trim();
        if (display.isEmpty()) display = Dhis2OrgUnitMapper.firstNonNull(field(user, "displayName"), field(user, "name"));
        boolean disabled = "true".equalsIgnoreCase(field(user, "disabled"));
        String lastUpdated = field(user, "lastUpdated");
        return new HealthWorkerRecord(REGISTRY, id, lastUpdated, Dhis2Api.parseTimestamp(lastUpdated), display, surname,
                first, null, !disabled, false, facility(user.path("organisationUnits")), null, null, null, null, null,
                null, phones(field(user, "phoneNumber", false), field(user, "whatsApp", false)));
    }

    /** phoneNumber first (rank 1), then whatsApp (rank 2) when it adds a number; the first usable one is primary. */
    List<HealthWorkerRecord.Phone> phones(String phoneNumber, String whatsApp) {
        List<HealthWorkerRecord.Phone> out = new ArrayList<>();
        boolean primaryTaken = false;
        String[][] values = {{phoneNumber, "1", "mobile"}, {whatsApp, "2", "whatsapp"}};
        for (String[] v : values) {
            String raw = v[0];
            if (raw == null) continue;
            if (v[2].equals("whatsapp") && (raw.isBlank() || raw.trim().equals(phoneNumber == null ? null : phoneNumber.trim()))) continue;
            for (PhoneResult r : phones.normalize(raw)) {
                if (out.stream().anyMatch(e -> sameNumber(e, r))) continue;
                boolean primary = r.isValid() && !primaryTaken;
                primaryTaken |= primary;
                out.add(new HealthWorkerRecord.Phone(r.raw(), r.e164(), r.isValid() ? null : r.reason().name(),
                        Integer.parseInt(v[1]), v[2], primary));
            }
        }
        return out;
    }

    /** The same E.164, or (for values that are not usable) the same digits written another way. */
    private static boolean sameNumber(HealthWorkerRecord.Phone kept, PhoneResult r) {
        if (r.isValid() || kept.e164() != null) return r.isValid() && r.e164().equals(kept.e164());
        if (r.raw().trim().equals(kept.raw().trim())) return true;
        PhoneNumberUtil.MatchType m = PhoneNumberUtil.getInstance().isNumberMatch(kept.raw(), r.raw());
        return m == PhoneNumberUtil.MatchType.EXACT_MATCH || m == PhoneNumberUtil.MatchType.NSN_MATCH;
    }

    /** The id of the deepest data-capture unit ({@code user.orgunit.rule = deepest}), or null without any. */
    String facility(JsonNode units) {
        if (!Dhis2Settings.RULE_DEEPEST.equals(orgUnitRule)) throw new IllegalStateException("unknown user.orgunit.rule " + orgUnitRule);
        String best = null;
        int bestLevel = -1;
        for (JsonNode ou : units) {
            String id = text(ou, "id");
            if (id == null) continue;
            JsonNode lv = ou.get("level");
            int level = lv != null && lv.canConvertToInt() ? lv.asInt() : Dhis2OrgUnitMapper.pathIds(text(ou, "path")).size();
            if (level > bestLevel || (level == bestLevel && id.compareTo(best) < 0)) {
                best = id;
                bestLevel = level;
            }
        }
        return best;
    }

    /** A scalar field at the top level, else inside {@code userCredentials} (legacy format); blank counts as absent. */
    static String field(JsonNode user, String name) {
        return field(user, name, true);
    }

    /** As {@link #field(JsonNode, String)}; with {@code blankIsAbsent = false} a blank value is returned as it is. */
    static String field(JsonNode user, String name, boolean blankIsAbsent) {
        String v = raw(user.get(name), blankIsAbsent);
        return v != null ? v : raw(user.path("userCredentials").get(name), blankIsAbsent);
    }

    private static String raw(JsonNode v, boolean blankIsAbsent) {
        if (v == null || v.isNull() || v.isContainerNode()) return null;
        String s = v.asText();
        if (blankIsAbsent) {
            s = s.trim();
            return s.isEmpty() ? null : s;
        }
        return s;
    }
}
