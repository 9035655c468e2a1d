package org.mhero.dhis2;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.ihris.LocationHierarchy;
import org.mhero.store.Failures;
import org.mhero.store.SyncStore;
import org.mhero.store.WriteBehind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The stage bean of the {@code dhis2-sync} routes: the routes fetch DHIS2 pages through camel-http, this bean builds the
 * queries and turns each page into stored locations and health workers. Decisions live in {@link Dhis2OrgUnitMapper},
 * {@link Dhis2UserMapper}, {@link Dhis2Api} and {@link SyncStore}; this class only holds the state of one run
 * ({@link Run}) between pages. A page is in memory while it waits for the writer (at most
 * {@link #MAX_USERS_PER_WRITE} users wait, with page sizes up to that) and while it is written; only the locations are
 * held until the end of their walk.
 */
public final class Dhis2Sync {
    private static final Logger LOG = LoggerFactory.getLogger(Dhis2Sync.class);
    public static final String RUN = "mheroDhis2Run";
    private static final int MAX_ERROR_BODY = 300;
    /**
     * Users read while the writer is still storing earlier ones are stored together, up to this many in one transaction
     * (five pages of the default 200): the writer then pays one commit and one round of statements for all of them.
     */
    static final int MAX_USERS_PER_WRITE = 1000;

    private final Dhis2Settings settings;
    private final SyncStore store;
    private final Dhis2OrgUnitMapper orgUnits;
    private final Dhis2UserMapper users;
    private final String wmUsers;
    /** Header that makes a run a full resync. */
    public static final String FULL_RESYNC = "mheroFullResync";
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final AtomicBoolean running = new AtomicBoolean();

    /** The state of one sync run, carried between pages in an exchange property. */
    public static final class Run {
        final long id;
        final long startedNanos = System.nanoTime();
        final Instant userWatermark;
        List<LocationHierarchy.Node> locations = new ArrayList<>();
        int locationCount;
        int orgUnitPage, userPage;
        boolean moreOrgUnits = true, moreUsers = true;
        Instant serverStart, maxUpdated;
        int pages, seen, created, updated, unchanged, unreachable;
        /** User pages are stored behind the fetch of the next ones (one store in flight, in order); closed when the run ends. */
        final WriteBehind writes = new WriteBehind("dhis2-sync-writer");
        /** Users read but not yet handed to the writer (it was busy), by source id: a user read twice keeps its last copy. */
        final Map<String, HealthWorkerRecord> waiting = new LinkedHashMap<>();
        int waitingPages, waitingSeen;

        Run(long id, Instant userWatermark) {
            this.id = id;
            this.userWatermark = userWatermark;
        }

        public long id() { return id; }
        public int created() { return created; }
        public int updated() { return updated; }
        public int unchanged() { return unchanged; }
        public int seen() { return seen; }
        public int pages() { return pages; }
    }

    public Dhis2Sync(Dhis2Settings settings, SyncStore store, Dhis2OrgUnitMapper orgUnits, Dhis2UserMapper users) {
        this.settings = settings;
        this.store = store;
        this.orgUnits = orgUnits;
        this.users = users;
        // watermarks belong to one server: pointing base.url at another DHIS2 starts with a full sync
        this.wmUsers = "dhis2:users@" + settings.baseUrl();
    }

    /** Starts a run, or returns null when one is already running on this node (the routes then stop). */
    public Run begin(@org.apache.camel.Header(FULL_RESYNC) Boolean full) throws SQLException {
        if (!running.compareAndSet(false, true)) {
            LOG.info("dhis2-sync is already running; this trigger is skipped");
            return null;
        }
        try {
            // a full resync reads everything again; what is unchanged is still not written
            Run run = new Run(store.startRun(Dhis2UserMapper.REGISTRY), Boolean.TRUE.equals(full) ? null : store.watermark(wmUsers));
            LOG.info("dhis2-sync run {} started (users changed since {})", run.id,
                    run.userWatermark == null ? "the beginning" : Dhis2Api.formatTimestamp(run.userWatermark));
            return run;
        } catch (SQLException | RuntimeException e) {
            running.set(false);
            throw e;
        }
    }

    // ------------------------------------------------------------------ organisation units

    public boolean moreOrgUnits(@ExchangeProperty(RUN) Run run) { return run.moreOrgUnits; }

    /** The query of the next page of organisation units (for the {@code CamelHttpQuery} header). */
    public String nextOrgUnitQuery(@ExchangeProperty(RUN) Run run) {
        return Dhis2Api.orgUnitsQuery(settings.pageSize(), ++run.orgUnitPage);
    }

    public void collectOrgUnits(@Body InputStream page, @ExchangeProperty(RUN) Run run) throws IOException {
        JsonNode root = read(page);
        for (JsonNode ou : root.path("organisationUnits")) {
            LocationHierarchy.Node n = orgUnits.map(ou);
            if (n != null) run.locations.add(n);
        }
        run.moreOrgUnits = Dhis2Api.hasNextPage(root, "organisationUnits");
    }

    public void storeOrgUnits(@ExchangeProperty(RUN) Run run) throws SQLException {
        store.storeLocations(Dhis2OrgUnitMapper.REGISTRY, run.locations);
        run.locationCount = run.locations.size();
        run.locations = List.of();
        LOG.info("dhis2-sync run {}: {} organisation units", run.id, run.locationCount);
    }

    // ------------------------------------------------------------------ users

    /** {@code /api/system/info}: the server's clock at the start of the user walk caps the next watermark. */
    public void noteServerTime(@Body InputStream info, @ExchangeProperty(RUN) Run run) throws IOException {
        run.serverStart = Dhis2Api.parseTimestamp(Dhis2OrgUnitMapper.text(read(info), "serverDate"));
    }

    public boolean moreUsers(@ExchangeProperty(RUN) Run run) { return run.moreUsers; }

    /** The query of the next page of users (for the {@code CamelHttpQuery} header). */
    public String nextUserQuery(@ExchangeProperty(RUN) Run run) {
        return Dhis2Api.usersQuery(settings.pageSize(), ++run.userPage, run.userWatermark);
    }

    /**
     * Maps one page of users (here, while earlier pages are still being written) and hands it to the writer, which stores
     * it behind the fetch of the next pages ({@link WriteBehind}: one store in flight, in order; a failed store fails the
     * run at the next hand-over or in {@link #finish}). Pages read while the writer is busy wait and are stored together,
     * in one transaction of up to {@link #MAX_USERS_PER_WRITE} users. The watermark advances in {@link #finish}, after
     * the last store.
     */
    public void storeUsersPage(@Body InputStream page, @ExchangeProperty(RUN) Run run) throws Exception {
        JsonNode root = read(page);
        List<HealthWorkerRecord> records = new ArrayList<>();
        for (JsonNode u : root.path("users")) {
            HealthWorkerRecord r = users.map(u);
            if (r == null) continue;
            records.add(r);
            if (r.sourceUpdated() != null && (run.maxUpdated == null || r.sourceUpdated().isAfter(run.maxUpdated))) {
                run.maxUpdated = r.sourceUpdated();
            }
        }
        run.moreUsers = Dhis2Api.hasNextPage(root, "users");
        // a full batch goes to the writer (waiting for the store in flight) before this page would make it too large
        if (!run.waiting.isEmpty() && run.waiting.size() + records.size() > MAX_USERS_PER_WRITE) handOver(run);
        for (HealthWorkerRecord r : records) run.waiting.put(r.sourceId(), r);
        run.waitingPages++;
        run.waitingSeen += records.size();
        if (!run.writes.busy()) handOver(run);
    }

    /** Submits the waiting users as one store (waiting first for the store in flight, and rethrowing its failure). */
    private void handOver(Run run) throws Exception {
        if (run.waitingPages == 0) return;
        List<HealthWorkerRecord> users = new ArrayList<>(run.waiting.values());
        int pages = run.waitingPages, seen = run.waitingSeen;
        run.waiting.clear();
        run.waitingPages = 0;
        run.waitingSeen = 0;
        run.writes.submit(() -> {
            record(run, pages, seen, store.storePage(users, wmUsers, null));
            return null;
        });
    }

    private static synchronized void record(Run run, int pages, int seen, SyncStore.PageResult r) {
        run.pages += pages;
        run.seen += seen;
        run.created += r.created();
        run.updated += r.updated();
        run.unchanged += r.unchanged();
        run.unreachable += r.unreachable();
        if (LOG.isDebugEnabled()) {
            LOG.debug("dhis2-sync run {} pages to {}: {} users, {} created, {} updated, {} unchanged", run.id, run.pages,
                    seen, r.created(), r.updated(), r.unchanged());
        }
    }

    /** The next user watermark: the largest lastUpdated seen, capped at the server's time when the walk began. */
    static Instant nextWatermark(Instant maxSeen, Instant serverStart) {
        if (maxSeen == null) return null;
        return serverStart != null && serverStart.isBefore(maxSeen) ? serverStart : maxSeen;
    }

    /** Ends the run: advances the user watermark (only forward; an unchanged one is not written). */
    public Run finish(@ExchangeProperty(RUN) Run run) throws Exception {
        try {
            handOver(run);
            run.writes.drain();   // the last page is committed (or its failure fails the run) before the watermark moves
            Instant wm = nextWatermark(run.maxUpdated, run.serverStart);
            if (wm != null && (run.userWatermark == null || wm.isAfter(run.userWatermark))) {
                store.storePage(List.of(), wmUsers, wm);
            }
            store.finishRun(run.id, "ok", run.pages, run.seen, run.created, run.updated, run.unchanged, run.unreachable, null);
            LOG.info("dhis2-sync run {} finished in {} ms: {} organisation units, {} pages, {} users seen, {} created, {} updated, {} unchanged, {} without a usable phone",
                    run.id, (System.nanoTime() - run.startedNanos) / 1_000_000, run.locationCount, run.pages, run.seen,
                    run.created, run.updated, run.unchanged, run.unreachable);
            return run;
        } finally {
            run.writes.close();
            running.set(false);
        }
    }

    /** Records a failed run; the watermark stays where it was, so the next run walks the same users again. */
    public void fail(@ExchangeProperty(RUN) Run run, Exception cause) {
        if (run != null) {
            try {
                handOver(run);        // the pages read before the failure are stored, as if each had been handed over at once
                run.writes.drain();   // the store in flight commits or fails on its own; wait so the counts are exact
            } catch (Exception ignored) {
                // a store failed (perhaps the cause of this failure): its pages are not committed
            }
            run.writes.close();
        }
        try {
            if (run != null) {
                String why = describe(cause);
                store.finishRun(run.id, "failed", run.pages, run.seen, run.created, run.updated, run.unchanged, run.unreachable, why);
                LOG.error("dhis2-sync run {} failed after {} pages ({} created, {} updated); the watermark is kept: {}",
                        run.id, run.pages, run.created, run.updated, why);
            }
        } catch (SQLException e) {
            LOG.error("dhis2-sync could not record the failure of run {}: {}", run.id, e.toString());
        } finally {
            running.set(false);
        }
    }

    /** Status, what was called and a truncated body for HTTP failures (never the Authorization header). */
    static String describe(Exception cause) {
        if (cause == null) return "unknown";
        if (cause instanceof HttpOperationFailedException h) {
            String body = h.getResponseBody() == null ? "" : h.getResponseBody().replaceAll("\\s+", " ").trim();
            if (body.length() > MAX_ERROR_BODY) body = body.substring(0, MAX_ERROR_BODY) + "...";
            String hint = h.getStatusCode() == 401 ? " (check auth.type and auth.token or auth.username/auth.password of "
                    + Dhis2Settings.PID + ")" : h.getStatusCode() == 403 ? " (the DHIS2 user lacks an authority)" : "";
            return "HTTP " + h.getStatusCode() + " from DHIS2 " + pathOf(h.getUri()) + hint + ": " + body;
        }
        return Failures.describe(cause);
    }

    private static String pathOf(String uri) {
        if (uri == null) return "";
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** A body that is not JSON is not a technical error to retry (errors.xml retries IOException): it fails the run. */
    private JsonNode read(InputStream in) throws IOException {
        if (in == null) throw new IllegalStateException("DHIS2 answered without a body");
        try (in) {
            JsonNode root = json.readTree(in);
            if (root == null || !root.isObject()) throw new IllegalStateException("DHIS2 answered without a JSON object");
            return root;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("DHIS2 answered something that is not JSON: " + e.getOriginalMessage());
        }
    }
}
