package org.mhero.ihris;

import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.StringType;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.phone.PhoneResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Maps an iHRIS Practitioner (and its PractitionerRoles) to a {@link HealthWorkerRecord}: display name, gender, active,
 * opt-out tag, current role's facility and job (with cadre from the job CodeSystem), identifiers, and phones normalised
 * to E.164 (contracts/ihris-fhir.md §2–§6). Tolerates the drift of §11: missing names, gender, telecom, roles.
 */
public final class PractitionerMapper {
    public static final String REGISTRY = "ihris";
    static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    static final String CONTACT_UUID_SYSTEM = "http://app.rapidpro.io/contact-uuid";
    static final String OPTOUT_SYSTEM = "http://mhero.org/codesystem";

    private final PhoneNormalizer phones;
    private final String jobSystem;

    public PractitionerMapper(PhoneNormalizer phones, String jobSystem) {
        this.phones = phones;
        this.jobSystem = stripVersion(jobSystem);
    }

    public HealthWorkerRecord map(Practitioner p, List<PractitionerRole> roles, JobCatalog jobs, Date today) {
        HumanName name = officialName(p);
        String family = name == null ? null : blankToNull(name.getFamily());
        String given = name == null ? null
                : blankToNull(name.getGiven().stream().map(StringType::getValue).filter(s -> s != null && !s.isBlank())
                .collect(Collectors.joining(" ")));
        String display = name == null ? null : blankToNull(name.getText());
        if (display == null) display = blankToNull(((given == null ? "" : given) + " " + (family == null ? "" : family)).trim());

        PractitionerRole role = currentRole(roles, today);
        String facility = null, jobCode = null, jobTitle = null, cadre = null;
        if (role != null) {
            if (role.hasLocation()) facility = role.getLocationFirstRep().getReferenceElement().getIdPart();
            Coding job = jobCoding(role);
            if (job != null) {
                jobCode = job.getCode();
                JobCatalog.Job known = jobs.find(jobCode);
                jobTitle = blankToNull(job.getDisplay());
                if (jobTitle == null && known != null) jobTitle = known.display();
                if (jobTitle == null && role.getCodeFirstRep().hasText()) jobTitle = role.getCodeFirstRep().getText();
                cadre = known == null ? null : known.cadre();
            }
        }

        String nationalId = null, employeeNumber = null, rapidpro = null;
        for (Identifier id : p.getIdentifier()) {
            if (CONTACT_UUID_SYSTEM.equalsIgnoreCase(stripVersion(id.getSystem()))) rapidpro = id.getValue();
            for (Coding c : id.getType().getCoding()) {
                if (!V2_0203.equals(stripVersion(c.getSystem()))) continue;
                if ("PRN".equals(c.getCode()) && nationalId == null) nationalId = id.getValue();
                if ("EN".equals(c.getCode()) && employeeNumber == null) employeeNumber = id.getValue();
            }
        }
        boolean optedOut = p.getMeta().getTag().stream()
                .anyMatch(t -> OPTOUT_SYSTEM.equalsIgnoreCase(stripVersion(t.getSystem())) && "optedout".equals(t.getCode()));

        return new HealthWorkerRecord(REGISTRY, p.getIdElement().getIdPart(), p.getMeta().getVersionId(),
                p.getMeta().getLastUpdated() == null ? null : p.getMeta().getLastUpdated().toInstant(),
                display, family, given, p.hasGender() ? p.getGender().toCode() : null, !p.hasActive() || p.getActive(),
                optedOut, facility, jobCode, jobTitle, cadre, nationalId, employeeNumber, rapidpro, phones(p));
    }

    /** Phones ordered by rank (lowest first), then use = mobile, then order; the first usable one is primary. */
    List<HealthWorkerRecord.Phone> phones(Practitioner p) {
        record Candidate(ContactPoint cp, int order) {}
        List<Candidate> cands = new ArrayList<>();
        int i = 0;
        for (ContactPoint cp : p.getTelecom()) {
            if (cp.getSystem() == ContactPoint.ContactPointSystem.PHONE || cp.getSystem() == ContactPoint.ContactPointSystem.SMS) {
                cands.add(new Candidate(cp, i));
            }
            i++;
        }
        cands.sort(Comparator.<Candidate>comparingInt(c -> c.cp().hasRank() ? c.cp().getRank() : Integer.MAX_VALUE)
                .thenComparingInt(c -> c.cp().getUse() == ContactPoint.ContactPointUse.MOBILE ? 0 : 1)
                .thenComparingInt(Candidate::order));
        List<HealthWorkerRecord.Phone> out = new ArrayList<>();
        boolean primaryTaken = false;
        for (Candidate c : cands) {
            int rank = c.cp().hasRank() ? c.cp().getRank() : 0;
            String use = c.cp().hasUse() ? c.cp().getUse().toCode() : null;
            for (PhoneResult r : phones.normalize(c.cp().getValue())) {
                if (out.stream().anyMatch(e -> r.isValid() && r.e164().equals(e.e164()))) continue;
                boolean primary = r.isValid() && !primaryTaken;
                primaryTaken |= primary;
                out.add(new HealthWorkerRecord.Phone(r.raw(), r.e164(), r.isValid() ? null : r.reason().name(), rank, use, primary));
            }
        }
        return out;
    }

    /** active and not ended (period.end absent or ≥ today); the latest start wins; else null. */
    static PractitionerRole currentRole(List<PractitionerRole> roles, Date today) {
        PractitionerRole best = null;
        for (PractitionerRole r : roles) {
            if (r.hasActive() && !r.getActive()) continue;
            if (r.hasPeriod() && r.getPeriod().hasEnd() && r.getPeriod().getEnd().before(today)) continue;
            if (best == null || start(r).after(start(best))) best = r;
        }
        return best;
    }

    private static Date start(PractitionerRole r) {
        return r.hasPeriod() && r.getPeriod().hasStart() ? r.getPeriod().getStart() : new Date(Long.MIN_VALUE);
    }

    private Coding jobCoding(PractitionerRole role) {
        Coding any = null;
        for (var cc : role.getCode()) {
            for (Coding c : cc.getCoding()) {
                if (jobSystem.equals(stripVersion(c.getSystem()))) return c;
                if (any == null) any = c;
            }
        }
        return any;
    }

    private static HumanName officialName(Practitioner p) {
        HumanName first = null;
        for (HumanName n : p.getName()) {
            if (n.getUse() == HumanName.NameUse.OFFICIAL) return n;
            if (first == null) first = n;
        }
        return first;
    }

    static String stripVersion(String system) {
        if (system == null) return null;
        int bar = system.indexOf('|');
        return bar < 0 ? system : system.substring(0, bar);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The instant form used by the watermark: {@code Date} from HAPI → {@code Instant}. */
    public static Instant instant(Date d) { return d == null ? null : d.toInstant(); }
}
