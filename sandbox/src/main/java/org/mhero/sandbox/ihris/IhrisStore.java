package org.mhero.sandbox.ihris;

import org.hl7.fhir.r4.model.Basic;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sandbox iHRIS data: lazily generated resources (a pure function of seed and index) plus a sparse overlay of
 * changes made through the FHIR API or through this class. Every change gets a new version and a lastUpdated from a
 * strictly monotonic clock (always later than anything before it, and later than all generated timestamps).
 *
 * <p>Ids: practitioners {@code P0..P(n-1)}, their current roles {@code PR<i>}, ended roles {@code PRE<i>} (for
 * {@code i % 10 == 3}), trainings {@code T<i>} (for {@code i % 10} in 0, 4, 7), locations {@code L0} (country),
 * {@code L1..L5} (regions), {@code L6..L25} (districts), {@code L26..} (facilities), CodeSystems {@code ihris-job},
 * {@code ihris-cadre}, {@code ihris-jurisdiction-type}, {@code ihris-facility-type}. Added practitioners get
 * {@code P<n>, P<n+1>, …} (and role {@code PR<same number>}).
 */
public final class IhrisStore {
    public static final String CONTACT_UUID_SYSTEM = IhrisGenerator.CONTACT_UUID_SYSTEM;
    public static final String OPTOUT_SYSTEM = IhrisGenerator.OPTOUT_SYSTEM;
    public static final String OPTOUT_CODE = IhrisGenerator.OPTOUT_CODE;
    public static final String JOB_SYSTEM = IhrisGenerator.JOB_SYSTEM;
    public static final String TRAINING_PROFILE = IhrisGenerator.PROFILE_TRAINING;

    /** Outcome of a write through the API. */
    record WriteResult(Resource resource, boolean created, boolean changed) {}

    private final IhrisOptions options;
    final IhrisGenerator gen;
    final ResourceTable practitioners;
    final ResourceTable roles;
    final ResourceTable locations;
    final ResourceTable codeSystems;
    final ResourceTable trainings;
    private final Map<String, ResourceTable> tables = new LinkedHashMap<>();
    /** Overlay roles by their current practitioner reference ("Practitioner/P1"). */
    private final ConcurrentHashMap<String, Set<String>> overlayRolesByPractitioner = new ConcurrentHashMap<>();
    private long lastTick;
    private int nextPractitioner;
    private long touchCursor;
    private long touchCount;

    public IhrisStore(IhrisOptions options) {
        this.options = options;
        this.gen = new IhrisGenerator(options.practitioners(), options.seed(), options.countryCallingCode(), options.region());
        int n = options.practitioners();
        practitioners = new ResourceTable("Practitioner", n, IhrisGenerator.T0_PRACTITIONER, IhrisGenerator.STEP,
                i -> "P" + i, gen::practitionerIndex, gen::practitioner);
        roles = new ResourceTable("PractitionerRole", gen.roleCount(), IhrisGenerator.T0_ROLE, IhrisGenerator.STEP,
                gen::roleId, gen::roleIndex, gen::role);
        locations = new ResourceTable("Location", gen.locationCount(), IhrisGenerator.T0_LOCATION, IhrisGenerator.STEP,
                k -> "L" + k, gen::locationIndex, gen::location);
        codeSystems = new ResourceTable("CodeSystem", IhrisGenerator.CODESYSTEM_IDS.length, IhrisGenerator.T0_CODESYSTEM,
                IhrisGenerator.STEP, k -> IhrisGenerator.CODESYSTEM_IDS[k], gen::codeSystemIndex, gen::codeSystem);
        trainings = new ResourceTable("Basic", gen.trainingCount(), IhrisGenerator.T0_TRAINING, IhrisGenerator.STEP,
                k -> "T" + IhrisGenerator.trainingPractitioner(k), gen::trainingIndex, gen::training);
        for (ResourceTable t : List.of(practitioners, roles, locations, codeSystems, trainings)) tables.put(t.type, t);
        nextPractitioner = n;
    }

    public IhrisOptions options() { return options; }

    // ------------------------------------------------------------------ reads

    /** Live practitioners (generated + added − deleted). */
    public int practitionerCount() { return practitioners.count(); }
    public int roleCount() { return roles.count(); }
    public int locationCount() { return locations.count(); }
    public int trainingCount() { return trainings.count(); }
    public int facilityCount() { return gen.facilities; }

    /** Current version, or null when absent. */
    public Practitioner practitioner(String id) { return (Practitioner) practitioners.read(id); }
    public PractitionerRole role(String id) { return (PractitionerRole) roles.read(id); }
    public Location location(String id) { return (Location) locations.read(id); }
    public Basic training(String id) { return (Basic) trainings.read(id); }
    public CodeSystem codeSystem(String id) { return (CodeSystem) codeSystems.read(id); }

    /** Any supported type (Practitioner, PractitionerRole, Location, CodeSystem, Basic); null when absent. */
    public Resource read(String type, String id) {
        ResourceTable t = tables.get(type);
        return t == null ? null : t.read(id);
    }

    /** Current version number of a resource, 0 when absent. */
    public long version(String type, String id) {
        ResourceTable t = tables.get(type);
        return t == null ? 0 : t.version(id);
    }

    /** Id of the {@code f}-th facility ({@code 0 <= f < facilityCount()}). */
    public String facilityId(int f) { return IhrisGenerator.facilityId(f); }

    public List<String> facilityIds() {
        List<String> ids = new ArrayList<>(gen.facilities);
        for (int f = 0; f < gen.facilities; f++) ids.add(facilityId(f));
        return ids;
    }

    /** Job code → cadre code (null for jobs without a cadre), from the generated job CodeSystem. */
    public Map<String, String> jobCadres() {
        Map<String, String> m = new LinkedHashMap<>();
        for (IhrisGenerator.Job j : IhrisGenerator.JOBS) m.put(j.code(), j.cadre());
        return m;
    }

    /** All roles (current and ended) whose practitioner is {@code Practitioner/<practitionerId>}. */
    public List<PractitionerRole> rolesOf(String practitionerId) {
        List<PractitionerRole> out = new ArrayList<>();
        for (String rid : roleIdsOf(practitionerId)) {
            PractitionerRole r = role(rid);
            if (r != null && ("Practitioner/" + practitionerId).equals(r.getPractitioner().getReference())) out.add(r);
        }
        return out;
    }

    Set<String> roleIdsOf(String practitionerId) {
        Set<String> ids = new LinkedHashSet<>();
        int i = gen.practitionerIndex(practitionerId);
        if (i >= 0) {
            ids.add("PR" + i);
            if (IhrisGenerator.hasEndedRole(i)) ids.add("PRE" + i);
        }
        Set<String> extra = overlayRolesByPractitioner.get("Practitioner/" + practitionerId);
        if (extra != null) ids.addAll(extra);
        return ids;
    }

    /** The current role (active, not ended, latest start), or null. */
    public PractitionerRole currentRole(String practitionerId) {
        PractitionerRole best = null;
        String today = LocalDate.now().toString();
        for (PractitionerRole r : rolesOf(practitionerId)) {
            if (!r.getActive()) continue;
            if (r.getPeriod().hasEnd() && r.getPeriod().getEndElement().getValueAsString().compareTo(today) < 0) continue;
            if (best == null || startOf(r).compareTo(startOf(best)) > 0) best = r;
        }
        return best;
    }

    private static String startOf(PractitionerRole r) {
        return r.getPeriod().hasStart() ? r.getPeriod().getStartElement().getValueAsString() : "";
    }

    /** lastUpdated of a resource, or null when absent. */
    public Instant lastUpdated(String type, String id) {
        ResourceTable t = tables.get(type);
        if (t == null || !t.exists(id)) return null;
        return Instant.ofEpochMilli(t.lastUpdated(id));
    }

    /** Largest Practitioner meta.lastUpdated. */
    public Instant maxLastUpdated() { return maxLastUpdated("Practitioner"); }

    /** Largest meta.lastUpdated of one resource type; null when there are none. */
    public Instant maxLastUpdated(String type) {
        ResourceTable t = tables.get(type);
        Long m = t == null ? null : t.maxLastUpdated();
        return m == null ? null : Instant.ofEpochMilli(m);
    }

    // ------------------------------------------------------------------ mutations (each bumps versionId, lastUpdated = now)

    /**
     * Changes {@code n} practitioners, chosen deterministically (a fixed stride through the generated ones, continuing
     * where the previous call stopped): alternately the mobile number (a fresh, unique E.164 number) and the family
     * name. Returns their ids in the order touched (= lastUpdated order).
     */
    public synchronized List<String> touchPractitioners(int n) {
        int base = practitioners.baseSize;
        if (base == 0 || n <= 0) return List.of();
        long stride = 1_000_003L % base == 0 || gcd(1_000_003L, base) != 1 ? 1 : 1_000_003L;
        List<String> ids = new ArrayList<>();
        int guard = 0;
        while (ids.size() < Math.min(n, base) && guard++ < 4 * base) {
            int i = (int) Math.floorMod(touchCursor++ * stride + 7, (long) base);
            String id = "P" + i;
            Practitioner p = practitioner(id);
            if (p == null || ids.contains(id)) continue;
            long c = touchCount++;
            ContactPoint phone = p.getTelecom().stream().filter(t -> t.getSystem() == ContactPoint.ContactPointSystem.PHONE)
                    .findFirst().orElse(null);
            if (c % 2 == 0 && phone != null && base + c < 10_000_000L) {
                phone.setValue(gen.e164(String.format("88%07d", gen.perm7(base + c))));
            } else {
                HumanName name = p.getNameFirstRep();
                String fam = IhrisGenerator.FAMILY[(int) Math.floorMod(c + i, (long) IhrisGenerator.FAMILY.length)];
                if (fam.equals(name.getFamily())) fam = fam + "-" + IhrisGenerator.FAMILY[(int) (c % IhrisGenerator.FAMILY.length)];
                name.setFamily(fam);
                if (name.hasText()) name.setText(String.join(" ", name.getGiven().stream().map(Object::toString).toList()) + " " + fam);
            }
            write(practitioners, id, p);
            ids.add(id);
        }
        return ids;
    }

    private static long gcd(long a, long b) { return b == 0 ? a : gcd(b, a % b); }

    /** Adds an active practitioner with one mobile number (may be null) and no role; returns its id. */
    public String addPractitioner(String given, String family, String phone) {
        Practitioner p = new Practitioner();
        p.setActive(true);
        p.addName().setUse(HumanName.NameUse.OFFICIAL).setFamily(family).addGiven(given).setText(given + " " + family);
        if (phone != null) {
            p.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setUse(ContactPoint.ContactPointUse.MOBILE).setValue(phone);
        }
        p.getMeta().addProfile(IhrisGenerator.PROFILE_PRACTITIONER);
        return addPractitioner(p);
    }

    /** Adds a practitioner and a current role {@code PR<number>} with that job at that facility; returns its id. */
    public synchronized String addPractitioner(String given, String family, String phone, String jobCode, String facilityId) {
        String id = addPractitioner(given, family, phone);
        IhrisGenerator.Job job = IhrisGenerator.JOBS.stream().filter(j -> j.code().equals(jobCode)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown job " + jobCode));
        PractitionerRole r = new PractitionerRole();
        r.getMeta().addProfile(IhrisGenerator.PROFILE_ROLE);
        r.setActive(true);
        r.setPeriod(new Period().setStartElement(new DateTimeType(LocalDate.now().toString())));
        r.addCode().addCoding(new Coding(JOB_SYSTEM, job.code(), job.display())).setText(job.display());
        r.addLocation(facilityRef(facilityId));
        r.setPractitioner(new Reference("Practitioner/" + id));
        write(roles, "PR" + id.substring(1), r);
        return id;
    }

    /** Adds a practitioner; uses its id when set and free, else assigns {@code P<next>}. Returns the id. */
    public synchronized String addPractitioner(Practitioner p) {
        String id = p.hasIdElement() && p.getIdElement().hasIdPart() ? p.getIdElement().getIdPart() : null;
        if (id == null || practitioners.lastVersion(id) > 0) id = newPractitionerId();
        write(practitioners, id, p);
        return id;
    }

    synchronized String newPractitionerId() {
        String id;
        do {
            id = "P" + nextPractitioner++;
        } while (practitioners.lastVersion(id) > 0 || roles.lastVersion("PR" + id.substring(1)) > 0);
        return id;
    }

    /** Sets {@code active = false}. */
    public synchronized void deactivate(String id) {
        Practitioner p = require(id);
        p.setActive(false);
        write(practitioners, id, p);
    }

    /** Moves the worker: its current role (or a new one) now points at {@code facilityId}. Returns the role id. */
    public synchronized String movePractitioner(String id, String facilityId) {
        require(id);
        Reference loc = facilityRef(facilityId);
        PractitionerRole r = currentRole(id);
        if (r == null) {
            r = new PractitionerRole();
            r.getMeta().addProfile(IhrisGenerator.PROFILE_ROLE);
            r.setActive(true);
            r.setPeriod(new Period().setStartElement(new DateTimeType(LocalDate.now().toString())));
            r.setPractitioner(new Reference("Practitioner/" + id));
            String rid = "PR" + id.substring(id.startsWith("P") ? 1 : 0);
            if (roles.lastVersion(rid) > 0) rid = "PR-" + id + "-" + System.nanoTime();
            r.addLocation(loc);
            write(roles, rid, r);
            return rid;
        }
        r.setLocation(new ArrayList<>(List.of(loc)));
        String rid = r.getIdElement().getIdPart();
        write(roles, rid, r);
        return rid;
    }

    /** Adds or removes the mHero opt-out tag with a new version (like emNutt's PUT). */
    public synchronized void setOptedOut(String id, boolean optedOut) {
        Practitioner p = require(id);
        p.getMeta().getTag().removeIf(c -> OPTOUT_SYSTEM.equals(c.getSystem()) && OPTOUT_CODE.equals(c.getCode()));
        if (optedOut) p.getMeta().addTag(OPTOUT_SYSTEM, OPTOUT_CODE, "Opted Out");
        write(practitioners, id, p, true);
    }

    /** Stores a new version of any supported resource (id required); returns the stored version. */
    public synchronized Resource update(Resource r) {
        String type = r.fhirType();
        ResourceTable t = table(type);
        String id = r.getIdElement().getIdPart();
        if (id == null) throw new IllegalArgumentException("resource has no id");
        return write(t, id, r);
    }

    /** Deletes a resource (searches stop returning it; reads answer 410). */
    public synchronized void delete(String type, String id) {
        ResourceTable t = table(type);
        if (!t.exists(id)) return;
        Resource before = t.read(id);
        t.delete(id, tick());
        if (before instanceof PractitionerRole pr) unindexRole(id, pr);
    }

    private Practitioner require(String id) {
        Practitioner p = practitioner(id);
        if (p == null) throw new IllegalArgumentException("no practitioner " + id);
        return p;
    }

    private Reference facilityRef(String facilityId) {
        Location l = location(facilityId);
        if (l == null) throw new IllegalArgumentException("no location " + facilityId);
        return new Reference("Location/" + facilityId).setDisplay(l.getName());
    }

    // ------------------------------------------------------------------ package-private: used by the FHIR providers

    ResourceTable table(String type) {
        ResourceTable t = tables.get(type);
        if (t == null) throw new IllegalArgumentException("unsupported type " + type);
        return t;
    }

    /** Strictly increasing server time (ms), never below the wall clock. */
    synchronized long tick() {
        long now = System.currentTimeMillis();
        lastTick = Math.max(now, lastTick + 1);
        return lastTick;
    }

    synchronized Resource write(ResourceTable t, String id, Resource r) { return write(t, id, r, false); }

    /**
     * Writes a new version. Like HAPI JPA, tags of the previous version are kept (only $meta-delete removes them)
     * unless {@code keepTagsFromBody}, which stores the body's tags as they are.
     */
    synchronized Resource write(ResourceTable t, String id, Resource r, boolean keepTagsFromBody) {
        Resource before = t.read(id);
        if (before != null && !keepTagsFromBody) mergeTags(before, r);
        Resource stored = t.put(id, r, tick());
        if (stored instanceof PractitionerRole pr) {
            if (before instanceof PractitionerRole old) unindexRole(id, old);
            String ref = pr.getPractitioner().getReference();
            if (ref != null) overlayRolesByPractitioner.computeIfAbsent(ref, k -> ConcurrentHashMap.newKeySet()).add(id);
        }
        return stored;
    }

    private void unindexRole(String id, PractitionerRole old) {
        String ref = old.getPractitioner().getReference();
        if (ref == null) return;
        Set<String> s = overlayRolesByPractitioner.get(ref);
        if (s != null) s.remove(id);
    }

    private static void mergeTags(Resource before, Resource after) {
        for (Coding tag : before.getMeta().getTag()) {
            boolean present = after.getMeta().getTag().stream()
                    .anyMatch(c -> eq(c.getSystem(), tag.getSystem()) && eq(c.getCode(), tag.getCode()));
            if (!present) after.getMeta().addTag(tag.copy());
        }
    }

    private static boolean eq(String a, String b) { return a == null ? b == null : a.equals(b); }

    /**
     * An API write with HAPI JPA semantics: {@code expectedVersion} (If-Match) must equal the current version
     * (else {@link VersionConflict}); an update that changes nothing keeps the current version.
     */
    synchronized WriteResult writeChecked(String type, String id, Resource r, Long expectedVersion,
                                          java.util.function.BiPredicate<Resource, Resource> sameContent) {
        ResourceTable t = table(type);
        long current = t.version(id);
        if (expectedVersion != null && current > 0 && expectedVersion != current) {
            throw new VersionConflict(type + "/" + id + "/_history/" + expectedVersion, current);
        }
        Resource before = current > 0 ? t.read(id) : null;
        if (before != null) {
            mergeTags(before, r);
            if (sameContent.test(before, r)) return new WriteResult(before, false, false);
        }
        return new WriteResult(write(t, id, r, true), current == 0, true);
    }

    /** Tag-only change with no new version ($meta-add / $meta-delete). */
    synchronized Resource changeTags(String type, String id, List<Coding> add, List<Coding> remove) {
        ResourceTable t = table(type);
        Resource r = t.read(id);
        if (r == null) return null;
        for (Coding c : remove) {
            r.getMeta().getTag().removeIf(x -> eq(x.getSystem(), c.getSystem()) && eq(x.getCode(), c.getCode()));
        }
        for (Coding c : add) {
            boolean present = r.getMeta().getTag().stream().anyMatch(x -> eq(x.getSystem(), c.getSystem()) && eq(x.getCode(), c.getCode()));
            if (!present) r.getMeta().addTag(c.copy());
        }
        t.replaceInPlace(id, r);
        return t.read(id);
    }

    /** Builds a history snapshot under the store lock. */
    synchronized HistoryBundleProvider history(java.util.function.Supplier<HistoryBundleProvider> s) { return s.get(); }

    /** Runs {@code s} under the store lock (consistent search snapshots). */
    synchronized Selection snapshot(java.util.function.Supplier<Selection> s) { return s.get(); }

    static final class VersionConflict extends RuntimeException {
        final String requested;
        final long current;

        VersionConflict(String requested, long current) {
            super("Trying to update " + requested + " but this is not the current version");
            this.requested = requested;
            this.current = current;
        }
    }
}
