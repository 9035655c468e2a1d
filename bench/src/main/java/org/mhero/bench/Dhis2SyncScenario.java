package org.mhero.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ProducerTemplate;
import org.mhero.boot.MheroContext;
import org.mhero.dhis2.Dhis2Api;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Simulator;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A full DHIS2 sync of N generated users from the sandbox {@link Dhis2Simulator} through the real
 * {@code dhis2-sync.run} route, against a bare fetch-and-parse of the same pages measured in the same run (the way
 * {@link IhrisSyncScenario} measures iHRIS):
 * <ol>
 *   <li><b>baseline</b>: the pages the route reads, with the queries it builds ({@link Dhis2Api#orgUnitsUrl},
 *       {@code /api/system/info}, {@link Dhis2Api#usersUrl} without a watermark), fetched with the JDK's HttpClient,
 *       each parsed into a Jackson tree, following the pager to the end. Users/s.</li>
 *   <li><b>full sync</b>: {@code direct:dhis2-sync.run} on an empty database (org units stored, users mapped,
 *       normalised, matched, written, groups recomputed). Users/s, and <b>ratio = full-sync rate / mean baseline
 *       rate</b> (target ≥ 0.5).</li>
 *   <li><b>incremental</b>: the same run again, nothing changed: seconds; verified nothing was created or updated.</li>
 *   <li><b>baseline-2</b>: the walk again (the first one pays the JIT warm-up); the ratio uses the mean of both.</li>
 *   <li><b>full sync, second</b> (unless {@code --second-full false}): the tables the sync writes are emptied and the full
 *       sync runs again, in a JVM that has now compiled mHero's code. Reported beside the ratio, not instead of it: the
 *       first full sync is the first time this JVM runs mHero's mapping and storing code, and on two cores the JIT
 *       compiling it competes with the sync; the second shows the sync without that.</li>
 * </ol>
 * The simulator serves only users with a phone number ({@code filter=phoneNumber:!null}, as the route asks), so the
 * users walked are fewer than those generated (one in twelve has none).
 */
final class Dhis2SyncScenario {
    static final double TARGET_RATIO = 0.5;

    private final int users;
    private final int pageSize;
    private final String dbPool;
    private final boolean finalBaseline;
    private final boolean secondFull;
    private final boolean keepDb;
    private final int steadyRounds;
    private final Map<String, String> options;
    private final Map<String, Object> result = new LinkedHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private TestDatabase db;

    Dhis2SyncScenario(Bench.Options o) {
        users = o.integer("users", 10_000);
        pageSize = o.integer("page-size", 200);
        dbPool = o.string("db-pool", "hikari");
        finalBaseline = o.bool("final-baseline", true);
        secondFull = o.bool("second-full", true);
        keepDb = o.bool("keep-db", false);
        steadyRounds = o.integer("steady", 0);
        options = o.asMap();
        if (!dbPool.equals("hikari") && !dbPool.equals("none")) throw new IllegalArgumentException("--db-pool hikari|none");
    }

    /** One timed phase. */
    record Phase(String name, double seconds, long users, double cpuSeconds, Map<String, Double> threads, double pgCpuSeconds) {
        double rate() { return users / seconds; }
    }

    Map<String, Object> run() {
        result.putAll(Bench.header("dhis2-sync", options));
        result.put("users_generated", users);
        result.put("page_size", pageSize);
        String outcome = "ok";
        MheroContext mhero = null;
        com.zaxxer.hikari.HikariDataSource pool = null;
        Dhis2Simulator dhis2 = null;
        try {
            long t = System.nanoTime();
            dhis2 = Dhis2Simulator.start(Dhis2Options.defaults().users(users));
            result.put("sandbox_start_s", round((System.nanoTime() - t) / 1e9, 2));
            db = new TestDatabase();
            result.put("database", db.name());
            say("sandbox DHIS2 at %s with %,d generated users; database %s; page size %d", dhis2.baseUrl(), users, db.name(), pageSize);

            Phase b1 = baseline("baseline", dhis2);
            result.put("users_served", b1.users);

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
            mhero.setConfiguration(config(dhis2.baseUrl()));
            mhero.start();
            if (!mhero.getProblems().isEmpty()) throw new IllegalStateException("configuration problems: " + mhero.getProblems());
            result.put("context_start_s", round((System.nanoTime() - t) / 1e9, 2));
            result.put("quiesce_s", round(quiesce(pool), 2));
            ProducerTemplate template = mhero.getCamelContext().createProducerTemplate();

            Phase full = sync("full-sync", template, pool);
            Map<String, Object> fullRun = lastRun();
            result.put("full_sync_run", fullRun);
            verify("ok".equals(fullRun.get("status")), "full sync status is " + fullRun.get("status") + " (" + fullRun.get("error") + ")");
            verify(((Number) fullRun.get("seen")).longValue() == b1.users,
                    "full sync saw " + fullRun.get("seen") + " users, the baseline walked " + b1.users);
            long rows = db.count("select count(*) from source_link where registry = 'dhis2'");
            result.put("dhis2_source_links", rows);
            verify(rows == b1.users, "source_link has " + rows + " dhis2 rows, expected " + b1.users);
            verify(((Number) fullRun.get("created")).longValue() == b1.users,
                    "full sync created " + fullRun.get("created") + ", expected " + b1.users);

            Phase inc = sync("incremental", template, pool);
            Map<String, Object> incRun = lastRun();
            result.put("incremental_run", incRun);
            verify("ok".equals(incRun.get("status")), "incremental status is " + incRun.get("status"));
            verify(((Number) incRun.get("created")).intValue() == 0 && ((Number) incRun.get("updated")).intValue() == 0,
                    "incremental run wrote: created=" + incRun.get("created") + " updated=" + incRun.get("updated"));

            Phase b2 = finalBaseline ? baseline("baseline-2", dhis2) : null;

            Phase full2 = null;
            if (secondFull) {
                emptySyncedTables();
                full2 = sync("full-sync-2", template, pool);
                Map<String, Object> run2 = lastRun();
                verify("ok".equals(run2.get("status")) && ((Number) run2.get("created")).longValue() == b1.users,
                        "second full sync: " + run2);
            }

            if (steadyRounds > 0) steady(dhis2, template, pool, b1.users);

            double baseRate = b2 == null ? b1.rate() : (b1.rate() + b2.rate()) / 2;
            double ratio = full.rate() / baseRate;
            result.put("baseline_s", round(b1.seconds, 2));
            result.put("baseline_rate", round(b1.rate(), 1));
            if (b2 != null) {
                result.put("baseline2_s", round(b2.seconds, 2));
                result.put("baseline2_rate", round(b2.rate(), 1));
            }
            result.put("baseline_rate_mean", round(baseRate, 1));
            result.put("full_sync_s", round(full.seconds, 2));
            result.put("full_sync_rate", round(full.rate(), 1));
            result.put("full_sync_cpu_s", round(full.cpuSeconds, 1));
            result.put("ratio", round(ratio, 3));
            result.put("ratio_vs_first_baseline", round(full.rate() / b1.rate(), 3));
            result.put("target_ratio_met", ratio >= TARGET_RATIO);
            result.put("incremental_s", round(inc.seconds, 3));
            if (full2 != null) {
                result.put("full_sync2_s", round(full2.seconds, 2));
                result.put("full_sync2_cpu_s", round(full2.cpuSeconds, 1));
                result.put("ratio_second_full_sync", round(full2.rate() / baseRate, 3));
            }

            System.out.printf("%n%-34s %,d (of %,d generated)%n", "users with a phone (walked)", b1.users, users);
            System.out.printf("%-34s %.2f s = %,.0f users/s%n", "baseline (fetch + parse)", b1.seconds, b1.rate());
            if (b2 != null) System.out.printf("%-34s %.2f s = %,.0f users/s%n", "baseline-2", b2.seconds, b2.rate());
            System.out.printf("%-34s %.2f s = %,.0f users/s%n", "full sync", full.seconds, full.rate());
            System.out.printf("%-34s %.3f  (target ≥ %.1f: %s)%n", "ratio to the mean baseline", ratio, TARGET_RATIO, ratio >= TARGET_RATIO ? "met" : "NOT met");
            System.out.printf("%-34s %.3f s%n", "incremental, no changes", inc.seconds);
            if (full2 != null) {
                System.out.printf("%-34s %.2f s = %,.0f users/s, ratio %.3f (not the target's measure)%n",
                        "full sync, second (JIT warm)", full2.seconds, full2.rate(), full2.rate() / baseRate);
            }
        } catch (Throwable e) {
            outcome = "failed";
            result.put("error", e.toString());
            System.out.println("!!!!!!!! BENCHMARK FAILED: " + e);
            e.printStackTrace(System.out);
        } finally {
            result.put("outcome", outcome);
            result.put("loadavg_end", Bench.loadAverage());
            if (mhero != null) try { mhero.stop(); } catch (Throwable e) { say("stopping mHero: %s", e); }
            if (pool != null) try { pool.close(); } catch (Throwable e) { say("closing the pool: %s", e); }
            if (db != null && keepDb) say("database %s kept (--keep-db)", db.name());
            else if (db != null) try { db.close(); } catch (Throwable e) { say("dropping the database: %s", e); }
            if (dhis2 != null) try { dhis2.close(); } catch (Throwable e) { say("stopping the sandbox: %s", e); }
        }
        return result;
    }

    /**
     * Waits, after the context started, until the pool holds its connections (each one a SCRAM handshake, whose key
     * derivation is CPU work) and the JVM is idle (under 5% of a core over 250 ms, at most 20 s), so that the first full
     * sync is timed as the baseline was, on an idle JVM, and not charged with the tail of the context's start. Returns
     * the seconds waited.
     */
    private static double quiesce(com.zaxxer.hikari.HikariDataSource pool) throws InterruptedException {
        long t0 = System.nanoTime(), deadline = t0 + 20_000_000_000L;
        while (pool != null && pool.getHikariPoolMXBean() != null
                && pool.getHikariPoolMXBean().getTotalConnections() < pool.getMinimumIdle() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        while (System.nanoTime() < deadline) {
            long cpu0 = HeapSampler.cpuNanos(), w0 = System.nanoTime();
            Thread.sleep(250);
            double share = (HeapSampler.cpuNanos() - cpu0) / (double) (System.nanoTime() - w0);
            if (share < 0.05) break;
        }
        double waited = (System.nanoTime() - t0) / 1e9;
        say("quiesced after the context start: %.2f s", waited);
        return waited;
    }

    /** The pages the route reads: every org-unit page, the system info, every user page; each fetched and parsed. */
    private Phase baseline(String name, Dhis2Simulator dhis2) throws Exception {
        ThreadCpu threads0 = ThreadCpu.now();
        long t0 = System.nanoTime(), cpu0 = HeapSampler.cpuNanos();
        Walk w = walk(dhis2.baseUrl(), pageSize);
        Phase p = new Phase(name, (System.nanoTime() - t0) / 1e9, w.users(), (HeapSampler.cpuNanos() - cpu0) / 1e9,
                ThreadCpu.now().since(threads0), 0);
        say("%s: %,d org units and %,d users on %,d pages in %.2f s = %,.0f users/s; CPU %.2f s %s", name, w.units(), w.users(),
                w.pages(), p.seconds, p.rate(), p.cpuSeconds, p.threads);
        result.put(name.replace('-', '_') + "_cpu", p.threads);
        return p;
    }

    /** What a bare walk of the pages read. */
    record Walk(long units, long users, long pages) {}

    /**
     * The bare fetch-and-parse of the pages dhis2-sync reads, with the queries it builds: every org-unit page
     * ({@link Dhis2Api#orgUnitsUrl}), {@code /api/system/info}, every user page ({@link Dhis2Api#usersUrl} without a
     * watermark), fetched with the JDK's HttpClient and parsed into Jackson trees, following the pager to the end.
     */
    static Walk walk(String baseUrl, int pageSize) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        String auth = "ApiToken " + Dhis2Options.DEFAULT_TOKEN;
        long pages = 0, units = 0, count = 0;
        for (int page = 1; ; page++) {
            JsonNode root = get(http, auth, baseUrl + Dhis2Api.orgUnitsUrl(pageSize, page));
            pages++;
            units += root.path("organisationUnits").size();
            if (!Dhis2Api.hasNextPage(root, "organisationUnits")) break;
        }
        get(http, auth, baseUrl + "/api/system/info");
        for (int page = 1; ; page++) {
            JsonNode root = get(http, auth, baseUrl + Dhis2Api.usersUrl(pageSize, page, null));
            pages++;
            count += root.path("users").size();
            if (!Dhis2Api.hasNextPage(root, "users")) break;
        }
        return new Walk(units, count, pages);
    }

    /**
     * {@code --steady N}: N rounds of a baseline walk and a full sync into emptied tables, alternating, after everything
     * above; reports each round and the ratio of the medians. This is the JVM of a long-running Karaf, whose every sync
     * after the first few runs compiled code; the target's ratio above is the first sync's.
     */
    private void steady(Dhis2Simulator dhis2, ProducerTemplate template, DataSource pool, long users) throws Exception {
        List<Double> base = new java.util.ArrayList<>(), full = new java.util.ArrayList<>();
        List<Map<String, Object>> rounds = new java.util.ArrayList<>();
        for (int i = 1; i <= steadyRounds; i++) {
            Phase b = baseline("steady-baseline-" + i, dhis2);
            emptySyncedTables();
            Phase f = sync("steady-full-sync-" + i, template, pool);
            Map<String, Object> run = lastRun();
            verify("ok".equals(run.get("status")) && ((Number) run.get("created")).longValue() == users, "steady full sync " + i + ": " + run);
            base.add(b.seconds);
            full.add(f.seconds);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("baseline_s", round(b.seconds, 3));
            r.put("full_sync_s", round(f.seconds, 3));
            r.put("full_sync_jvm_cpu_s", round(f.cpuSeconds, 2));
            r.put("full_sync_pg_cpu_s", round(f.pgCpuSeconds, 2));
            r.put("full_sync_threads", f.threads);
            rounds.add(r);
        }
        double mb = median(base), mf = median(full);
        result.put("steady_rounds", rounds);
        result.put("steady_baseline_median_s", round(mb, 3));
        result.put("steady_full_sync_median_s", round(mf, 3));
        result.put("steady_ratio", round(mb / mf, 3));
        System.out.printf("%n%-34s baseline %.3f s, full sync %.3f s (medians of %d): ratio %.3f%n", "steady state", mb, mf,
                steadyRounds, mb / mf);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new java.util.ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static JsonNode get(HttpClient http, String auth, String url) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(60)).GET().build();
        HttpResponse<InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = res.body()) {
            if (res.statusCode() != 200) throw new IllegalStateException("HTTP " + res.statusCode() + " from " + url);
            return JSON.readTree(in);
        }
    }

    private Phase sync(String name, ProducerTemplate template, DataSource pool) throws Exception {
        PgCpu pg = pool == null ? null : new PgCpu(pool, db.name());
        ThreadCpu threads0 = ThreadCpu.now();
        java.time.Instant started = java.time.Instant.now();
        long t0 = System.nanoTime(), cpu0 = HeapSampler.cpuNanos();
        template.sendBody("direct:dhis2-sync.run", null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (HeapSampler.cpuNanos() - cpu0) / 1e9;
        Map<String, Double> threads = ThreadCpu.now().since(threads0);
        double pgCpu = pg == null ? 0 : pg.seconds();
        Map<String, Object> run = lastRun();
        Phase p = new Phase(name, seconds, ((Number) run.get("seen")).longValue(), cpu, threads, pgCpu);
        say("%s: %s in %.2f s (%,.0f users/s), created %s, updated %s, unchanged %s, pages %s", name, run.get("status"),
                p.seconds, p.rate(), run.get("created"), run.get("updated"), run.get("unchanged"), run.get("pages"));
        say("%s CPU: JVM %.2f s %s; PostgreSQL %.2f s (%s to %s)", name, p.cpuSeconds, p.threads, p.pgCpuSeconds, started, java.time.Instant.now());
        result.put(name.replace('-', '_') + "_cpu", p.threads);
        result.put(name.replace('-', '_') + "_pg_cpu_s", round(p.pgCpuSeconds, 2));
        return p;
    }

    /** What a full sync wrote (workers and everything hanging off them, locations, watermarks); sync_run is kept. */
    private void emptySyncedTables() throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("truncate health_worker, location, sync_watermark cascade");
        }
    }

    private Map<String, Object> lastRun() throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select id, status, pages, seen, created, updated, unchanged, unreachable, error "
                     + "from sync_run order by id desc limit 1")) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (!rs.next()) throw new IllegalStateException("no sync_run row");
            m.put("id", rs.getLong(1));
            m.put("status", rs.getString(2));
            m.put("pages", rs.getInt(3));
            m.put("seen", rs.getInt(4));
            m.put("created", rs.getInt(5));
            m.put("updated", rs.getInt(6));
            m.put("unchanged", rs.getInt(7));
            m.put("unreachable", rs.getInt(8));
            m.put("error", rs.getString(9));
            return m;
        }
    }

    /**
     * The shipped configuration with nothing scheduled ({@link Bench#shippedConfig}): DHIS2 pointed at the simulator
     * with the page size of the run (the run is started here), and the groups applied at start, so that the sync's
     * group recompute works on the shipped groups as in production.
     */
    private Map<String, Map<String, String>> config(String baseUrl) throws IOException {
        Map<String, Map<String, String>> pids = Bench.shippedConfig();
        Map<String, String> dhis2 = pids.get("org.mhero.dhis2");
        if (dhis2 == null) throw new IllegalStateException("no org.mhero.dhis2.cfg among the shipped configuration");
        dhis2.put("base.url", baseUrl);
        dhis2.put("page.size", Integer.toString(pageSize));
        pids.get("org.mhero.groups").put("apply.on.start", "true");
        return pids;
    }

    private static void verify(boolean ok, String what) {
        if (!ok) throw new IllegalStateException("verification failed: " + what);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static void say(String fmt, Object... args) {
        System.out.printf("[bench] " + fmt + "%n", args);
    }
}
