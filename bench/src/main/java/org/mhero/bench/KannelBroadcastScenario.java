package org.mhero.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.mhero.boot.MheroContext;
import org.mhero.broadcast.BroadcastRequest;
import org.mhero.broadcast.BroadcastService;
import org.mhero.broadcast.BroadcastView;
import org.mhero.sandbox.db.TestDatabase;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A text broadcast to N health workers through the real outbox and the Kannel channel, against the Kannel simulator
 * (forked into its own JVM by default), with its delivery reports coming back to mHero's HTTP port.
 *
 * <p>Throughput mode (the default), each broadcast on a fresh database and mHero context:
 * <ol>
 *   <li><b>baseline</b>: a bare sendsms loop to the same simulator with the same batch shape (kannel.max.recipients
 *       numbers per request, dispatch.concurrency client threads, the same query, delivery reports to a bare HTTP sink
 *       in this JVM). Messages/s.</li>
 *   <li><b>unthrottled</b> ({@code kannel.tps = 0}): N recipients; msg/s from the end of the resolution to the broadcast's
 *       completion (every delivery accepted by Kannel; target ≥ 1,000) and the ratio to the baseline; then the time
 *       until every delivery report 1 (delivered) is recorded.</li>
 *   <li><b>baseline-2</b>: the loop again (the first pays the simulator's JIT warm-up); the ratio uses the mean.</li>
 *   <li><b>throttled</b> ({@code kannel.tps = T}): the achieved rate over the whole hand-over and over its steady part
 *       (between the 10th and the 90th percentile of the simulator's acceptance times), against T (target ≥ 0.9).</li>
 * </ol>
 *
 * <p>Memory mode ({@code --sizes 10000,100000,...}): one unthrottled broadcast per size; the live heap after a full GC
 * before the broadcast, every {@code --heap-probe-s} seconds during it, and after it. With the peer forked, that heap
 * is mHero's alone.
 */
final class KannelBroadcastScenario {
    static final String TEXT = "Bench broadcast: please confirm your facility.";

    private final int recipients;
    private final int tps;
    private final int throttledRecipients;
    private final String maxRecipients;
    private final String concurrency;
    private final boolean fork;
    private final boolean dlr;
    private final boolean baseline;
    private final List<Integer> sizes;
    private final int heapProbeSeconds;
    private final String peerHeap;
    private final int timeoutMin;
    private final Map<String, String> options;

    KannelBroadcastScenario(Bench.Options opts) {
        options = opts.asMap();
        System.setProperty(Peer.NODELAY, "true");   // before this JVM starts any JDK HttpServer (see Peer.NODELAY)
        recipients = opts.integer("recipients", 50_000);
        tps = opts.integer("tps", 200);
        throttledRecipients = opts.integer("throttled-recipients", tps * 60);
        maxRecipients = opts.string("max-recipients", null);
        concurrency = opts.string("concurrency", null);
        fork = !opts.string("sandbox", "fork").equals("in");
        dlr = opts.bool("dlr", true);
        baseline = opts.bool("baseline", true);
        String s = opts.string("sizes", "");
        sizes = new ArrayList<>();
        for (String x : s.split(",")) if (!x.isBlank()) sizes.add(Integer.parseInt(x.trim().replace("_", "")));
        heapProbeSeconds = opts.integer("heap-probe-s", sizes.isEmpty() ? 0 : 2);
        peerHeap = opts.string("peer-heap", "2g");
        timeoutMin = opts.integer("timeout-min", 30);
    }

    Map<String, Object> run() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.putAll(Bench.header("broadcast-kannel", options));
        Map<String, Map<String, String>> shipped = Bench.shippedConfig();
        int m = Integer.parseInt(maxRecipients != null ? maxRecipients : shipped.get("org.mhero.channel").get("kannel.max.recipients"));
        int c = Integer.parseInt(concurrency != null ? concurrency : shipped.get("org.mhero.channel").get("dispatch.concurrency"));
        result.put("max_recipients", m);
        result.put("dispatch_concurrency", c);
        result.put("dlr_mask", dlr ? shipped.get("org.mhero.channel").get("kannel.dlr.mask") : "0");
        boolean ok = true;
        try (Peer peer = Peer.kannel(fork, 0, peerHeap)) {
            result.put("peer", peer.mode());
            if (!sizes.isEmpty()) {
                List<Map<String, Object>> runs = new ArrayList<>();
                for (int n : sizes) {
                    Map<String, Object> r = once(peer, n, 0, m, c);
                    runs.add(r);
                    ok &= Boolean.TRUE.equals(r.get("verified"));
                }
                result.put("sizes", sizes);
                result.put("runs", runs);
                System.out.printf("%nlive heap after full GC (MB), mHero's JVM%s:%n", fork ? " alone (simulator forked)" : " (simulator in it too)");
                System.out.printf("  %12s %10s %12s %10s %10s %10s%n", "recipients", "before", "max during", "after", "growth", "msg/s");
                for (Map<String, Object> r : runs) {
                    System.out.printf("  %,12d %10s %12s %10s %10s %10s%n", r.get("recipients"), r.get("live_before_mb"), r.get("live_max_during_mb"),
                            r.get("live_after_mb"), r.get("live_growth_mb"), r.get("msg_per_s"));
                }
            } else {
                if (baseline) {
                    System.out.println("[warm-up] the simulator's JIT, unmeasured");
                    bareLoop(peer, Math.min(recipients, 10_000), m, c);
                }
                Map<String, Object> b1 = baseline ? bareLoop(peer, recipients, m, c) : Map.of();
                Map<String, Object> un = once(peer, recipients, 0, m, c);
                Map<String, Object> b2 = baseline ? bareLoop(peer, recipients, m, c) : Map.of();
                Map<String, Object> th = tps > 0 ? once(peer, throttledRecipients, tps, m, c) : Map.of();
                b1.forEach((k, v) -> result.put("baseline_" + k, v));
                b2.forEach((k, v) -> result.put("baseline2_" + k, v));
                un.forEach((k, v) -> result.put("unthrottled_" + k, v));
                th.forEach((k, v) -> result.put("throttled_" + k, v));
                ok &= Boolean.TRUE.equals(un.get("verified")) && (th.isEmpty() || Boolean.TRUE.equals(th.get("verified")));
                double rate = ((Number) un.get("msg_per_s")).doubleValue();
                System.out.printf("%n== broadcast-kannel: %,d recipients, %d numbers per sendsms, %d dispatch workers, DLRs %s, peer %s%n",
                        recipients, m, c, dlr ? "on" : "off", peer.mode());
                if (baseline) {
                    double mean = (((Number) b1.get("msg_per_s")).doubleValue() + ((Number) b2.get("msg_per_s")).doubleValue()) / 2;
                    result.put("baseline_msg_per_s_mean", round(mean, 1));
                    result.put("ratio", round(rate / mean, 3));
                    result.put("ratio_vs_first_baseline", round(rate / ((Number) b1.get("msg_per_s")).doubleValue(), 3));
                    System.out.printf("  baseline (bare sendsms loop)   %8.1f msg/s, again %8.1f msg/s%n", b1.get("msg_per_s"), b2.get("msg_per_s"));
                    System.out.printf("  mHero unthrottled              %8.1f msg/s (target ≥ 1,000): ratio to the mean baseline %.3f%n", rate, rate / mean);
                } else {
                    System.out.printf("  mHero unthrottled              %8.1f msg/s (target ≥ 1,000)%n", rate);
                }
                System.out.printf("      resolution %.2f s, hand-over %.2f s, every DLR 1 recorded %.2f s after the start; %s requests, duplicates %s%n",
                        un.get("resolve_s"), un.get("dispatch_s"), un.get("delivered_s"), un.get("requests"), un.get("duplicates"));
                result.put("unthrottled_target_met", rate >= 1000);
                if (!th.isEmpty()) {
                    double whole = ((Number) th.get("msg_per_s")).doubleValue();
                    double steady = ((Number) th.get("steady_msg_per_s")).doubleValue();
                    result.put("throttled_share_whole", round(whole / tps, 3));
                    result.put("throttled_share_steady", round(steady / tps, 3));
                    result.put("throttled_target_met", steady >= 0.9 * tps && whole >= 0.9 * tps);
                    System.out.printf("  mHero throttled to %d msg/s    %8.1f msg/s over the whole hand-over (%.3f of T), %8.1f msg/s steady (%.3f of T; target ≥ 0.9)%n",
                            tps, whole, whole / tps, steady, steady / tps);
                }
            }
        }
        result.put("outcome", ok ? "ok" : "failed");
        result.put("loadavg_end", Bench.loadAverage());
        return result;
    }

    /**
     * The baseline: N recipients in requests of {@code m} numbers from {@code threads} client threads, the same query
     * mHero sends ({@code KannelChannel.query}), delivery reports to a bare sink answering 200.
     */
    private Map<String, Object> bareLoop(Peer peer, int n, int m, int threads) throws Exception {
        peer.clear();
        HttpServer sink = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        ExecutorService sinkPool = Executors.newFixedThreadPool(4);
        sink.setExecutor(sinkPool);
        sink.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] ok = "OK".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        sink.start();
        Map<String, String> ch = Bench.shippedConfig().get("org.mhero.channel");
        String dlrUrl = "http://127.0.0.1:" + sink.getAddress().getPort() + "/dlr/kannel?token=" + enc(ch.get("dlr.token"))
                + "&batch=0&to=%p&type=%d&fid=%F&answer=%A";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        AtomicInteger next = new AtomicInteger();
        AtomicLong refused = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                while (true) {
                    int from = next.getAndAdd(m);
                    if (from >= n) return null;
                    StringBuilder to = new StringBuilder();
                    for (int i = from; i < Math.min(n, from + m); i++) {
                        if (to.length() > 0) to.append(' ');
                        to.append(String.format("+23177%07d", i));
                    }
                    StringBuilder q = new StringBuilder();
                    q.append("username=").append(enc(ch.get("kannel.username"))).append("&password=").append(enc(ch.get("kannel.password")));
                    q.append("&from=").append(enc(ch.get("kannel.from")));
                    q.append("&to=").append(enc(to.toString())).append("&text=").append(enc(TEXT)).append("&charset=UTF-8");
                    if (dlr) q.append("&dlr-mask=").append(ch.get("kannel.dlr.mask")).append("&dlr-url=").append(enc(dlrUrl));
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(peer.url() + "?" + q)).timeout(Duration.ofSeconds(10)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 202) refused.incrementAndGet();
                }
            }));
        }
        for (Future<?> f : fs) f.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("seconds", round(seconds, 3));
        r.put("msg_per_s", round(n / seconds, 1));
        r.put("refused_requests", refused.get());
        if (dlr) waitForDlrs(peer, 2L * n, Duration.ofMinutes(5));   // 8 and 1 for each; none may overlap the next phase
        JsonNode s = peer.stats();
        r.put("messages", s.path("messages").asLong());
        r.put("requests", s.path("requests").asLong());
        r.put("dlrs", s.path("dlrs").asLong());
        sink.stop(0);
        sinkPool.shutdownNow();
        System.out.printf("[baseline] %,d messages in %,d requests: %.2f s, %.1f msg/s%n", n, s.path("requests").asLong(), seconds, n / seconds);
        return r;
    }

    private static void waitForDlrs(Peer peer, long expected, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (peer.stats().path("dlrs").asLong() >= expected) return;
            Thread.sleep(500);
        }
        System.out.println("warning: the simulator made fewer than " + expected + " DLR callbacks within " + timeout);
    }

    /** One broadcast of {@code n} on a fresh database and mHero context, with the channel paced at {@code pace} (0 = off). */
    private Map<String, Object> once(Peer peer, int n, int pace, int m, int c) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("recipients", n);
        r.put("tps", pace);
        peer.clear();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (TestDatabase db = new TestDatabase(); var pool = Bench.hikari(db, "mhero-bench")) {
            MheroContext mhero = new MheroContext();
            mhero.setName("mhero-bench");
            mhero.setDataSource(pool);
            var config = Bench.shippedConfig();
            config.get("org.mhero.api").put("http.port", Integer.toString(port));
            config.get("org.mhero.api").put("http.host", "127.0.0.1");
            Map<String, String> ch = config.get("org.mhero.channel");
            ch.putAll(Map.of("active", "kannel", "kannel.url", peer.url(), "kannel.tps", Integer.toString(pace),
                    "kannel.max.recipients", Integer.toString(m), "dispatch.concurrency", Integer.toString(c),
                    "dispatch.poll.ms", "50", "dlr.base.url", "http://127.0.0.1:" + port));
            if (!dlr) ch.put("kannel.dlr.mask", "0");
            mhero.setConfiguration(config);
            mhero.start();
            LiveHeap heap = new LiveHeap(heapProbeSeconds);
            try {
                if (!mhero.getProblems().isEmpty()) throw new IllegalStateException("configuration problems: " + mhero.getProblems());
                seed(db, n);   // after start: the context migrates the schema
                BroadcastService service = mhero.getCamelContext().getRegistry().lookupByNameAndType("broadcastService", BroadcastService.class);
                double before = heap.liveMb();
                heap.start();
                long cpu0 = HeapSampler.cpuNanos();
                long peerCpu0 = peer.cpuNanos();
                PgCpu pg = new PgCpu(pool, db.name());
                long gc0 = HeapSampler.gcMillis();
                long t0 = System.nanoTime();
                BroadcastView v = service.create(new BroadcastRequest("bench", TEXT, null, null, List.of(), "active", List.of(),
                        null, null, null), "bench");
                long t1 = System.nanoTime();
                long deadline = t0 + Duration.ofMinutes(timeoutMin).toNanos();
                try (Connection conn = pool.getConnection()) {
                    while (!"completed".equals(status(conn, v.id()))) {
                        if (System.nanoTime() > deadline) throw new IllegalStateException("not completed within " + timeoutMin + " min");
                        Thread.sleep(10);
                    }
                }
                long t2 = System.nanoTime();
                long cpu2 = HeapSampler.cpuNanos();
                long peerCpu2 = peer.cpuNanos();
                double pgSeconds = pg.seconds();
                long t3 = t2;
                long delivered = 0;
                if (dlr) {
                    try (Connection conn = pool.getConnection()) {
                        while ((delivered = count(conn, v.id(), "delivered")) < n && System.nanoTime() < deadline) Thread.sleep(250);
                    }
                    t3 = System.nanoTime();
                }
                heap.stop();
                double after = heap.liveMb();
                JsonNode s = peer.stats();
                double dispatch = (t2 - t1) / 1e9;
                r.put("resolve_s", round((t1 - t0) / 1e9, 3));
                r.put("dispatch_s", round(dispatch, 3));
                r.put("msg_per_s", round(n / dispatch, 1));
                long first = s.path("first_ms").asLong();
                long last = s.path("last_ms").asLong();
                r.put("first_to_last_accept_s", round((last - first) / 1000.0, 3));
                r.put("delivered_s", dlr ? round((t3 - t1) / 1e9, 2) : null);
                r.put("delivered", delivered);
                if (dlr && s.has("last_dlr_ms")) r.put("last_dlr_after_first_accept_s", round((s.path("last_dlr_ms").asLong() - first) / 1000.0, 2));
                JsonNode dec = s.path("decile_ms");
                if (dec.size() == 11) {
                    double span = (dec.get(9).asLong() - dec.get(1).asLong()) / 1000.0;
                    r.put("steady_msg_per_s", round(0.8 * n / span, 1));
                }
                r.put("requests", s.path("requests").asLong());
                r.put("requests_202", s.path("requests_202").asLong());
                r.put("messages", s.path("messages").asLong());
                r.put("duplicates", s.path("duplicates").asLong());
                r.put("dlrs", s.path("dlrs").asLong());
                r.put("dlrs_not_200", s.path("dlrs_not_200").asLong());
                if (pace > 0) r.put("per_second", s.path("per_second"));
                r.put("cpu_mhero_s", round((cpu2 - cpu0) / 1e9, 1));
                if (peerCpu0 >= 0) r.put("cpu_peer_s", round((peerCpu2 - peerCpu0) / 1e9, 1));
                r.put("cpu_postgres_s", round(pgSeconds, 1));
                // CPU seconds per 1,000 messages, from the resolution to the last acceptance: robust to a loaded machine
                r.put("cpu_mhero_ms_per_msg", round((cpu2 - cpu0) / 1e6 / n, 3));
                r.put("cpu_postgres_ms_per_msg", round(pgSeconds * 1000 / n, 3));
                r.put("gc_ms", HeapSampler.gcMillis() - gc0);
                r.put("live_before_mb", round(before, 1));
                r.put("live_max_during_mb", heap.probes() > 0 ? round(heap.maxMb(), 1) : null);
                r.put("live_probes", heap.probes());
                r.put("live_after_mb", round(after, 1));
                r.put("live_growth_mb", round(Math.max(heap.maxMb(), after) - before, 1));
                try (Connection conn = pool.getConnection(); PreparedStatement ps = conn.prepareStatement(
                        "select status, count(*) from delivery where broadcast_id = ? group by 1 order by 1")) {
                    ps.setLong(1, v.id());
                    Map<String, Long> counts = new LinkedHashMap<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) counts.put(rs.getString(1), rs.getLong(2));
                    }
                    r.put("delivery_status", counts);
                }
                long settled = s.path("messages").asLong();
                @SuppressWarnings("unchecked") Map<String, Long> st = (Map<String, Long>) r.get("delivery_status");
                long handedOver = st.getOrDefault("accepted", 0L) + st.getOrDefault("sent", 0L) + st.getOrDefault("delivered", 0L);
                boolean verified = settled == n && handedOver == n && s.path("duplicates").asLong() == 0 && s.path("requests_202").asLong() == s.path("requests").asLong()
                        && (!dlr || (delivered == n && s.path("dlrs_not_200").asLong() == 0));
                r.put("verified", verified);
                System.out.printf("[%,d recipients, tps %s] resolved %.2f s; all accepted %.2f s later: %.1f msg/s; %s; %d requests, %d messages, %d duplicates; "
                                + "CPU mHero %.1f s, PostgreSQL %.1f s, peer %.1f s; live heap %.1f → %.1f MB (max during %.1f)%s%n",
                        n, pace == 0 ? "off" : pace, (t1 - t0) / 1e9, dispatch, n / dispatch,
                        dlr ? String.format("every DLR 1 recorded %.2f s after the resolution", (t3 - t1) / 1e9) : "no DLRs",
                        s.path("requests").asLong(), s.path("messages").asLong(), s.path("duplicates").asLong(), (cpu2 - cpu0) / 1e9, pgSeconds,
                        peerCpu0 >= 0 ? (peerCpu2 - peerCpu0) / 1e9 : Double.NaN, before, after, heap.maxMb(), verified ? "" : "  NOT VERIFIED");
            } finally {
                heap.stop();
                mhero.stop();
            }
        }
        return r;
    }

    private static String status(Connection c, long id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("select status from broadcast where id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long count(Connection c, long id, String status) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from delivery where broadcast_id = ? and status = ?")) {
            ps.setLong(1, id);
            ps.setString(2, status);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** N active workers with distinct numbers +23177%07d (one primary phone each). */
    static void seed(TestDatabase db, int n) throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into health_worker (display_name, cadre) select 'Worker ' || g, 'nurse' from generate_series(0, ? - 1) g")) {
                ps.setInt(1, n);
                ps.execute();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into phone (health_worker_id, registry, raw_value, e164, is_primary)
                    select id, 'ihris', e, e, true from (select id, '+23177' || lpad((row_number() over (order by id) - 1)::text, 7, '0') e
                                                          from health_worker) x""")) {
                ps.execute();
            }
            c.commit();
            try (PreparedStatement ps = c.prepareStatement("analyze")) {
                c.setAutoCommit(true);
                ps.execute();
            }
        }
    }

    static String enc(String s) { return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8); }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
