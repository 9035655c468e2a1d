package org.mhero.bench;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Practitioner;
import org.mhero.boot.MheroContext;
import org.mhero.config.IhrisSettings;
import org.mhero.config.Pid;
import org.mhero.ihris.FhirClientFactory;
import org.mhero.ihris.IhrisSync;
import org.mhero.sandbox.db.TestDatabase;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ihris-sync}: the sandbox iHRIS with N practitioners and a throwaway PostgreSQL database, then, in this order:
 * <ol>
 *   <li><b>baseline</b>: a bare fetch-and-parse walk (HAPI generic client) of exactly the pages ihris-sync walks;</li>
 *   <li><b>full sync</b>: {@code direct:ihris-sync.run} on a {@link MheroContext} built from the shipped etc/*.cfg;
 *       the ratio full-sync rate / baseline rate is the headline figure (target &ge; 0.5);</li>
 *   <li><b>incremental</b>: the same run again with nothing changed (target &le; 2 s, created = updated = 0);</li>
 *   <li><b>baseline again</b> (unless {@code --final-baseline false}): the ratio uses the mean of both baselines.</li>
 * </ol>
 */
final class IhrisSyncScenario {
    private static final double TARGET_RATIO = 0.5;
    private static final double TARGET_INCREMENTAL_S = 2.0;

    private final int practitioners;
    private final int pageSize;
    private final String sandboxMode;
    private final String dbPool;
    private final String sandboxHeap;
    private final String sandboxClasspath;
    private final boolean finalBaseline;
    private final boolean withBaseline;
    private final int timeoutMin;
    private final int progressS;
    private final Map<String, String> options;
    /** {@code --dhis2-users N}: the DHIS2 simulator with N generated users is synced after iHRIS (0: iHRIS only). */
    private final int dhis2Users;
    private org.mhero.sandbox.dhis2.Dhis2Simulator dhis2;

    private final Map<String, Object> result = new LinkedHashMap<>();
    private final List<Phase> phases = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private HeapSampler heap;
    private Sandbox sandbox;
    private TestDatabase db;

    IhrisSyncScenario(Bench.Options o) {
        practitioners = o.integer("practitioners", 100_000);
        pageSize = o.integer("page-size", 200);
        sandboxMode = o.string("sandbox", "in");
        dbPool = o.string("db-pool", "hikari");
        sandboxHeap = o.string("sandbox-heap", "");
        sandboxClasspath = o.string("sandbox-cp", "");
        withBaseline = o.bool("baseline", true);
        finalBaseline = withBaseline && o.bool("final-baseline", true);
        timeoutMin = o.integer("timeout-min", 60);
        progressS = o.integer("progress-s", 15);
        dhis2Users = o.integer("dhis2-users", 0);
        options = o.asMap();
        if (!sandboxMode.equals("in") && !sandboxMode.equals("fork")) throw new IllegalArgumentException("--sandbox in|fork");
        if (!dbPool.equals("hikari") && !dbPool.equals("none")) throw new IllegalArgumentException("--db-pool hikari|none");
    }

    /** One timed phase and what the process spent in it. */
    record Phase(String name, double seconds, long practitioners, double cpuSeconds, double sandboxCpuSeconds,
                 long gcMillis, long gcCount, long heapPeak) {
        double rate() { return practitioners / seconds; }
    }

    /** Counters taken at the start of a phase. */
    private final class Mark {
        final String name;
        final long t0 = System.nanoTime(), cpu0 = HeapSampler.cpuNanos(), sbCpu0 = sandbox.cpuNanos(),
                gc0 = HeapSampler.gcMillis(), gcN0 = HeapSampler.gcCount();

        Mark(String name) {
            this.name = name;
            heap.phase(name);
        }

        Phase end(long count) {
            long t1 = System.nanoTime();
            long sb = sandbox.cpuNanos();
            Phase p = new Phase(name, (t1 - t0) / 1e9, count, (HeapSampler.cpuNanos() - cpu0) / 1e9,
                    sb < 0 || sbCpu0 < 0 ? -1 : (sb - sbCpu0) / 1e9, HeapSampler.gcMillis() - gc0,
                    HeapSampler.gcCount() - gcN0, 0);
            heap.phase(name + ".done");
            p = new Phase(p.name, p.seconds, p.practitioners, p.cpuSeconds, p.sandboxCpuSeconds, p.gcMillis, p.gcCount,
                    heap.peak(name));
            phases.add(p);
            return p;
        }
    }

    Map<String, Object> run() {
        result.putAll(Bench.header("ihris-sync", options));
        result.put("practitioners", practitioners);
        result.put("page_size", pageSize);
        String outcome = "ok";
        MheroContext mhero = null;
        com.zaxxer.hikari.HikariDataSource pool = null;
        heap = new HeapSampler();
        try {
            long t = System.nanoTime();
            sandbox = sandboxMode.equals("fork")
                    ? Sandbox.forked(practitioners, sandboxHeap, sandboxClasspath)
                    : Sandbox.inProcess(practitioners);
            result.put("sandbox", sandbox.mode());
            result.put("sandbox_start_s", round((System.nanoTime() - t) / 1e9, 2));
            if (dhis2Users > 0) {
                dhis2 = org.mhero.sandbox.dhis2.Dhis2Simulator.start(org.mhero.sandbox.dhis2.Dhis2Options.defaults().users(dhis2Users));
                result.put("dhis2_users_generated", dhis2Users);
            }
            db = new TestDatabase();
            result.put("database", db.name());
            Map<String, Map<String, String>> config = config(sandbox.baseUrl());
            say("sandbox iHRIS (%s) at %s with %,d practitioners; database %s; page size %d; heap max %s",
                    sandbox.mode(), sandbox.baseUrl(), practitioners, db.name(), pageSize, mb(Runtime.getRuntime().maxMemory()));

            Pid pid = new Pid(IhrisSettings.PID, config.get(IhrisSettings.PID));
            IhrisSettings settings = IhrisSettings.from(pid);
            if (!pid.ok()) throw new IllegalStateException("configuration problems: " + pid.problems());
            String url = practitionerSearchUrl(settings);
            result.put("search_url", url);

            // 1. baseline
            Phase b1 = withBaseline ? baseline("baseline", settings, url) : null;
            Phase d1 = withBaseline && dhis2 != null ? dhis2Baseline("dhis2-baseline") : null;

            // 2. full sync
            t = System.nanoTime();
            mhero = new MheroContext();
            mhero.setName("mhero-bench");
            if (dbPool.equals("hikari")) {
                pool = Bench.hikari(db, "mhero-bench");
                mhero.setDataSource(pool);
            } else {
                mhero.setDataSource(db.dataSource());
            }
            result.put("db_pool", dbPool.equals("hikari") ? "hikari(max " + pool.getMaximumPoolSize() + ")" : "none (a new connection per use)");
            mhero.setConfiguration(config);
            mhero.start();
            if (!mhero.getProblems().isEmpty()) throw new IllegalStateException("configuration problems: " + mhero.getProblems());
            result.put("flows", mhero.getLoadedFlows());
            result.put("context_start_s", round((System.nanoTime() - t) / 1e9, 2));
            CamelContext camel = mhero.getCamelContext();
            ProducerTemplate template = camel.createProducerTemplate();

            Map<String, long[]> stats0 = Bench.processorStats("ihris-sync");
            Phase full = sync("full-sync", template);
            result.put("full_sync_processors", processorBreakdown(stats0, Bench.processorStats("ihris-sync"), full.seconds));
            Map<String, Object> fullRun = lastRun();
            result.put("full_sync_run", fullRun);
            verify("ok".equals(fullRun.get("status")), "full sync status is " + fullRun.get("status") + " (" + fullRun.get("error") + ")");
            long rows = db.count("select count(*) from health_worker");
            result.put("health_worker_rows", rows);
            verify(rows == practitioners, "health_worker has " + rows + " rows, expected " + practitioners);
            verify(((Number) fullRun.get("created")).intValue() == practitioners,
                    "full sync created " + fullRun.get("created") + ", expected " + practitioners);
            result.put("full_sync_live_heap_after_gc_mb", mbNum(heap.liveAfterGc()));
            Phase dFull = dhis2 == null ? null : dhis2Sync("dhis2-full-sync", template, d1 == null ? -1 : d1.practitioners);

            // 3. incremental, nothing changed
            Phase inc = sync("incremental", template);
            Map<String, Object> incRun = lastRun();
            result.put("incremental_run", incRun);
            verify("ok".equals(incRun.get("status")), "incremental status is " + incRun.get("status") + " (" + incRun.get("error") + ")");
            verify(((Number) incRun.get("created")).intValue() == 0 && ((Number) incRun.get("updated")).intValue() == 0,
                    "incremental run wrote: created=" + incRun.get("created") + " updated=" + incRun.get("updated"));

            Phase dInc = dhis2 == null ? null : dhis2Sync("dhis2-incremental", template, -1);

            // 4. baseline again
            Phase b2 = finalBaseline ? baseline("baseline-2", settings, url) : null;
            Phase d2 = finalBaseline && dhis2 != null ? dhis2Baseline("dhis2-baseline-2") : null;

            result.put("full_sync_s", round(full.seconds, 2));
            result.put("full_sync_rate", round(full.rate(), 1));
            if (b1 != null) {
                double baseRate = b2 == null ? b1.rate() : (b1.rate() + b2.rate()) / 2;
                result.put("baseline_rate", round(b1.rate(), 1));
                if (b2 != null) result.put("baseline2_rate", round(b2.rate(), 1));
                result.put("baseline_rate_mean", round(baseRate, 1));
                result.put("ratio", round(full.rate() / baseRate, 3));
                result.put("ratio_vs_first_baseline", round(full.rate() / b1.rate(), 3));
                result.put("target_ratio_met", full.rate() / baseRate >= TARGET_RATIO);
            }
            result.put("incremental_s", round(inc.seconds, 3));
            result.put("target_incremental_met", inc.seconds <= TARGET_INCREMENTAL_S);
            if (dFull != null) combined(b1, d1, b2, d2, full, dFull, dInc);
        } catch (Throwable e) {
            outcome = "failed";
            result.put("error", e.toString());
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            if (root != e) result.put("error_root", root.toString());
            System.out.println();
            System.out.println("!!!!!!!! BENCHMARK FAILED: " + e);
            if (root != e) System.out.println("!!!!!!!! root cause: " + root);
            e.printStackTrace(System.out);
            try {
                if (db != null) {
                    result.put("health_worker_rows", db.count("select count(*) from health_worker"));
                    result.put("last_run", lastRun());
                }
            } catch (Throwable ignored) {
                // the database may be gone, or the schema not created
            }
        } finally {
            result.put("outcome", outcome);
            result.put("peak_heap_mb", mbNum(heap.peak()));
            Map<String, Object> peaks = new LinkedHashMap<>();
            heap.phasePeaks().forEach((k, v) -> { if (!k.endsWith(".done")) peaks.put(k, mbNum(v)); });
            result.put("peak_heap_by_phase_mb", peaks);
            List<Map<String, Object>> ph = new ArrayList<>();
            for (Phase p : phases) ph.add(phaseJson(p));
            result.put("phases", ph);
            if (!notes.isEmpty()) result.put("notes", notes);
            result.put("loadavg_end", Bench.loadAverage());
            if (mhero != null) try { mhero.stop(); } catch (Throwable e) { say("stopping mHero: %s", e); }
            if (pool != null) try { pool.close(); } catch (Throwable e) { say("closing the pool: %s", e); }
            if (db != null) try { db.close(); } catch (Throwable e) { say("dropping the database: %s", e); }
            if (sandbox != null) try { sandbox.close(); } catch (Throwable e) { say("stopping the sandbox: %s", e); }
            if (dhis2 != null) try { dhis2.close(); } catch (Throwable e) { say("stopping the DHIS2 simulator: %s", e); }
            heap.close();
        }
        printTable();
        return result;
    }

    // ---- phases ----

    private Phase baseline(String name, IhrisSettings settings, String url) {
        IGenericClient client = FhirClientFactory.create(settings);
        say("%s: walking %s ...", name, url);
        Mark m = new Mark(name);
        long count = 0, pages = 0;
        Bundle page = client.search().byUrl(url).returnBundle(Bundle.class).execute();
        while (true) {
            pages++;
            for (Bundle.BundleEntryComponent e : page.getEntry()) {
                if (e.getResource() instanceof Practitioner
                        && (!e.hasSearch() || e.getSearch().getMode() != Bundle.SearchEntryMode.INCLUDE)) count++;
            }
            if (page.getLink(Bundle.LINK_NEXT) == null) break;
            page = client.loadPage().next(page).execute();
        }
        Phase p = m.end(count);
        say("%s: %,d practitioners on %,d pages in %.2f s = %,.0f practitioners/s", name, count, pages, p.seconds, p.rate());
        verify(count == practitioners, name + " saw " + count + " practitioners, expected " + practitioners);
        return p;
    }

    private Phase sync(String name, ProducerTemplate template) throws Exception {
        say("%s: direct:ihris-sync.run ...", name);
        long rows0 = db.count("select count(*) from health_worker");
        ExecutorService runner = Executors.newSingleThreadExecutor(r -> { Thread t = new Thread(r, "bench-sync"); t.setDaemon(true); return t; });
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> { Thread t = new Thread(r, "bench-progress"); t.setDaemon(true); return t; });
        Mark m = new Mark(name);
        long[] last = {m.t0, rows0};
        List<List<Number>> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
        result.put(name + "_progress", samples);   // [seconds, rows, rows/s in the interval, heap used MB]: shows a rate that decays with size
        if (progressS > 0) {
            progress.scheduleAtFixedRate(() -> {
                try {
                    long now = System.nanoTime();
                    long rows = db.count("select count(*) from health_worker");
                    say("  %s %6.0f s: %,d rows (%,.0f/s lately), heap used %s, GC %,d ms so far", name, (now - m.t0) / 1e9,
                            rows, (rows - last[1]) / ((now - last[0]) / 1e9), mb(heap.usedNow()),
                            HeapSampler.gcMillis() - m.gc0);
                    samples.add(List.of(Math.round((now - m.t0) / 1e9), rows,
                            Math.round((rows - last[1]) / ((now - last[0]) / 1e9)), mbNum(heap.usedNow())));
                    last[0] = now;
                    last[1] = rows;
                } catch (Throwable e) {
                    say("  progress: %s", e);
                }
            }, progressS, progressS, TimeUnit.SECONDS);
        }
        Future<?> f = runner.submit(() -> template.sendBody("direct:ihris-sync.run", null));
        try {
            f.get(timeoutMin, TimeUnit.MINUTES);
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " did not finish within " + timeoutMin + " min ("
                    + db.count("select count(*) from health_worker") + " rows stored)");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause());
        } finally {
            progress.shutdownNow();
            runner.shutdown();
        }
        Map<String, Object> run = lastRun();
        Phase p = m.end(((Number) run.get("seen")).longValue());
        say("%s: %s in %.2f s (%,.0f practitioners/s), created %s, updated %s, unchanged %s, pages %s", name, run.get("status"),
                p.seconds, p.rate(), run.get("created"), run.get("updated"), run.get("unchanged"), run.get("pages"));
        return p;
    }

    /** The bare walk of the pages dhis2-sync reads ({@link Dhis2SyncScenario#walk}); "practitioners" counts its users. */
    private Phase dhis2Baseline(String name) throws Exception {
        Mark m = new Mark(name);
        Dhis2SyncScenario.Walk w = Dhis2SyncScenario.walk(dhis2.baseUrl(), pageSize);
        Phase p = m.end(w.users());
        say("%s: %,d org units and %,d users on %,d pages in %.2f s = %,.0f users/s", name, w.units(), w.users(), w.pages(), p.seconds, p.rate());
        return p;
    }

    /** {@code direct:dhis2-sync.run}, timed; verified ok and, when {@code expectSeen >= 0}, that it saw that many users. */
    private Phase dhis2Sync(String name, ProducerTemplate template, long expectSeen) throws Exception {
        say("%s: direct:dhis2-sync.run ...", name);
        Mark m = new Mark(name);
        template.sendBody("direct:dhis2-sync.run", null);
        Map<String, Object> run = lastRun();
        Phase p = m.end(((Number) run.get("seen")).longValue());
        result.put(name.replace('-', '_') + "_run", run);
        verify("ok".equals(run.get("status")), name + " status is " + run.get("status") + " (" + run.get("error") + ")");
        if (expectSeen >= 0) verify(p.practitioners == expectSeen, name + " saw " + p.practitioners + " users, the walk " + expectSeen);
        say("%s: %s in %.2f s (%,.0f users/s), created %s, updated %s, unchanged %s, pages %s", name, run.get("status"),
                p.seconds, p.rate(), run.get("created"), run.get("updated"), run.get("unchanged"), run.get("pages"));
        return p;
    }

    /**
     * Both registries as one full sync: the iHRIS and then the DHIS2 full sync (whose users are matched against the
     * practitioners already stored), against the walks of both registries' pages. Records/s of the two syncs together
     * over the mean records/s of the two walks together.
     */
    private void combined(Phase b1, Phase d1, Phase b2, Phase d2, Phase full, Phase dFull, Phase dInc) {
        long records = full.practitioners + dFull.practitioners;
        double syncRate = records / (full.seconds + dFull.seconds);
        result.put("combined_records", records);
        result.put("combined_full_sync_s", round(full.seconds + dFull.seconds, 2));
        result.put("dhis2_full_sync_s", round(dFull.seconds, 2));
        result.put("dhis2_incremental_s", round(dInc.seconds, 3));
        result.put("dhis2_merged_into_practitioners", dFull.practitioners - ((Number) ((Map<?, ?>) result.get("dhis2_full_sync_run")).get("created")).longValue());
        if (b1 == null || d1 == null) return;
        double base1 = records / (b1.seconds + d1.seconds);
        double base = b2 == null || d2 == null ? base1 : (base1 + records / (b2.seconds + d2.seconds)) / 2;
        result.put("combined_baseline_s", round(b1.seconds + d1.seconds, 2));
        if (b2 != null && d2 != null) result.put("combined_baseline2_s", round(b2.seconds + d2.seconds, 2));
        result.put("combined_ratio", round(syncRate / base, 3));
        result.put("combined_ratio_vs_first_baseline", round(syncRate / base1, 3));
        result.put("dhis2_ratio", round(dFull.rate() / (d2 == null ? d1.rate() : (d1.rate() + d2.rate()) / 2), 3));
    }

    // ---- helpers ----

    /** Exactly the URL {@link IhrisSync#practitionerSearchUrl} builds for a first (full) run. */
    private String practitionerSearchUrl(IhrisSettings settings) {
        String expected = "Practitioner?_sort=_lastUpdated&_count=" + settings.pageSize() + "&_revinclude=PractitionerRole:practitioner";
        try {
            IhrisSync sync = new IhrisSync(settings, null, null);
            Constructor<IhrisSync.Run> c = IhrisSync.Run.class.getDeclaredConstructor(long.class, Instant.class, Instant.class);
            c.setAccessible(true);
            String url = sync.practitionerSearchUrl(c.newInstance(0L, null, null));
            if (!url.equals(expected)) notes.add("IhrisSync builds " + url + " (not the URL this harness expected)");
            return url;
        } catch (ReflectiveOperationException | RuntimeException e) {
            notes.add("could not ask IhrisSync for its URL (" + e + "); using " + expected);
            return expected;
        }
    }

    /**
     * The shipped configuration with nothing scheduled ({@link Bench#shippedConfig}: the 15-minute quartz trigger must
     * not start a run in the middle of a measurement; direct:ihris-sync.run is loaded and started either way): iHRIS
     * pointed at the sandbox with the page size of the run, and the groups applied at start, so that the sync's group
     * recompute works on the shipped groups as in production.
     */
    private Map<String, Map<String, String>> config(String baseUrl) throws IOException {
        Map<String, Map<String, String>> pids = Bench.shippedConfig();
        Map<String, String> ihris = pids.get(IhrisSettings.PID);
        if (ihris == null) throw new IllegalStateException("no " + IhrisSettings.PID + ".cfg among the shipped configuration");
        ihris.put("base.url", baseUrl);
        ihris.put("page.size", Integer.toString(pageSize));
        pids.get("org.mhero.groups").put("apply.on.start", "true");
        if (dhis2 != null) pids.get("org.mhero.dhis2").putAll(Map.of("base.url", dhis2.baseUrl(), "page.size", Integer.toString(pageSize)));
        result.put("pids", new java.util.TreeSet<>(pids.keySet()));
        return pids;
    }

    private Map<String, Object> lastRun() throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select id, status, pages, seen, created, updated, unchanged, unreachable, error, "
                     + "extract(epoch from (finished_at - started_at)) from sync_run order by id desc limit 1")) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (!rs.next()) {
                m.put("status", "none");
                m.put("seen", 0);
                return m;
            }
            m.put("id", rs.getLong(1));
            m.put("status", rs.getString(2));
            m.put("pages", rs.getInt(3));
            m.put("seen", rs.getInt(4));
            m.put("created", rs.getInt(5));
            m.put("updated", rs.getInt(6));
            m.put("unchanged", rs.getInt(7));
            m.put("unreachable", rs.getInt(8));
            m.put("error", rs.getString(9));
            m.put("db_duration_s", rs.getObject(10) == null ? null : round(rs.getDouble(10), 3));
            return m;
        }
    }


    /** Where the sync's time went: every processor with at least 1% of the phase (nested ones include their children). */
    private static List<Map<String, Object>> processorBreakdown(Map<String, long[]> before, Map<String, long[]> after, double seconds) {
        List<Map<String, Object>> rows = new ArrayList<>();
        after.forEach((k, v) -> {
            long[] b = before.getOrDefault(k, new long[]{0, 0});
            long ms = v[0] - b[0];
            if (ms >= seconds * 10) {   // >= 1 %
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("processor", k);
                r.put("ms", ms);
                r.put("calls", v[1] - b[1]);
                r.put("share", round(ms / (seconds * 1000), 3));
                rows.add(r);
            }
        });
        rows.sort((x, y) -> Long.compare((Long) y.get("ms"), (Long) x.get("ms")));
        return rows;
    }

    private static void verify(boolean ok, String what) {
        if (!ok) throw new IllegalStateException("VERIFICATION FAILED: " + what);
    }

    private Map<String, Object> phaseJson(Phase p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", p.name);
        m.put("seconds", round(p.seconds, 3));
        m.put("practitioners", p.practitioners);
        m.put("rate", round(p.rate(), 1));
        m.put("cpu_s", round(p.cpuSeconds, 2));
        if (p.sandboxCpuSeconds >= 0) m.put("sandbox_cpu_s", round(p.sandboxCpuSeconds, 2));
        m.put("gc_ms", p.gcMillis);
        m.put("gc_count", p.gcCount);
        m.put("heap_peak_mb", mbNum(p.heapPeak));
        return m;
    }

    private void printTable() {
        StringBuilder s = new StringBuilder();
        s.append('\n').append("== mHero bench: ihris-sync, ").append(String.format(Locale.ROOT, "%,d", practitioners))
                .append(" practitioners, page ").append(pageSize).append(", sandbox ").append(result.getOrDefault("sandbox", sandboxMode))
                .append(", db pool ").append(dbPool)
                .append(" ==\n");
        s.append(String.format(Locale.ROOT, "%-18s %10s %12s %16s %9s %12s %8s %10s %14s%n", "phase", "seconds", "practitioners",
                "practitioners/s", "cpu s", "sandbox cpu", "gc ms", "gc count", "heap peak MB"));
        for (Phase p : phases) {
            s.append(String.format(Locale.ROOT, "%-18s %10.2f %12d %16.0f %9.1f %12s %8d %10d %14.0f%n", p.name, p.seconds,
                    p.practitioners, p.rate(), p.cpuSeconds, p.sandboxCpuSeconds < 0 ? "(in cpu s)" : String.format(Locale.ROOT, "%.1f", p.sandboxCpuSeconds),
                    p.gcMillis, p.gcCount, p.heapPeak / 1048576.0));
        }
        s.append('\n');
        line(s, "baseline rate (mean)", result.get("baseline_rate_mean"), "practitioners/s (runs: " + result.get("baseline_rate")
                + (result.containsKey("baseline2_rate") ? ", " + result.get("baseline2_rate") : "") + ")");
        line(s, "full sync rate", result.get("full_sync_rate"), "practitioners/s (" + result.get("full_sync_s") + " s)");
        line(s, "ratio full/baseline", result.get("ratio"), "target >= " + TARGET_RATIO + ": " + pass(result.get("target_ratio_met"))
                + " (vs first baseline only: " + result.get("ratio_vs_first_baseline") + ")");
        line(s, "incremental, no changes", result.get("incremental_s"), "s, target <= " + TARGET_INCREMENTAL_S + " s: "
                + pass(result.get("target_incremental_met")));
        if (result.containsKey("combined_full_sync_s")) {
            line(s, "dhis2 full sync", result.get("dhis2_full_sync_s"), "s, " + result.get("dhis2_merged_into_practitioners")
                    + " users merged into practitioners; ratio alone " + result.get("dhis2_ratio") + "; incremental " + result.get("dhis2_incremental_s") + " s");
            line(s, "both registries: ratio", result.get("combined_ratio"), "full syncs " + result.get("combined_full_sync_s")
                    + " s against walks " + result.get("combined_baseline_s") + " / " + result.get("combined_baseline2_s") + " s (vs first: "
                    + result.get("combined_ratio_vs_first_baseline") + ")");
        }
        line(s, "peak heap used", result.get("peak_heap_mb"), "MB (max heap " + result.get("xmx_flag") + " = "
                + mb(Runtime.getRuntime().maxMemory()) + "; sandbox " + (sandboxMode.equals("fork") ? "not included" : "included") + ")");
        line(s, "live heap after full sync", result.get("full_sync_live_heap_after_gc_mb"), "MB (after System.gc())");
        line(s, "outcome", result.get("outcome"), result.containsKey("error") ? String.valueOf(result.get("error")) : "");
        Object procs = result.get("full_sync_processors");
        if (procs instanceof List<?> l && !l.isEmpty()) {
            s.append("\nfull sync, time by Camel processor (nested processors include their children):\n");
            for (Object o : l) {
                Map<?, ?> r = (Map<?, ?>) o;
                s.append(String.format(Locale.ROOT, "  %5.1f%%  %9d ms  %7d calls  %s%n", ((Number) r.get("share")).doubleValue() * 100,
                        r.get("ms"), r.get("calls"), r.get("processor")));
            }
        }
        System.out.println(s);
    }

    private static void line(StringBuilder s, String what, Object value, String rest) {
        s.append(String.format(Locale.ROOT, "%-28s %12s  %s%n", what, value == null ? "-" : value, rest));
    }

    private static String pass(Object met) {
        return met == null ? "-" : Boolean.TRUE.equals(met) ? "PASS" : "FAIL";
    }

    private static void say(String fmt, Object... args) {
        System.out.printf(Locale.ROOT, "[bench %tT] " + fmt + "%n", prepend(new java.util.Date(), args));
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] out = new Object[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static double mbNum(long bytes) { return round(bytes / 1048576.0, 1); }
    private static String mb(long bytes) { return String.format(Locale.ROOT, "%.0f MB", bytes / 1048576.0); }
}
