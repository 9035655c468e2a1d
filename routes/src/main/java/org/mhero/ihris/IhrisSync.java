package org.mhero.ihris;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Resource;
import org.mhero.config.IhrisSettings;
import org.mhero.store.Failures;
import org.mhero.store.SyncStore;
import org.mhero.store.WriteBehind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The stage bean of the {@code ihris-sync} routes: the routes fetch FHIR pages through camel-fhir, this bean turns each
 * page into stored health workers. Decisions live in {@link PractitionerMapper}, {@link LocationHierarchy} and
 * {@link SyncStore}; this class only holds the state of one run ({@link Run}) between pages.
 */
public final class IhrisSync {
    private static final Logger LOG = LoggerFactory.getLogger(IhrisSync.class);
    public static final String RUN = "mheroIhrisRun";
    /** Header that makes a run a full resync. */
    public static final String FULL_RESYNC = "mheroFullResync";
    private final String wmPractitioner;
    private final String wmRole;
    private final String wmTraining;
    private final TrainingMapper trainings = new TrainingMapper();

    private final IhrisSettings settings;
    private final SyncStore store;
    private final PractitionerMapper mapper;
    private final AtomicBoolean running = new AtomicBoolean();

    /** The state of one sync run, carried between pages in an exchange property. */
    public static final class Run {
        final long id;
        final long startedNanos = System.nanoTime();
        final Instant practitionerWatermark;
        final Instant roleWatermark;
        final Instant trainingWatermark;
        int trainings, trainingsSkipped;
        /** Practitioner pages are stored behind the fetch of the next one; closed when the run ends. */
        final WriteBehind writes = new WriteBehind("ihris-sync-writer");
        Instant serverStart;
        LocationHierarchy locations;
        JobCatalog jobs = JobCatalog.empty();
        Instant rolePageMax;
        int pages, seen, created, updated, unchanged, unreachable;

        Run(long id, Instant practitionerWatermark, Instant roleWatermark, Instant trainingWatermark) {
            this.id = id;
            this.practitionerWatermark = practitionerWatermark;
            this.roleWatermark = roleWatermark;
            this.trainingWatermark = trainingWatermark;
        }

        public int created() { return created; }
        public int updated() { return updated; }
        public int unchanged() { return unchanged; }
        public int seen() { return seen; }
        public int pages() { return pages; }
    }

    public IhrisSync(IhrisSettings settings, SyncStore store, PractitionerMapper mapper) {
        this.settings = settings;
        this.store = store;
        this.mapper = mapper;
        // watermarks belong to one server: pointing base.url at another iHRIS starts with a full sync
        this.wmPractitioner = "ihris:Practitioner@" + settings.baseUrl();
        this.wmRole = "ihris:PractitionerRole@" + settings.baseUrl();
        this.wmTraining = "ihris:Training@" + settings.baseUrl();
    }

    /** Starts a run, or returns null when one is already running on this node (the routes then stop). */
    public Run begin(@org.apache.camel.Header(FULL_RESYNC) Boolean full) throws SQLException {
        if (!running.compareAndSet(false, true)) {
            LOG.info("ihris-sync is already running; this trigger is skipped");
            return null;
        }
        try {
            // a full resync reads everything again (roles come with their practitioners); unchanged data is not written
            boolean all = Boolean.TRUE.equals(full);
            Run run = new Run(store.startRun("ihris"), all ? null : store.watermark(wmPractitioner), store.watermark(wmRole),
                    all ? null : store.watermark(wmTraining));
            run.locations = new LocationHierarchy(settings.jurisdictionLevels());
            LOG.info("ihris-sync run {} started (practitioners since {}, roles since {})", run.id,
                    run.practitionerWatermark == null ? "the beginning" : run.practitionerWatermark,
                    run.roleWatermark == null ? "the beginning" : run.roleWatermark);
            return run;
        } catch (SQLException | RuntimeException e) {
            running.set(false);
            throw e;
        }
    }

    public String locationSearchUrl() {
        return "Location?_count=" + settings.pageSize();
    }

    public String jobCodeSystemUrl() {
        return "CodeSystem?url=" + settings.jobSystem();
    }

    public Bundle collectLocations(@Body Bundle page, @ExchangeProperty(RUN) Run run) {
        noteServerTime(page, run);
        for (Bundle.BundleEntryComponent e : page.getEntry()) {
            if (e.getResource() instanceof Location l) run.locations.add(l);
        }
        return page;
    }

    public void storeLocations(@ExchangeProperty(RUN) Run run) throws SQLException {
        store.storeLocations(PractitionerMapper.REGISTRY, run.locations.resolve());
        LOG.info("ihris-sync run {}: {} locations", run.id, run.locations.size());
    }

    public void loadJobs(@Body Bundle page, @ExchangeProperty(RUN) Run run) {
        CodeSystem cs = null;
        for (Bundle.BundleEntryComponent e : page.getEntry()) if (e.getResource() instanceof CodeSystem c) cs = c;
        run.jobs = JobCatalog.from(cs, settings.cadreProperty());
        if (cs == null) LOG.warn("ihris-sync run {}: job CodeSystem {} not found; cadre stays empty", run.id, settings.jobSystem());
    }

    public String practitionerSearchUrl(@ExchangeProperty(RUN) Run run) {
        StringBuilder url = new StringBuilder("Practitioner?_sort=_lastUpdated&_count=").append(settings.pageSize())
                .append("&_revinclude=PractitionerRole:practitioner");
        if (run.practitionerWatermark != null) url.append("&_lastUpdated=ge").append(run.practitionerWatermark);
        return url.toString();
    }

    /**
     * Maps one page of practitioners (with their roles included) and stores it behind the fetch of the next page (one
     * page in flight, in order; see {@link WriteBehind}); each store advances the Practitioner watermark.
     */
    public Bundle storePractitionerPage(@Body Bundle page, @ExchangeProperty(RUN) Run run) throws Exception {
        noteServerTime(page, run);
        Instant max = maxUpdated(page, Practitioner.class, true);
        // mapped here (CPU) while the previous page is still being written (mostly database waits)
        List<HealthWorkerRecord> records = map(page, run);
        run.writes.submit(() -> {
            record(run, records.size(), store.storePage(records, wmPractitioner, max));
            return null;
        });
        return page;
    }

    /** Waits for the last page stored behind the fetch. */
    public void drainWrites(@ExchangeProperty(RUN) Run run) throws Exception {
        run.writes.drain();
    }

    /** Null when roles have never been synced: the first full run covers them (see {@link #finish}). */
    public String roleSearchUrl(@ExchangeProperty(RUN) Run run) {
        if (run.roleWatermark == null) return null;
        return "PractitionerRole?_sort=_lastUpdated&_count=" + settings.pageSize() + "&_lastUpdated=ge" + run.roleWatermark;
    }

    /** From a page of changed roles: the search for their practitioners (with all their roles), or null if none. */
    public String practitionersOfRoles(@Body Bundle rolePage, @ExchangeProperty(RUN) Run run) {
        Set<String> ids = new LinkedHashSet<>();
        for (Bundle.BundleEntryComponent e : rolePage.getEntry()) {
            if (e.getResource() instanceof PractitionerRole r && r.hasPractitioner()) {
                String id = r.getPractitioner().getReferenceElement().getIdPart();
                if (id != null) ids.add(id);
            }
        }
        run.rolePageMax = maxUpdated(rolePage, PractitionerRole.class, false);
        if (ids.isEmpty()) {
            advanceRoleWatermarkOnly(run);
            return null;
        }
        return "Practitioner?_id=" + String.join(",", ids) + "&_count=" + ids.size() + "&_revinclude=PractitionerRole:practitioner";
    }

    public void storeRolePractitioners(@Body Bundle page, @ExchangeProperty(RUN) Run run) throws SQLException {
        store(page, run, wmRole, run.rolePageMax);
    }

    private void advanceRoleWatermarkOnly(Run run) {
        try {
            if (run.rolePageMax != null) store.storePage(List.of(), wmRole, run.rolePageMax);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void store(Bundle page, Run run, String watermarkSource, Instant pageMax) throws SQLException {
        List<HealthWorkerRecord> records = map(page, run);
        record(run, records.size(), store.storePage(records, watermarkSource, pageMax));
    }

    private List<HealthWorkerRecord> map(Bundle page, Run run) {
        Map<String, List<PractitionerRole>> roles = new HashMap<>();
        List<Practitioner> practitioners = new ArrayList<>();
        for (Bundle.BundleEntryComponent e : page.getEntry()) {
            Resource r = e.getResource();
            if (r instanceof Practitioner p && isMatch(e)) practitioners.add(p);
            else if (r instanceof PractitionerRole role && role.hasPractitioner()) {
                roles.computeIfAbsent(role.getPractitioner().getReferenceElement().getIdPart(), k -> new ArrayList<>()).add(role);
            }
        }
        Date today = new Date();
        List<HealthWorkerRecord> records = new ArrayList<>(practitioners.size());
        for (Practitioner p : practitioners) {
            records.add(mapper.map(p, roles.getOrDefault(p.getIdElement().getIdPart(), List.of()), run.jobs, today));
        }
        return records;
    }

    private static synchronized void record(Run run, int seen, SyncStore.PageResult r) {
        run.pages++;
        run.seen += seen;
        run.created += r.created();
        run.updated += r.updated();
        run.unchanged += r.unchanged();
        run.unreachable += r.unreachable();
        if (LOG.isDebugEnabled()) {
            LOG.debug("ihris-sync run {} page {}: {} practitioners, {} created, {} updated, {} unchanged", run.id, run.pages,
                    seen, r.created(), r.updated(), r.unchanged());
        }
    }

    /** Whether the run created or changed any health worker (groups are recomputed only then). */
    public boolean changedAnything(@ExchangeProperty(RUN) Run run) {
        return run != null && (run.created > 0 || run.updated > 0 || run.trainings > 0);
    }

    public String trainingSearchUrl(@ExchangeProperty(RUN) Run run) {
        StringBuilder url = new StringBuilder("Basic?_profile=").append(TrainingMapper.PROFILE)
                .append("&_sort=_lastUpdated&_count=").append(settings.pageSize());
        if (run.trainingWatermark != null) url.append("&_lastUpdated=ge").append(run.trainingWatermark);
        return url.toString();
    }

    /** Stores one page of in-service trainings, with the training watermark, behind the fetch of the next page. */
    public Bundle storeTrainingPage(@Body Bundle page, @ExchangeProperty(RUN) Run run) throws Exception {
        run.writes.submit(() -> {
            List<TrainingMapper.Training> list = new ArrayList<>();
            int skipped = 0;
            for (Bundle.BundleEntryComponent e : page.getEntry()) {
                if (e.getResource() instanceof org.hl7.fhir.r4.model.Basic b) {
                    TrainingMapper.Training t = trainings.map(b);
                    if (t == null) skipped++;
                    else list.add(t);
                }
            }
            int written = store.storeTrainings(PractitionerMapper.REGISTRY, list, wmTraining,
                    maxUpdated(page, org.hl7.fhir.r4.model.Basic.class, true));
            synchronized (run) {
                run.trainings += written;
                run.trainingsSkipped += skipped;
            }
            return null;
        });
        return page;
    }

    /** A search without a next link is the last page: the routes stop the loop on a null body. */
    public boolean hasNextPage(@Body Bundle page) {
        return page != null && page.getLink(Bundle.LINK_NEXT) != null;
    }

    /** Ends the run: on the first full run, starts the role watermark at the run's start (server time). */
    public Run finish(@ExchangeProperty(RUN) Run run) throws SQLException {
        run.writes.close();
        try {
            if (run.roleWatermark == null) {
                Instant start = run.serverStart != null ? run.serverStart : Instant.now().minus(Duration.ofMinutes(5));
                store.storePage(List.of(), wmRole, start);
            }
            store.finishRun(run.id, "ok", run.pages, run.seen, run.created, run.updated, run.unchanged, run.unreachable, null);
            LOG.info("ihris-sync run {} finished in {} ms: {} pages, {} practitioners seen, {} created, {} updated, {} unchanged, {} without a usable phone; {} trainings stored, {} not trainings",
                    run.id, (System.nanoTime() - run.startedNanos) / 1_000_000, run.pages, run.seen, run.created,
                    run.updated, run.unchanged, run.unreachable, run.trainings, run.trainingsSkipped);
            return run;
        } finally {
            running.set(false);
        }
    }

    /** Records a failed run; the watermark stays at the last committed page, so the next run resumes there. */
    public void fail(@ExchangeProperty(RUN) Run run, Exception cause) {
        if (run != null) {
            try {
                run.writes.drain();   // the page in flight commits or fails on its own; wait so the counts are exact
            } catch (Exception ignored) {
                // that store failed too: its page is not committed, and the watermark stays before it
            }
            run.writes.close();
        }
        try {
            if (run != null) {
                String why = Failures.describe(cause);
                store.finishRun(run.id, "failed", run.pages, run.seen, run.created, run.updated, run.unchanged, run.unreachable, why);
                LOG.error("ihris-sync run {} failed after {} pages ({} created, {} updated); the next run resumes from the last committed page: {}",
                        run.id, run.pages, run.created, run.updated, why);
            }
        } catch (SQLException e) {
            LOG.error("ihris-sync could not record the failure of run {}: {}", run.id, e.toString());
        } finally {
            running.set(false);
        }
    }

    private static void noteServerTime(Bundle page, Run run) {
        if (run.serverStart == null && page.getMeta().getLastUpdated() != null) run.serverStart = page.getMeta().getLastUpdated().toInstant();
    }

    private static boolean isMatch(Bundle.BundleEntryComponent e) {
        return !e.hasSearch() || !e.getSearch().hasMode() || e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH;
    }

    private static Instant maxUpdated(Bundle page, Class<? extends Resource> type, boolean matchesOnly) {
        Instant max = null;
        for (Bundle.BundleEntryComponent e : page.getEntry()) {
            Resource r = e.getResource();
            if (!type.isInstance(r) || (matchesOnly && !isMatch(e)) || r.getMeta().getLastUpdated() == null) continue;
            Instant t = r.getMeta().getLastUpdated().toInstant();
            if (max == null || t.isAfter(max)) max = t;
        }
        return max;
    }
}
