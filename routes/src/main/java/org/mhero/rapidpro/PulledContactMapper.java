package org.mhero.rapidpro;

import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.phone.PhoneResult;

import java.util.ArrayList;
import java.util.List;

/**
 * A contact read back from RapidPro → a source record of the {@code rapidpro} registry. Stopped (STOP) or blocked
 * contacts are opted out, which the golden record carries to every registry's view of the worker.
 */
public final class PulledContactMapper {
    public static final String REGISTRY = "rapidpro";
    private final PhoneNormalizer phones;

    public PulledContactMapper(PhoneNormalizer phones) { this.phones = phones; }

    public HealthWorkerRecord map(RapidProContact c) {
        List<HealthWorkerRecord.Phone> ps = new ArrayList<>();
        for (String urn : c.urns()) {
            if (!urn.startsWith("tel:")) continue;
            for (PhoneResult r : phones.normalize(urn.substring(4))) {
                if (ps.stream().anyMatch(p -> r.isValid() && r.e164().equals(p.e164()))) continue;
                boolean primary = r.isValid() && ps.stream().noneMatch(HealthWorkerRecord.Phone::primary);
                ps.add(new HealthWorkerRecord.Phone(r.raw(), r.e164(), r.isValid() ? null : r.reason().name(), 0, "mobile", primary));
            }
        }
        boolean optedOut = c.status() == ContactStatus.STOPPED || c.status() == ContactStatus.BLOCKED;
        boolean active = c.status() != ContactStatus.ARCHIVED && !c.deleted();
        return new HealthWorkerRecord(REGISTRY, c.uuid(), c.modifiedOnText(), c.modifiedOn(), blankToNull(c.name()), null, null,
                null, active, optedOut, null, null, null, null, null, null, c.uuid(), ps);
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s.trim(); }
}
