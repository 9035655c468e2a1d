package org.mhero.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.mhero.boot.MheroContext;
import org.mhero.inbound.stock.StockPayload;
import org.mhero.sandbox.core.RecordedCall;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.dhis2.Dhis2Model;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Simulator;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Stock-report latency: SMS stock reports arrive at a sustained rate on mHero's Kannel get-url intake (as Kannel would
 * call it) and the time from each request leaving the driver to its data value set being stored by the sandbox DHIS2
 * simulator is measured (the simulator records each call when it has answered it). Every report is distinct (its ORS
 * quantity is its sequence number), so each DHIS2 call is matched to its message.
 * <ol>
 *   <li><b>baseline</b>: the same data value sets POSTed straight to the simulator by the driver at the same rate (HTTP
 *       on loopback + the simulator's import): the floor any route shares.</li>
 *   <li><b>stock</b>: {@code STOCK ORS <k> ZINC <n>} from N workers, each at a DHIS2 facility in the STOCK data set,
 *       through intake (persist, answer), the fast path, inbound.route, inbound.stock (grammar, org unit, period,
 *       stock_report, POST /api/dataValueSets, answer) and the settle that writes the reply into the outbox (replies go
 *       out to the Kannel simulator meanwhile).</li>
 * </ol>
 * Latencies count from the <i>intended</i> send time of an open-loop schedule, so a stalled driver cannot hide queueing.
 * A missing report counts as -1 ms in the figures and fails the verification. Verified: every report imported once (one DHIS2 call per message, one stock_report row each).
 */
final class InboundStockScenario {
    static final double TARGET_P99_MS = 1000;
    static final String KANNEL_TOKEN = "bench-kannel-inbound-secret";

    private final int rate;
    private final int seconds;
    private final int workers;
    private final boolean replies;
    private final Map<String, String> options;
    private final Map<String, Object> result = new LinkedHashMap<>();
    private final ObjectMapper json = new ObjectMapper();

    InboundStockScenario(Bench.Options o) {
        rate = o.integer("rate", 50);
        seconds = o.integer("seconds", 30);
        workers = o.integer("workers", 200);
        replies = o.bool("replies", true);
        options = o.asMap();
    }

    Map<String, Object> run() {
        result.putAll(Bench.header("inbound-stock", options));
        result.put("rate_per_s", rate);
        result.put("seconds", seconds);
        result.put("workers", workers);
        result.put("replies", replies);
        String outcome = "ok";
        MheroContext mhero = null;
        com.zaxxer.hikari.HikariDataSource pool = null;
        Dhis2Simulator dhis2 = null;
        KannelSimulator kannel = null;
        TestDatabase db = null;
        try {
            dhis2 = Dhis2Simulator.start(Dhis2Options.defaults().tree(5, 5, 10).users(10));
            kannel = KannelSimulator.start(KannelOptions.defaults());
            db = new TestDatabase();
            pool = Bench.hikari(db, "mhero-bench");
            List<String> inStock = dhis2.model().stockDataSet().orgUnitIds();
            List<Dhis2Model.OrgUnit> facilities = dhis2.model().orgUnitsAtLevel(4).stream().filter(f -> inStock.contains(f.id())).toList();
            say("sandbox DHIS2 at %s (%d facilities in the STOCK data set); database %s", dhis2.baseUrl(), facilities.size(), db.name());

            int port = freePort();
            String base = "http://127.0.0.1:" + port;
            mhero = new MheroContext();
            mhero.setName("mhero-bench");
            mhero.setDataSource(pool);
            var config = Bench.shippedConfig();
            config.get("org.mhero.api").putAll(Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port)));
            config.get("org.mhero.channel").putAll(Map.of("active", "kannel", "kannel.url", kannel.sendsmsUrl(), "dlr.base.url", base,
                    "dispatch.poll.ms", "100"));
            config.get("org.mhero.dhis2").putAll(Map.of("base.url", dhis2.baseUrl()));
            config.get("org.mhero.rapidpro").putAll(Map.of("api.url", "http://127.0.0.1:9"));
            config.get("org.mhero.inbound").putAll(Map.of("kannel.secret", KANNEL_TOKEN));
            if (!replies) config.get("org.mhero.inbound").put("reply.stock.received", "");
            mhero.setConfiguration(config);
            mhero.start();
            if (!mhero.getProblems().isEmpty()) throw new IllegalStateException("configuration problems: " + mhero.getProblems());

            List<String> phones = new ArrayList<>();
            List<String> orgUnitOf = new ArrayList<>();
            try (Connection c = pool.getConnection()) {
                for (int w = 0; w < workers; w++) {
                    Dhis2Model.OrgUnit f = facilities.get(w % facilities.size());
                    String phone = String.format("+23177%07d", 3_000_000 + w);
                    long loc;
                    try (PreparedStatement ps = c.prepareStatement("insert into location (registry, source_id, name, level, path, content_hash)"
                            + " values ('dhis2', ?, ?, 'facility', ?, 'x') on conflict (registry, source_id) do update set name = excluded.name returning id")) {
                        ps.setString(1, f.id());
                        ps.setString(2, f.name());
                        ps.setString(3, f.path());
                        try (ResultSet rs = ps.executeQuery()) { rs.next(); loc = rs.getLong(1); }
                    }
                    long hw;
                    try (PreparedStatement ps = c.prepareStatement("insert into health_worker (display_name, facility_id) values (?, ?) returning id")) {
                        ps.setString(1, "Bench worker " + w);
                        ps.setLong(2, loc);
                        try (ResultSet rs = ps.executeQuery()) { rs.next(); hw = rs.getLong(1); }
                    }
                    try (PreparedStatement ps = c.prepareStatement("insert into phone (health_worker_id, registry, raw_value, e164, is_primary) values (?, 'csv', ?, ?, true)")) {
                        ps.setLong(1, hw);
                        ps.setString(2, phone);
                        ps.setString(3, phone);
                        ps.executeUpdate();
                    }
                    phones.add(phone);
                    orgUnitOf.add(f.id());
                }
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                    .executor(java.util.concurrent.Executors.newFixedThreadPool(8)).build();
            int n = rate * seconds;

            // ---- warm-up: a few reports through both paths (JIT, connection pools), not measured
            String period = StockPayload.period(Instant.now(), java.time.ZoneId.of("Africa/Monrovia"), "monthly", 0);
            runBaseline(http, dhis2, "warm-up-baseline", Math.min(rate, 20), 2, 900_000, orgUnitOf, period);
            runStock(http, base, dhis2, db, "warm-up", Math.min(rate, 20), 2, 900_000, phones);

            Map<String, Object> baseline = runBaseline(http, dhis2, "baseline", rate, seconds, 0, orgUnitOf, period);
            Map<String, long[]> before = Bench.processorStats("inbound");
            Map<String, Object> stock = runStock(http, base, dhis2, db, "stock", rate, seconds, 0, phones);
            List<Map<String, Object>> where = processorMeans(before, Bench.processorStats("inbound"));
            result.put("stock_processors", where);
            baseline.forEach((k, v) -> result.put("baseline_" + k, v));
            stock.forEach((k, v) -> result.put("stock_" + k, v));
            double p99 = ((Number) stock.get("p99_ms")).doubleValue();
            result.put("p99_vs_baseline_p99", round(p99 / Math.max(0.001, ((Number) baseline.get("p99_ms")).doubleValue()), 2));
            result.put("target_p99_ms", TARGET_P99_MS);
            result.put("target_met", p99 <= TARGET_P99_MS);

            System.out.printf("%n%-40s %,d reports at %d/s for %d s (%d workers)%n", "offered", n, rate, seconds, workers);
            System.out.printf("%-40s p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n", "baseline: direct POST to DHIS2 sim",
                    baseline.get("p50_ms"), baseline.get("p90_ms"), baseline.get("p99_ms"), baseline.get("max_ms"));
            System.out.printf("%-40s p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n", "stock: intake -> stored in DHIS2 sim",
                    stock.get("p50_ms"), stock.get("p90_ms"), stock.get("p99_ms"), stock.get("max_ms"));
            System.out.printf("%-40s p50 %.1f ms  p99 %.1f ms%n", "intake answer (HTTP round trip)", stock.get("intake_p50_ms"), stock.get("intake_p99_ms"));
            System.out.printf("%-40s %.0f/s%n", "achieved send rate", stock.get("achieved_rate"));
            System.out.printf("%-40s %.1f ms (target <= %.0f ms: %s)%n", "stock p99", p99, TARGET_P99_MS, p99 <= TARGET_P99_MS ? "met" : "NOT met");
            System.out.println("mean time per call of the inbound processors (nested ones include their children):");
            for (Map<String, Object> w : where) System.out.printf("  %-70s %8.2f ms x %d%n", w.get("processor"), w.get("mean_ms"), w.get("calls"));
            if (!"ok".equals(stock.get("verified"))) throw new IllegalStateException("verification failed: " + stock.get("verified"));
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
            if (db != null) try { db.close(); } catch (Throwable e) { say("dropping the database: %s", e); }
            if (dhis2 != null) try { dhis2.close(); } catch (Throwable e) { say("stopping DHIS2: %s", e); }
            if (kannel != null) try { kannel.close(); } catch (Throwable e) { say("stopping Kannel: %s", e); }
        }
        return result;
    }

    /** Open loop: message k is due at t0 + k/rate; each call is sent asynchronously at (or as soon after) its due time. */
    private interface Sender { CompletableFuture<Integer> send(int k); }

    private static long[] openLoop(int n, int rate, Sender sender, Map<Integer, Long> answered, List<CompletableFuture<Integer>> calls) {
        long[] due = new long[n];
        long t0 = System.nanoTime() + 50_000_000L;
        for (int k = 0; k < n; k++) {
            due[k] = t0 + (long) (k * 1e9 / rate);
            long wait = due[k] - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            final int kk = k;
            calls.add(sender.send(k).whenComplete((s, e) -> answered.put(kk, System.nanoTime())));
        }
        return due;
    }

    private Map<String, Object> runBaseline(HttpClient http, Dhis2Simulator dhis2, String name, int rate, int seconds, int offset,
                                            List<String> orgUnitOf, String period) throws Exception {
        int n = rate * seconds;
        dhis2.calls().clear();
        Map<Integer, Long> answered = new ConcurrentHashMap<>();
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        long wall0 = System.nanoTime();
        Instant instant0 = Instant.now();
        long[] due = openLoop(n, rate, k -> {
            String body = "{\"dataSet\":\"STOCK\",\"period\":\"" + period + "\",\"orgUnit\":\"" + orgUnitOf.get(k % orgUnitOf.size())
                    + "\",\"dataValues\":[{\"dataElement\":\"ORS\",\"value\":\"" + (offset + k + 1) + "\"},{\"dataElement\":\"ZINC\",\"value\":\"7\"}]}";
            HttpRequest req = HttpRequest.newBuilder(URI.create(dhis2.baseUrl() + "/api/dataValueSets?" + StockPayload.query(true, false)))
                    .header("Authorization", "ApiToken " + Dhis2Options.DEFAULT_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            return http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
        }, answered, calls);
        CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get(120, java.util.concurrent.TimeUnit.SECONDS);
        double sendSeconds = (System.nanoTime() - wall0) / 1e9;
        Map<Integer, Long> stored = storedAt(dhis2, offset, n, wall0, instant0);
        Map<String, Object> r = latencies(due, stored, n);
        r.put("achieved_rate", round(n / sendSeconds, 1));
        long non200 = calls.stream().filter(c -> c.join() != 200).count();
        r.put("non_200", non200);
        say("%s: %,d direct posts, p50 %.1f ms, p99 %.1f ms", name, n, r.get("p50_ms"), r.get("p99_ms"));
        return r;
    }

    private Map<String, Object> runStock(HttpClient http, String base, Dhis2Simulator dhis2, TestDatabase db, String name, int rate,
                                         int seconds, int offset, List<String> phones) throws Exception {
        int n = rate * seconds;
        dhis2.calls().clear();
        Map<Integer, Long> answered = new ConcurrentHashMap<>();
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        long reportsBefore = db.count("select count(*) from stock_report");
        String run = name + "-" + System.nanoTime();
        long wall0 = System.nanoTime();
        Instant instant0 = Instant.now();
        long[] due = openLoop(n, rate, k -> {
            String url = base + "/inbound/kannel?token=" + KANNEL_TOKEN + "&from=" + enc(phones.get(k % phones.size())) + "&to=1234&text="
                    + enc("STOCK ORS " + (offset + k + 1) + " ZINC 7") + "&id=" + run + "-" + k;
            return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .thenApply(HttpResponse::statusCode);
        }, answered, calls);
        CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get(120, java.util.concurrent.TimeUnit.SECONDS);
        double sendSeconds = (System.nanoTime() - wall0) / 1e9;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (db.count("select count(*) from stock_report where status <> 'sending'") - reportsBefore < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Map<Integer, Long> stored = storedAt(dhis2, offset, n, wall0, instant0);
        Map<String, Object> r = latencies(due, stored, n);
        long[] intake = new long[n];
        for (int k = 0; k < n; k++) intake[k] = answered.getOrDefault(k, Long.MAX_VALUE) - due[k];
        Arrays.sort(intake);
        r.put("intake_p50_ms", round(intake[(int) Math.floor(0.50 * (n - 1))] / 1e6, 1));
        r.put("intake_p99_ms", round(intake[(int) Math.floor(0.99 * (n - 1))] / 1e6, 1));
        r.put("achieved_rate", round(n / sendSeconds, 1));
        long non200 = calls.stream().filter(c -> c.join() != 200).count();
        long imported = db.count("select count(*) from stock_report where status = 'imported'") ;
        long posts = dhis2.calls().all().stream().filter(c -> c.path().equals("/api/dataValueSets")).count();
        r.put("intake_non_200", non200);
        r.put("reports_recorded", db.count("select count(*) from stock_report") - reportsBefore);
        r.put("dhis2_posts", posts);
        String verified = non200 > 0 ? non200 + " intake answers were not 200"
                : posts != n ? posts + " DHIS2 posts for " + n + " reports"
                : stored.size() != n ? stored.size() + " of " + n + " reports reached DHIS2"
                : (long) r.get("reports_recorded") != n ? r.get("reports_recorded") + " stock_report rows for " + n + " reports" : "ok";
        r.put("verified", verified);
        r.put("imported_total", imported);
        say("%s: %,d SMS reports, p50 %.1f ms, p99 %.1f ms (%s)", name, n, r.get("p50_ms"), r.get("p99_ms"), verified);
        return r;
    }

    /** When the simulator stored each report of this run (matched by its ORS value), on the driver's nanoTime scale. */
    private Map<Integer, Long> storedAt(Dhis2Simulator dhis2, int offset, int n, long wall0, Instant instant0) throws Exception {
        Map<Integer, Long> out = new HashMap<>();
        for (RecordedCall c : dhis2.calls().all()) {
            if (!c.path().equals("/api/dataValueSets") || c.status() != 200) continue;
            JsonNode set = json.readTree(c.body());
            for (JsonNode v : set.path("dataValues")) {
                if (!"ORS".equals(v.path("dataElement").asText())) continue;
                int k = Integer.parseInt(v.path("value").asText()) - offset - 1;
                if (k < 0 || k >= n) continue;
                long nanosAfter = Duration.between(instant0, c.at()).toNanos();
                out.put(k, wall0 + nanosAfter);
            }
        }
        return out;
    }

    private static Map<String, Object> latencies(long[] due, Map<Integer, Long> stored, int n) {
        long[] lat = new long[n];
        int missing = 0;
        for (int k = 0; k < n; k++) {
            Long s = stored.get(k);
            if (s == null) { lat[k] = Long.MAX_VALUE; missing++; } else lat[k] = Math.max(0, s - due[k]);
        }
        Arrays.sort(lat);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("count", n);
        r.put("missing", missing);
        r.put("p50_ms", ms(lat[(int) Math.floor(0.50 * (n - 1))]));
        r.put("p90_ms", ms(lat[(int) Math.floor(0.90 * (n - 1))]));
        r.put("p99_ms", ms(lat[(int) Math.floor(0.99 * (n - 1))]));
        r.put("max_ms", ms(lat[n - 1]));
        return r;
    }


    /** Mean milliseconds per call of each processor that ran during the phase, slowest first (top 15). */
    private static List<Map<String, Object>> processorMeans(Map<String, long[]> before, Map<String, long[]> after) {
        List<Map<String, Object>> rows = new ArrayList<>();
        after.forEach((k, v) -> {
            long[] b = before.getOrDefault(k, new long[] {0, 0});
            long calls = v[1] - b[1];
            if (calls <= 0) return;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("processor", k);
            r.put("calls", calls);
            r.put("mean_ms", round((double) (v[0] - b[0]) / calls, 2));
            rows.add(r);
        });
        rows.sort((x, y) -> Double.compare((Double) y.get("mean_ms"), (Double) x.get("mean_ms")));
        return rows.size() > 15 ? new ArrayList<>(rows.subList(0, 15)) : rows;
    }

    private static double ms(long nanos) { return nanos == Long.MAX_VALUE ? -1 : round(nanos / 1e6, 1); }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) { return s.getLocalPort(); }
    }

    static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }

    static void say(String fmt, Object... args) {
        System.out.printf("[inbound-stock] " + fmt + "%n", args);
    }
}
