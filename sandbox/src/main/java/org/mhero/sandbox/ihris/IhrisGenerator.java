package org.mhero.sandbox.ihris;

import org.hl7.fhir.r4.model.Basic;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Deterministic iHRIS-shaped data. Every resource is a pure function of (seed, index): practitioner {@code P<i>},
 * current role {@code PR<i>}, ended role {@code PRE<i>} (when {@code i % 10 == 3}), training {@code T<i>} (when
 * {@code i % 10} is 0, 4 or 7), locations {@code L<k>} (0 = country, 1..5 regions, 6..25 districts, 26.. facilities)
 * and a few CodeSystems. Nothing is materialised up front, so a million workers cost nothing until served.
 */
final class IhrisGenerator {
    // ---- systems and URLs (contract §2-§8)
    static final String IHRIS = "http://ihris.org/fhir";
    static final String SD = IHRIS + "/StructureDefinition/";
    static final String CS = IHRIS + "/CodeSystem/";
    static final String PROFILE_PRACTITIONER = SD + "ihris-practitioner";
    static final String PROFILE_ROLE = SD + "ihris-practitioner-role";
    static final String PROFILE_FACILITY = SD + "ihris-facility";
    static final String PROFILE_JURISDICTION = SD + "ihris-jurisdiction";
    static final String PROFILE_TRAINING = SD + "ihris-basic-inservice-training";
    static final String MCSD_JURISDICTION = "http://ihe.net/fhir/StructureDefinition/IHE.mCSD.JurisdictionLocation";
    static final String MCSD_FACILITY = "http://ihe.net/fhir/StructureDefinition/IHE.mCSD.FacilityLocation";
    static final String JOB_SYSTEM = CS + "ihris-job";
    static final String CADRE_SYSTEM = CS + "ihris-cadre";
    static final String CLASSIFICATION_SYSTEM = CS + "ihris-job-classification";
    static final String JURISDICTION_TYPE_SYSTEM = CS + "ihris-jurisdiction-type";
    static final String JURISDICTION_TYPE_SYSTEM_OLD = CS + "ihris-jurisdiction";
    static final String FACILITY_TYPE_SYSTEM = CS + "ihris-facility-type";
    static final String TRAINING_SYSTEM = CS + "ihris-training-codesystem";
    static final String RESOURCE_CODESYSTEM = CS + "ihris-resource-codesystem";
    static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    static final String NATIONAL_ID_SYSTEM = IHRIS + "/ids/national-id";
    static final String EMPLOYEE_ID_SYSTEM = IHRIS + "/ids/employee-number";
    static final String CONTACT_UUID_SYSTEM = "http://app.rapidpro.io/contact-uuid";
    static final String OPTOUT_SYSTEM = "http://mhero.org/codesystem";
    static final String OPTOUT_CODE = "optedout";
    static final String EXT_RESIDENCE = SD + "ihris-practitioner-residence";
    static final String EXT_NATIONALITY = SD + "ihris-practitioner-nationality";
    static final String EXT_PRACTITIONER_REFERENCE = SD + "ihris-practitioner-reference";
    static final String EXT_INSERVICE_TRAINING = SD + "ihris-inservice-training";
    static final String EXT_EMPLOYMENT_STATUS = SD + "ihris-practitionerrole-employment-status";

    // ---- base timestamps: increasing with the index, all in the past, independent of the wall clock
    static final long T0_CODESYSTEM = Instant.parse("2023-05-01T00:00:00Z").toEpochMilli();
    static final long T0_LOCATION = Instant.parse("2023-06-01T00:00:00Z").toEpochMilli();
    static final long T0_PRACTITIONER = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    static final long T0_ROLE = Instant.parse("2024-01-01T00:00:00.400Z").toEpochMilli();
    static final long T0_TRAINING = Instant.parse("2024-01-01T00:00:00.700Z").toEpochMilli();
    static final long STEP = 1000L;

    static final int REGIONS = 5;
    static final int DISTRICTS_PER_REGION = 4;
    static final int DISTRICTS = REGIONS * DISTRICTS_PER_REGION;
    static final int FIRST_DISTRICT = 1 + REGIONS;
    static final int FIRST_FACILITY = FIRST_DISTRICT + DISTRICTS;

    /** Job concepts: code, display, cadre code (null = no cadre), classification, weight (per 100). */
    record Job(String code, String display, String cadre, String cadreDisplay, String classification, int weight) {}

    static final List<Job> JOBS = List.of(
            new Job("2221-1D", "Medical Doctor", "doctor", "Doctor", "clinical", 8),
            new Job("2230-1B", "Nurse", "nurse", "Nurse", "clinical", 35),
            new Job("2222-1A", "Midwife", "midwife", "Midwife", "clinical", 15),
            new Job("2240-1A", "Clinical Officer", "allied-health", "Allied Health", "clinical", 10),
            new Job("3212-1A", "Laboratory Technician", "allied-health", "Allied Health", "clinical", 8),
            new Job("2262-1A", "Pharmacist", "pharmacist", "Pharmacist", "clinical", 6),
            new Job("1342-1A", "Health Services Manager", null, null, "support", 10),
            new Job("3313-1A", "Accountant", null, null, "support", 8));

    static final String[] REGION_NAMES = {"Montserrado", "Nimba", "Bong", "Lofa", "Grand Bassa"};
    static final String[][] DISTRICT_NAMES = {
            {"Greater Monrovia", "Careysburg", "Todee", "St. Paul River"},
            {"Sanniquellie-Mahn", "Saclepea-Mah", "Tappita", "Zoegeh"},
            {"Gbarnga", "Salala", "Suakoko", "Panta"},
            {"Voinjama", "Foya", "Kolahun", "Zorzor"},
            {"Buchanan", "Owensgrove", "Commonwealth", "St. John River"}};
    static final String[][] FACILITY_TYPES = {
            {"hospital", "Hospital"}, {"HC", "Health Center"}, {"HP", "Health Post"}, {"LAB", "Laboratory"}};
    static final String[] GIVEN_F = {"Musu", "Fatu", "Mamie", "Comfort", "Patience", "Esther", "Grace", "Victoria",
            "Garmai", "Korto", "Yassah", "Jartu", "Sia", "Famatta", "Nyemah", "Lusu", "Hawa", "Ruth"};
    static final String[] GIVEN_M = {"Joseph", "Emmanuel", "Moses", "Samuel", "James", "Prince", "Varney", "Momo",
            "Sekou", "Alieu", "Boima", "Tamba", "Siaffa", "Kolubah", "Abraham", "Isaac", "Jallah", "Mulbah"};
    static final String[] FAMILY = {"Kollie", "Flomo", "Kpoto", "Sirleaf", "Johnson", "Doe", "Weah", "Tubman",
            "Kamara", "Sherif", "Cooper", "Dennis", "Gbowee", "Kromah", "Massaquoi", "Zinnah", "Toe", "Tarr",
            "Bility", "Freeman", "Harris", "Nagbe", "Sumo", "Kerkula", "Dolo", "Gono", "Peewee", "Cole", "Wesseh",
            "Karnley"};
    static final String[][] TRAININGS = {
            {"ebola-ipc", "Infection Prevention and Control (Ebola)"}, {"imnci", "Integrated Management of Childhood Illness"},
            {"bemonc", "Basic Emergency Obstetric and Newborn Care"}, {"hiv-art", "HIV Care and ART"},
            {"malaria-cm", "Malaria Case Management"}, {"covid19-vacc", "COVID-19 Vaccination"}};
    static final String[] TRAINING_PROVIDERS = {"MOH Liberia", "IntraHealth", "Partners In Health", "Last Mile Health"};

    /** Number of phone shapes (i % PHONE_PATTERNS picks one, see {@link #telecom}). */
    static final int PHONE_PATTERNS = 20;

    final long seed;
    final int n;
    final String cc;
    final String region;
    final int facilities;
    private final long permB;
    private final long uuidMask;

    IhrisGenerator(int practitioners, long seed, String countryCallingCode, String region) {
        this.n = practitioners;
        this.seed = seed;
        this.cc = countryCallingCode;
        this.region = region;
        this.facilities = Math.max(100, Math.min(3000, practitioners / 100));
        this.permB = Math.floorMod(mix(seed ^ 0x5DEECE66DL), 10_000_000L);
        this.uuidMask = mix(seed + 77) & 0xFFFF_FFFF_FFFFL;
    }

    // ------------------------------------------------------------------ hashing

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long h(long i, int salt) {
        return mix(seed * 0x9E3779B97F4A7C15L + i * 0xD1B54A32D192ED03L + salt * 0x8CB92BA72F3D8DD7L);
    }

    int pick(long i, int salt, int bound) {
        return (int) Long.remainderUnsigned(h(i, salt), bound);
    }

    /** A bijection on [0, 10^7): distinct workers get distinct numbers. */
    long perm7(long i) {
        return Math.floorMod(7_654_321L * i + permB, 10_000_000L);
    }

    // ------------------------------------------------------------------ counts and ids

    int roleCount() { return n + endedRoleCount(); }
    int endedRoleCount() { return (n + 6) / 10; }
    static boolean hasEndedRole(int i) { return i % 10 == 3; }
    /** Role table index r: r < n is {@code PR<r>}; r >= n is {@code PRE<10(r-n)+3>}. */
    String roleId(int r) { return r < n ? "PR" + r : "PRE" + (10 * (r - n) + 3); }
    int roleIndex(String id) {
        if (id.startsWith("PRE")) {
            int i = parse(id, 3);
            return i >= 0 && i < n && hasEndedRole(i) ? n + (i - 3) / 10 : -1;
        }
        if (id.startsWith("PR")) {
            int i = parse(id, 2);
            return i < n ? i : -1;
        }
        return -1;
    }

    private static final int[] TRAINING_SLOTS = {0, 4, 7};
    static boolean hasTraining(int i) { int m = i % 10; return m == 0 || m == 4 || m == 7; }
    int trainingCount() {
        int full = (n / 10) * 3;
        int rest = n % 10;
        for (int s : TRAINING_SLOTS) if (s < rest) full++;
        return full;
    }
    static int trainingPractitioner(int k) { return 10 * (k / 3) + TRAINING_SLOTS[k % 3]; }
    int trainingIndex(String id) {
        if (!id.startsWith("T")) return -1;
        int i = parse(id, 1);
        if (i < 0 || i >= n || !hasTraining(i)) return -1;
        int m = i % 10;
        return 3 * (i / 10) + (m == 0 ? 0 : m == 4 ? 1 : 2);
    }

    int practitionerIndex(String id) {
        if (!id.startsWith("P") || id.startsWith("PR")) return -1;
        int i = parse(id, 1);
        return i < n ? i : -1;
    }

    int locationCount() { return FIRST_FACILITY + facilities; }
    int locationIndex(String id) {
        if (!id.startsWith("L")) return -1;
        int k = parse(id, 1);
        return k < locationCount() ? k : -1;
    }
    static String facilityId(int f) { return "L" + (FIRST_FACILITY + f); }

    /** Parses a non-negative decimal without leading zeros from {@code s.substring(from)}, -1 when not one. */
    static int parse(String s, int from) {
        int len = s.length();
        if (from >= len || len - from > 9) return -1;
        if (s.charAt(from) == '0' && len - from > 1) return -1;
        int v = 0;
        for (int k = from; k < len; k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    // ------------------------------------------------------------------ practitioner traits (cheap, no objects)

    boolean active(int i) { return pick(i, 1, 20) != 0; }
    boolean hasContactUuid(int i) { return pick(i, 2, 10) < 3; }
    boolean optedOut(int i) { return hasContactUuid(i) && pick(i, 3, 10) == 0; }
    boolean hasNationalId(int i) { return pick(i, 4, 10) < 6; }
    boolean hasEmployeeNumber(int i) { return pick(i, 5, 2) == 0; }

    String contactUuid(int i) {
        long a = h(i, 30), b = h(i, 31);
        long tail = (i ^ uuidMask) & 0xFFFF_FFFF_FFFFL;
        return String.format("%08x-%04x-4%03x-%04x-%012x", a >>> 32, (a >>> 16) & 0xFFFF, a & 0xFFF,
                0x8000 | (b & 0x3FFF), tail);
    }

    /** The practitioner index a generated contact uuid belongs to, or -1. */
    int contactUuidIndex(String uuid) {
        if (uuid == null || uuid.length() != 36) return -1;
        try {
            long tail = Long.parseLong(uuid.substring(24), 16);
            long i = tail ^ uuidMask;
            if (i < 0 || i >= n) return -1;
            return contactUuid((int) i).equals(uuid) ? (int) i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    String nationalId(int i) { return String.format("LR-%09d", Math.floorMod(h(i, 40), 1_000_000_000L)); }
    static String employeeNumber(int i) { return String.format("MOH-%07d", i); }
    /** Index that a generated employee number belongs to (the number encodes it), or -1. */
    int employeeNumberIndex(String v) {
        if (v == null || !v.startsWith("MOH-") || v.length() != 11) return -1;
        try {
            int i = Integer.parseInt(v.substring(4));
            return i < n ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The worker's main mobile number, national significant part (9 digits, Orange 77 range). */
    String primaryNsn(int i) { return String.format("77%07d", perm7(i)); }
    /** A second number (Lonestar 88 range), never equal to anyone's primary. */
    String secondaryNsn(int i) { return String.format("88%07d", perm7(i)); }
    String e164(String nsn) { return "+" + cc + nsn; }

    // ------------------------------------------------------------------ Practitioner

    Practitioner practitioner(int i) {
        Practitioner p = new Practitioner();
        p.setId("P" + i);
        meta(p, "Practitioner", "P" + i, 1, T0_PRACTITIONER + i * STEP);
        if (pick(i, 7, 10) != 0) p.getMeta().addProfile(PROFILE_PRACTITIONER);
        if (optedOut(i)) p.getMeta().addTag(OPTOUT_SYSTEM, OPTOUT_CODE, "Opted Out");

        if (hasNationalId(i)) {
            p.addIdentifier().setSystem(NATIONAL_ID_SYSTEM).setValue(nationalId(i))
                    .setType(new CodeableConcept(new Coding(V2_0203, "PRN", "Provider number")).setText("National ID"));
        }
        if (hasEmployeeNumber(i)) {
            p.addIdentifier().setSystem(EMPLOYEE_ID_SYSTEM).setValue(employeeNumber(i))
                    .setType(new CodeableConcept(new Coding(V2_0203, "EN", "Employer number")).setText("Employee Number"));
        }
        if (hasContactUuid(i)) p.addIdentifier().setSystem(CONTACT_UUID_SYSTEM).setValue(contactUuid(i));

        p.setActive(active(i));
        String family = FAMILY[pick(i, 8, FAMILY.length)];
        int g = pick(i, 13, 10);
        String[] givens = g < 5 ? GIVEN_F : g < 9 ? GIVEN_M : pick(i, 19, 2) == 0 ? GIVEN_F : GIVEN_M;
        String given = givens[pick(i, 9, givens.length)];
        HumanName name = p.addName().setUse(HumanName.NameUse.OFFICIAL).setFamily(family).addGiven(given);
        String text = given;
        if (pick(i, 10, 3) == 0) {
            String middle = givens[pick(i, 11, givens.length)];
            name.addGiven(middle);
            text += " " + middle;
        }
        if (pick(i, 12, 4) != 0) name.setText(text + " " + family);

        if (g < 5) p.setGender(Enumerations.AdministrativeGender.FEMALE);
        else if (g < 9) p.setGender(Enumerations.AdministrativeGender.MALE);
        if (pick(i, 14, 5) != 0) {
            p.setBirthDateElement(new DateType(LocalDate.of(1960, 1, 1).plusDays(pick(i, 15, 40 * 365)).toString()));
        }
        telecom(p, i);
        if (pick(i, 16, 2) == 0) {
            int d = pick(i, 17, DISTRICTS);
            p.addExtension(EXT_RESIDENCE, new Reference("Location/L" + (FIRST_DISTRICT + d)));
        }
        if (pick(i, 18, 3) != 0) p.addExtension(EXT_NATIONALITY, new Coding("urn:iso:std:iso:3166", region, "Liberia"));
        return p;
    }

    /**
     * One phone shape per {@code i % 20}, covering every row of contract §3. Patterns 15 and 16 share a number
     * (worker 20k+16 carries the primary number of worker 20k+15).
     */
    void telecom(Practitioner p, int i) {
        String nsn = primaryNsn(i);
        String nat = "0" + nsn;                       // 0770123456
        String e164 = e164(nsn);                      // +231770123456
        String second = "0" + secondaryNsn(i);        // 0881234567
        String dash = nat.substring(0, 3) + "-" + nat.substring(3, 6) + "-" + nat.substring(6);
        switch (i % PHONE_PATTERNS) {
            case 0 -> phone(p, e164, ContactPoint.ContactPointUse.MOBILE, null);
            case 1 -> phone(p, nat, ContactPoint.ContactPointUse.MOBILE, null);
            case 2 -> phone(p, cc + nsn, ContactPoint.ContactPointUse.MOBILE, null);
            case 3 -> phone(p, dash, ContactPoint.ContactPointUse.MOBILE, null);
            case 4 -> phone(p, "(" + nat.substring(0, 3) + ") " + nat.substring(3, 6) + " " + nat.substring(6),
                    ContactPoint.ContactPointUse.WORK, null);
            case 5 -> phone(p, nat.substring(0, 3) + "." + nat.substring(3, 6) + "." + nat.substring(6), null, null);
            case 6 -> phone(p, nat + "/" + second, ContactPoint.ContactPointUse.MOBILE, null);
            case 7 -> phone(p, nat + ", " + second, ContactPoint.ContactPointUse.MOBILE, null);
            case 8 -> phone(p, nat + " or " + e164(secondaryNsn(i)), ContactPoint.ContactPointUse.MOBILE, null);
            case 9 -> phone(p, "++" + cc + nsn, ContactPoint.ContactPointUse.MOBILE, null);
            case 10 -> phone(p, String.valueOf(10_000 + pick(i, 20, 90_000)), ContactPoint.ContactPointUse.MOBILE, null);
            case 11 -> phone(p, "N/A", null, null);
            // "telecom": [] cannot come out of a HAPI server (its encoder drops empty arrays): the nearest thing
            // on the wire is a phone entry without a value
            case 12 -> p.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setUse(ContactPoint.ContactPointUse.MOBILE);
            case 13 -> { /* no telecom at all */ }
            case 14 -> {
                phone(p, second, ContactPoint.ContactPointUse.WORK, 2);
                phone(p, e164, ContactPoint.ContactPointUse.MOBILE, 1);
                phone(p, nat, ContactPoint.ContactPointUse.HOME, null);
            }
            case 15 -> {
                p.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setUse(ContactPoint.ContactPointUse.WORK)
                        .setValue(("p" + i + "@moh.gov.lr"));
                phone(p, e164, ContactPoint.ContactPointUse.MOBILE, null);
            }
            case 16 -> phone(p, "0" + primaryNsn(i - 1), ContactPoint.ContactPointUse.MOBILE, null);
            case 17 -> phone(p, "+" + cc + " " + nsn.substring(0, 2) + " " + nsn.substring(2, 5) + " " + nsn.substring(5),
                    ContactPoint.ContactPointUse.MOBILE, null);
            case 18 -> phone(p, e164, ContactPoint.ContactPointUse.WORK, 1);
            default -> phone(p, e164 + (i % 10), ContactPoint.ContactPointUse.MOBILE, null); // one digit too many
        }
    }

    private static void phone(Practitioner p, String value, ContactPoint.ContactPointUse use, Integer rank) {
        ContactPoint cp = p.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue(value);
        if (use != null) cp.setUse(use);
        if (rank != null) cp.setRank(rank);
    }

    // ------------------------------------------------------------------ PractitionerRole

    Job job(int i, int salt) {
        int w = pick(i, salt, 100);
        for (Job j : JOBS) {
            if (w < j.weight()) return j;
            w -= j.weight();
        }
        return JOBS.get(1);
    }

    int facilityOf(int i, int salt) { return pick(i, salt, facilities); }

    PractitionerRole role(int r) {
        boolean ended = r >= n;
        int i = ended ? 10 * (r - n) + 3 : r;
        String id = roleId(r);
        PractitionerRole role = new PractitionerRole();
        role.setId(id);
        meta(role, "PractitionerRole", id, 1, T0_ROLE + r * STEP);
        role.getMeta().addProfile(PROFILE_ROLE);
        Job job = job(i, ended ? 51 : 50);
        String jobSystem = pick(i, 52, 100) == 0 ? JOB_SYSTEM + "|0.3.0" : JOB_SYSTEM; // §11 drift: |version suffix
        CodeableConcept code = new CodeableConcept(new Coding(jobSystem, job.code(), job.display()));
        if (pick(i, 53, 2) == 0) code.setText(job.display());
        role.addCode(code);
        int f = facilityOf(i, ended ? 55 : 54);
        role.addLocation(new Reference("Location/" + facilityId(f)).setDisplay(facilityName(f)));
        role.setPractitioner(new Reference("Practitioner/P" + i));
        LocalDate start = LocalDate.of(2005, 1, 1).plusDays(pick(i, 56, 17 * 365));
        if (ended) {
            LocalDate oldStart = start.minusDays(365 + pick(i, 57, 5 * 365));
            role.setPeriod(new Period().setStartElement(new org.hl7.fhir.r4.model.DateTimeType(oldStart.toString()))
                    .setEndElement(new org.hl7.fhir.r4.model.DateTimeType(start.minusDays(1).toString())));
            role.setActive(pick(i, 58, 2) == 0);
        } else {
            role.setPeriod(new Period().setStartElement(new org.hl7.fhir.r4.model.DateTimeType(start.toString())));
            role.setActive(true);
        }
        role.addExtension(EXT_EMPLOYMENT_STATUS, new Coding(CS + "ihris-employment-status",
                ended ? "ended" : "employed", ended ? "Ended" : "Employed"));
        return role;
    }

    // ------------------------------------------------------------------ Location

    String facilityName(int f) {
        int d = f % DISTRICTS;
        String[] type = FACILITY_TYPES[facilityTypeIndex(f)];
        return DISTRICT_NAMES[d / DISTRICTS_PER_REGION][d % DISTRICTS_PER_REGION] + " " + type[1] + " " + (f / DISTRICTS + 1);
    }

    private int facilityTypeIndex(int f) {
        int w = pick(f, 60, 100);
        return w < 10 ? 0 : w < 60 ? 1 : w < 95 ? 2 : 3;
    }

    Location location(int k) {
        Location l = new Location();
        String id = "L" + k;
        l.setId(id);
        meta(l, "Location", id, 1, T0_LOCATION + k * STEP);
        l.setStatus(Location.LocationStatus.ACTIVE);
        if (k < FIRST_FACILITY) {
            String typeCode, typeDisplay, name;
            String parent;
            if (k == 0) {
                typeCode = "country"; typeDisplay = "Country"; name = "Liberia"; parent = null;
            } else if (k < FIRST_DISTRICT) {
                typeCode = "region"; typeDisplay = "County"; name = REGION_NAMES[k - 1]; parent = "L0";
            } else {
                int d = k - FIRST_DISTRICT;
                typeCode = "district"; typeDisplay = "District";
                name = DISTRICT_NAMES[d / DISTRICTS_PER_REGION][d % DISTRICTS_PER_REGION];
                parent = "L" + (1 + d / DISTRICTS_PER_REGION);
            }
            l.setName(name);
            // §11 drift: a few jurisdictions coded with the older CodeSystem URL, some with mCSD profiles
            String system = (k == 2 || k % 7 == 3) ? JURISDICTION_TYPE_SYSTEM_OLD : JURISDICTION_TYPE_SYSTEM;
            l.addType(new CodeableConcept(new Coding(system, typeCode, typeDisplay)));
            l.getMeta().addProfile(k % 5 == 4 ? MCSD_JURISDICTION : PROFILE_JURISDICTION);
            l.setPhysicalType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/location-physical-type",
                    "jdn", "Jurisdiction")));
            if (parent != null) l.setPartOf(new Reference("Location/" + parent));
        } else {
            int f = k - FIRST_FACILITY;
            int d = f % DISTRICTS;
            String[] type = FACILITY_TYPES[facilityTypeIndex(f)];
            l.setName(facilityName(f));
            l.addType(new CodeableConcept(new Coding(FACILITY_TYPE_SYSTEM, type[0], type[1])));
            l.getMeta().addProfile(PROFILE_FACILITY);
            if (f % 9 == 5) l.getMeta().addProfile(MCSD_FACILITY);
            l.setPhysicalType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/location-physical-type",
                    "bu", "Building")));
            l.setPartOf(new Reference("Location/L" + (FIRST_DISTRICT + d)).setDisplay(
                    DISTRICT_NAMES[d / DISTRICTS_PER_REGION][d % DISTRICTS_PER_REGION]));
        }
        return l;
    }

    // ------------------------------------------------------------------ Basic (in-service training)

    Basic training(int k) {
        int i = trainingPractitioner(k);
        String id = "T" + i;
        Basic b = new Basic();
        b.setId(id);
        meta(b, "Basic", id, 1, T0_TRAINING + k * STEP);
        b.getMeta().addProfile(PROFILE_TRAINING);
        b.setCode(new CodeableConcept(new Coding(RESOURCE_CODESYSTEM, "practitioner-link", null)));
        b.addExtension(EXT_PRACTITIONER_REFERENCE, new Reference("Practitioner/P" + i));
        Extension t = b.addExtension().setUrl(EXT_INSERVICE_TRAINING);
        String[] tr = TRAININGS[pick(i, 70, TRAININGS.length)];
        t.addExtension("provider", new StringType(TRAINING_PROVIDERS[pick(i, 71, TRAINING_PROVIDERS.length)]));
        t.addExtension("training", new Coding(TRAINING_SYSTEM, tr[0], tr[1]));
        t.addExtension("courseName", new StringType(tr[1]));
        if (pick(i, 72, 3) != 0) t.addExtension("credits", new IntegerType(1 + pick(i, 73, 10)));
        LocalDate start = LocalDate.of(2015, 1, 1).plusDays(pick(i, 74, 9 * 365));
        t.addExtension("startDate", new DateType(start.toString()));
        t.addExtension("endDate", new DateType(start.plusDays(1 + pick(i, 75, 20)).toString()));
        return b;
    }

    // ------------------------------------------------------------------ CodeSystems

    static final String[] CODESYSTEM_IDS = {"ihris-job", "ihris-cadre", "ihris-jurisdiction-type", "ihris-facility-type"};

    int codeSystemIndex(String id) {
        for (int k = 0; k < CODESYSTEM_IDS.length; k++) if (CODESYSTEM_IDS[k].equals(id)) return k;
        return -1;
    }

    CodeSystem codeSystem(int k) {
        CodeSystem cs = new CodeSystem();
        String id = CODESYSTEM_IDS[k];
        cs.setId(id);
        meta(cs, "CodeSystem", id, 1, T0_CODESYSTEM + k * STEP);
        cs.setUrl(CS + id).setVersion("0.3.0").setName(id).setStatus(Enumerations.PublicationStatus.ACTIVE)
                .setContent(CodeSystem.CodeSystemContentMode.COMPLETE).setCaseSensitive(true);
        switch (k) {
            case 0 -> {
                cs.setTitle("iHRIS Job");
                cs.addProperty().setCode("cadre").setUri(CADRE_SYSTEM).setType(CodeSystem.PropertyType.CODING);
                cs.addProperty().setCode("classification").setUri(CLASSIFICATION_SYSTEM).setType(CodeSystem.PropertyType.CODING);
                cs.addProperty().setCode("salary-grade").setType(CodeSystem.PropertyType.CODING);
                for (Job j : JOBS) {
                    CodeSystem.ConceptDefinitionComponent c = cs.addConcept().setCode(j.code()).setDisplay(j.display());
                    if (j.cadre() != null) {
                        c.addProperty().setCode("cadre").setValue(new Coding(CADRE_SYSTEM, j.cadre(), j.cadreDisplay()));
                    }
                    c.addProperty().setCode("classification").setValue(new Coding(CLASSIFICATION_SYSTEM, j.classification(), null));
                }
            }
            case 1 -> {
                cs.setTitle("iHRIS Cadre");
                for (Job j : JOBS) {
                    if (j.cadre() != null && cs.getConcept().stream().noneMatch(c -> c.getCode().equals(j.cadre()))) {
                        cs.addConcept().setCode(j.cadre()).setDisplay(j.cadreDisplay());
                    }
                }
            }
            case 2 -> {
                cs.setTitle("iHRIS Jurisdiction Type");
                for (String c : new String[]{"country", "region", "district", "subcounty", "municipality", "parish", "village"}) {
                    cs.addConcept().setCode(c).setDisplay(Character.toUpperCase(c.charAt(0)) + c.substring(1));
                }
            }
            default -> {
                cs.setTitle("iHRIS Facility Type");
                for (String[] t : FACILITY_TYPES) cs.addConcept().setCode(t[0]).setDisplay(t[1]);
            }
        }
        return cs;
    }

    // ------------------------------------------------------------------ helpers

    static void meta(Resource r, String type, String id, long version, long lastUpdatedMillis) {
        r.setId(new org.hl7.fhir.r4.model.IdType(type, id, Long.toString(version)));
        r.getMeta().setVersionId(Long.toString(version));
        r.getMeta().setLastUpdatedElement(instant(lastUpdatedMillis));
    }

    static org.hl7.fhir.r4.model.InstantType instant(long millis) {
        org.hl7.fhir.r4.model.InstantType t = new org.hl7.fhir.r4.model.InstantType(new java.util.Date(millis),
                ca.uhn.fhir.model.api.TemporalPrecisionEnum.MILLI, java.util.TimeZone.getTimeZone("UTC"));
        return t;
    }
}
