package org.mhero.bench;

import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;

import javax.sql.DataSource;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Inbound messages through mHero's intake (Kannel get-url on mHero's HTTP port) and the content-based router, with the
 * replies going out through the outbox to the Kannel simulator. The mix is what a busy campaign day looks like: 70%
 * free text (inbox), 10% HELP (a reply), 10% STOP then START (opt-out and back, each with a reply), 10% unknown
 * senders. Two phases:
 * <ol>
 *   <li>throughput: C clients send N messages as fast as mHero answers; the rate is N over the time until every message
 *       is routed (intake and routing, not intake alone). Its baseline, measured in the same run, is the bare cost of
 *       persisting the same N rows with plain JDBC from C threads (the floor any intake that stores before answering pays).</li>
 *   <li>latency: a paced load at {@code --rate} messages per second for {@code --seconds}; the intake's answer time
 *       (p50/p99/max) and whether routing kept up (the backlog when the load stops, and how long it takes to drain).</li>
 * </ol>
 * Targets (issue 6): 500 messages per second or more sustained through intake and routing; intake p99 of 50 ms or less.
 */
final class InboundScenario {
    private final int messages;
    private final int clients;
    private final int rate;
    private final int seconds;
    private final int workers;
    private final Map<String, String> options;

    InboundScenario(Bench.Options opts) {
        options = opts.asMap();
        messages = opts.integer("messages", 20_000);
        clients = opts.integer("clients", 16);
        rate = opts.integer("rate", 500);
        seconds = opts.integer("seconds", 30);
        workers = opts.integer("workers", 2_000);
    }

    Map<String, Object> run() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.putAll(Bench.header("inbound", options));
        result.put("messages", messages);
        result.put("clients", clients);
        result.put("rate", rate);
        result.put("seconds", seconds);
        try (TestDatabase db = new TestDatabase(); var pool = Bench.hikari(db, "mhero-bench");
             KannelSimulator kannel = KannelSimulator.start(KannelOptions.defaults().maxRecipients(100))) {
            int port = freePort();
            MheroContext mhero = new MheroContext();
            mhero.setName("mhero-bench");
            mhero.setDataSource(pool);
            var config = Bench.shippedConfig();
            config.get("org.mhero.api").putAll(Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port)));
            config.get("org.mhero.channel").putAll(Map.of("active", "kannel", "kannel.url", kannel.sendsmsUrl(), "kannel.tps", "0",
                    "dlr.base.url", "http://127.0.0.1:" + port, "dispatch.poll.ms", "100"));
            mhero.setConfiguration(config);
            mhero.start();
            try {
                if (!mhero.getProblems().isEmpty()) throw new IllegalStateException("configuration problems: " + mhero.getProblems());
                List<String> phones = seed(pool, workers);
                String base = "http://127.0.0.1:" + port + "/inbound/kannel?token=" + config.get("org.mhero.inbound").get("kannel.secret") + "&to=1234";

                // baseline: the bare cost of storing the same rows
                double baselineRate = baseline(pool, phones);
                result.put("baseline_jdbc_rate", round(baselineRate, 1));

                // phase 1: throughput through intake and routing
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                for (int i = 0; i < 200; i++) send(http, base, phones, -1 - i); // warm-up (JIT, pool, Jetty threads)
                awaitRouted(pool, Duration.ofMinutes(2));
                long before = count(pool, "select count(*) from inbound_message");
                long[] lat = new long[messages];
                AtomicInteger next = new AtomicInteger();
                AtomicInteger failures = new AtomicInteger();
                ExecutorService ex = Executors.newFixedThreadPool(clients);
                long t0 = System.nanoTime();
                List<Future<?>> fs = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    fs.add(ex.submit(() -> {
                        for (int i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
                            long s = System.nanoTime();
                            if (send(http, base, phones, i) != 200) failures.incrementAndGet();
                            lat[i] = System.nanoTime() - s;
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get();
                double intakeSeconds = (System.nanoTime() - t0) / 1e9;
                awaitRouted(pool, Duration.ofMinutes(10));
                double routedSeconds = (System.nanoTime() - t0) / 1e9;
                long stored = count(pool, "select count(*) from inbound_message") - before;
                double throughput = messages / routedSeconds;
                result.put("throughput_failures", failures.get());
                result.put("throughput_stored", stored);
                result.put("intake_rate", round(messages / intakeSeconds, 1));
                result.put("intake_and_routing_rate", round(throughput, 1));
                result.put("ratio_vs_jdbc_baseline", round(throughput / baselineRate, 3));
                result.putAll(percentiles("throughput_latency_ms", lat));
                result.put("routes", routes(pool));

                // phase 2: paced load, latency
                long[] paced = new long[rate * seconds];
                AtomicInteger sent = new AtomicInteger();
                var sched = Executors.newScheduledThreadPool(clients);
                long start = System.nanoTime() + 50_000_000L;
                long periodNanos = 1_000_000_000L / rate;
                List<Future<?>> ps = new ArrayList<>();
                for (int i = 0; i < paced.length; i++) {
                    final int k = i;
                    long due = start + k * periodNanos;
                    ps.add(sched.schedule(() -> {
                        long s = System.nanoTime();
                        if (send(http, base, phones, messages + k) != 200) failures.incrementAndGet();
                        paced[k] = System.nanoTime() - s;
                        sent.incrementAndGet();
                        return null;
                    }, due - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS));
                }
                for (Future<?> f : ps) f.get();
                double pacedSeconds = (System.nanoTime() - start) / 1e9;
                long backlog = count(pool, "select count(*) from inbound_message where status in ('received', 'routing')");
                long d0 = System.nanoTime();
                awaitRouted(pool, Duration.ofMinutes(10));
                double drain = (System.nanoTime() - d0) / 1e9;
                sched.shutdown();
                ex.shutdown();
                result.put("paced_sent", sent.get());
                result.put("paced_achieved_rate", round(sent.get() / pacedSeconds, 1));
                result.putAll(percentiles("paced_latency_ms", paced));
                result.put("paced_backlog_at_end", backlog);
                result.put("paced_drain_seconds", round(drain, 2));
                result.put("failures", failures.get());
                result.put("replies_sent", kannel.log().size());
                double p99 = (Double) result.get("paced_latency_ms_p99");
                result.put("target_rate_met", throughput >= 500);
                result.put("target_p99_met", p99 <= 50);
                System.out.printf("%nbaseline (plain JDBC insert, %d threads): %.0f rows/s%n"
                                + "throughput: %,d messages, intake %.0f msg/s, intake and routing %.0f msg/s (target ≥ 500), ratio to baseline %.3f; %d failed%n"
                                + "paced at %d/s for %d s: intake p50 %.1f ms, p99 %.1f ms (target ≤ 50), max %.1f ms; backlog at the end %d, drained in %.2f s%n",
                        clients, baselineRate, messages, messages / intakeSeconds, throughput, throughput / baselineRate, failures.get(),
                        rate, seconds, result.get("paced_latency_ms_p50"), p99, result.get("paced_latency_ms_max"), backlog, drain);
                result.put("outcome", failures.get() == 0 && stored == messages ? "ok" : "failed");
            } finally {
                mhero.stop();
            }
        }
        result.put("loadavg_end", Bench.loadAverage());
        return result;
    }

    /** The message number i: its sender and text (deterministic mix), sent as Kannel's get-url would. */
    private static int send(HttpClient http, String base, List<String> phones, int i) throws Exception {
        int kind = Math.floorMod(i, 10);
        String from = kind == 9 ? "+231880" + String.format("%06d", Math.floorMod(i, 1_000_000)) : phones.get(Math.floorMod(i, phones.size()));
        String text = switch (kind) {
            case 7 -> "HELP";
            case 8 -> (i / 10) % 2 == 0 ? "STOP" : "START";
            default -> "Reply " + i + ": the cold chain at our facility is working, thank you";
        };
        String url = base + "&from=" + URLEncoder.encode(from, StandardCharsets.UTF_8) + "&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8)
                + "&time=2026-11-22+10:00:00&id=bench-" + i;
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private double baseline(DataSource ds, List<String> phones) throws Exception {
        try (Connection c = ds.getConnection(); var st = c.createStatement()) {
            st.execute("create table bench_baseline (like inbound_message including all)");
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService ex = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            fs.add(ex.submit(() -> {
                for (int i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
                    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                            "insert into bench_baseline (source, external_id, intake, sender, text) values ('kannel', ?, 'get-url', ?, ?) "
                                    + "on conflict (source, external_id) do nothing returning id")) {
                        ps.setString(1, "base-" + i);
                        ps.setString(2, phones.get(i % phones.size()));
                        ps.setString(3, "Reply " + i + ": the cold chain at our facility is working, thank you");
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
        double r = messages / ((System.nanoTime() - t0) / 1e9);
        ex.shutdown();
        try (Connection c = ds.getConnection(); var st = c.createStatement()) {
            st.execute("drop table bench_baseline");
        }
        return r;
    }

    private static List<String> seed(DataSource ds, int n) throws Exception {
        List<String> phones = new ArrayList<>();
        try (Connection c = ds.getConnection(); var st = c.createStatement()) {
            st.execute("insert into health_worker (id, display_name, cadre) select g, 'Worker ' || g, 'nurse' from generate_series(1, " + n + ") g");
            st.execute("select setval('health_worker_id_seq', " + n + ")");
            st.execute("insert into phone (health_worker_id, registry, raw_value, e164, is_primary) "
                    + "select g, 'csv', '+231770' || lpad(g::text, 6, '0'), '+231770' || lpad(g::text, 6, '0'), true from generate_series(1, " + n + ") g");
            st.execute("analyze");
        }
        for (int g = 1; g <= n; g++) phones.add("+231770" + String.format("%06d", g));
        return phones;
    }

    private static void awaitRouted(DataSource ds, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        while (count(ds, "select count(*) from inbound_message where status in ('received', 'routing')") > 0) {
            if (System.nanoTime() > end) throw new IllegalStateException("messages still not routed after " + max);
            Thread.sleep(20);
        }
    }

    private static Map<String, Object> routes(DataSource ds) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        try (Connection c = ds.getConnection(); var st = c.createStatement();
             ResultSet rs = st.executeQuery("select status || ' ' || coalesce(route, '-'), count(*) from inbound_message group by 1 order by 1")) {
            while (rs.next()) m.put(rs.getString(1), rs.getLong(2));
        }
        return m;
    }

    private static long count(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Map<String, Object> percentiles(String prefix, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(prefix + "_p50", round(s[(int) (s.length * 0.50)] / 1e6, 2));
        m.put(prefix + "_p95", round(s[(int) (s.length * 0.95)] / 1e6, 2));
        m.put(prefix + "_p99", round(s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e6, 2));
        m.put(prefix + "_max", round(s[s.length - 1] / 1e6, 2));
        return m;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
