package org.mhero.bench;

import org.mhero.boot.MheroContext;
import org.mhero.broadcast.BroadcastRequest;
import org.mhero.broadcast.BroadcastService;
import org.mhero.broadcast.BroadcastView;
import org.mhero.sandbox.db.TestDatabase;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A broadcast to N health workers (all known RapidPro contacts, as after contact sync) through the real outbox and
 * the RapidPro channel, against the RapidPro simulator at the same workspace budget as mHero (scaled, e.g.
 * 600/minute, so 100k takes under a minute instead of 500 s at 3600/hour). Figures: API calls per 1,000 recipients
 * (target ≤ 5), contact-creation calls (target 0), the time against the rate-limit floor (ceil(N / 200) calls at the
 * allowed rate; target within 5%), 429s, and the heap: the run is repeated for each size (default N/10 and N), each on a
 * fresh database, simulator and context, and the live heap after full GCs before, during ({@code --heap-probe-s}) and
 * after each broadcast is compared (flat = about the same). With {@code --sandbox fork} the simulator runs in its own JVM
 * ({@link PeerMain}), so that heap is mHero's alone.
 */
final class BroadcastScenario {
    private final int recipients;
    private final String rate;
    private final boolean fork;
    private final List<Integer> sizes = new ArrayList<>();
    private final int heapProbeSeconds;
    private final Map<String, String> options;

    BroadcastScenario(Bench.Options opts) {
        options = opts.asMap();
        recipients = opts.integer("recipients", 100_000);
        rate = opts.string("rate", "600/minute");
        fork = opts.string("sandbox", "in").equals("fork");
        if (fork) System.setProperty(Peer.NODELAY, "true");
        for (String x : opts.string("sizes", "").split(",")) if (!x.isBlank()) sizes.add(Integer.parseInt(x.trim().replace("_", "")));
        if (sizes.isEmpty()) {
            sizes.add(Math.max(1000, recipients / 10));
            sizes.add(recipients);
        }
        heapProbeSeconds = opts.integer("heap-probe-s", 0);
    }

    Map<String, Object> run() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.putAll(Bench.header("broadcast", options));
        result.put("recipients", recipients);
        result.put("rate", rate);
        result.put("sandbox", fork ? "fork" : "in-process");
        result.put("sizes", sizes);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int n : sizes) runs.add(once(n));
        result.put("runs", runs);
        Map<String, Object> small = runs.get(0);
        Map<String, Object> large = runs.get(runs.size() - 1);
        int smallN = sizes.get(0);
        int largeN = sizes.get(sizes.size() - 1);
        result.put("recipients", largeN);
        small.forEach((k, v) -> result.put("small_" + k, v));
        large.forEach((k, v) -> result.put(k, v));
        double growthRatio = ((Number) large.get("heap_growth_mb")).doubleValue() / Math.max(1.0, ((Number) small.get("heap_growth_mb")).doubleValue());
        result.put("heap_growth_ratio_large_vs_small", Math.round(growthRatio * 100) / 100.0);
        boolean ok = ((Number) large.get("calls_per_1000")).doubleValue() <= 5.0 && ((Number) large.get("contact_calls")).longValue() == 0
                && ((Number) large.get("dispatch_vs_floor")).doubleValue() <= 1.05 && ((Number) large.get("http_429")).longValue() == 0;
        result.put("target_met", ok);
        result.put("outcome", runs.stream().allMatch(r -> Boolean.TRUE.equals(r.get("all_accepted"))) ? "ok" : "failed");
        System.out.printf("%nlive heap growth (after GC) during the broadcast: %s MB at %,d vs %s MB at %,d recipients (ratio %.2f)%n",
                small.get("heap_growth_mb"), smallN, large.get("heap_growth_mb"), largeN, growthRatio);
        System.out.printf("%nmHero's live heap after a full GC (MB)%s:%n", fork ? ", the simulator forked (mHero's JVM alone)" : " (the simulator in the same JVM)");
        System.out.printf("  %12s %10s %12s %10s %10s %12s%n", "recipients", "before", "max during", "after", "growth", "vs floor");
        for (Map<String, Object> r : runs) {
            System.out.printf("  %,12d %10s %12s %10s %10s %12s%n", r.get("recipients"), r.get("live_before_mb"), r.get("live_max_during_mb"),
                    r.get("live_after_mb"), r.get("live_growth_mb"), r.get("dispatch_vs_floor"));
        }
        result.put("loadavg_end", Bench.loadAverage());
        return result;
    }

    private Map<String, Object> once(int n) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("recipients", n);
        try (TestDatabase db = new TestDatabase();
             Peer rapidpro = Peer.rapidpro(fork, rate, n, "2g")) {
            r.put("peer", rapidpro.mode());
            MheroContext mhero = new MheroContext();
            mhero.setName("mhero-bench");
            mhero.setDataSource(db.dataSource());
            var config = Bench.shippedConfig();
            config.get("org.mhero.rapidpro").putAll(Map.of("api.url", rapidpro.url(), "api.token", rapidpro.token(), "rate.limit", rate));
            config.get("org.mhero.channel").putAll(Map.of("dispatch.poll.ms", "100"));
            // mHero's HTTP port on a free loopback port: the shipped 8088 may be taken by another run on this machine
            int port;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            config.get("org.mhero.api").putAll(Map.of("http.port", Integer.toString(port), "http.host", "127.0.0.1"));
            config.get("org.mhero.channel").put("dlr.base.url", "http://127.0.0.1:" + port);
            mhero.setConfiguration(config);
            mhero.start();
            try {
                if (!mhero.getProblems().isEmpty()) throw new IllegalStateException("configuration problems: " + mhero.getProblems());
                seed(db, rapidpro.contactUuids(), n);
                BroadcastService service = mhero.getCamelContext().getRegistry().lookupByNameAndType("broadcastService", BroadcastService.class);
                rapidpro.clear();
                LiveHeap live = new LiveHeap(heapProbeSeconds);
                double liveBefore = live.liveMb();
                MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
                System.gc();
                long baseline = ManagementFactory.getMemoryPoolMXBeans().stream()
                        .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null)
                        .mapToLong(p -> p.getCollectionUsage().getUsed()).sum();
                AtomicLong peak = new AtomicLong(baseline);
                var pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                        .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null).toList();
                Thread sampler = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        // the heap as the last collection left it: live data, not garbage waiting for the next GC
                        peak.accumulateAndGet(pools.stream().mapToLong(p -> p.getCollectionUsage().getUsed()).sum(), Math::max);
                        try { Thread.sleep(20); } catch (InterruptedException e) { return; }
                    }
                });
                sampler.setDaemon(true);
                sampler.start();
                live.start();
                long t0 = System.nanoTime();
                BroadcastView v = service.create(new BroadcastRequest("bench", "Bench broadcast: please confirm your facility.", null, null,
                        List.of(), "active", List.of(), null, null, null), "bench");
                double resolveSeconds = (System.nanoTime() - t0) / 1e9;
                // the broadcast row's status only: the view's counts read every delivery, too heavy to ask every 20 ms
                try (Connection c = db.dataSource().getConnection();
                     PreparedStatement ps = c.prepareStatement("select status = 'completed' from broadcast where id = ?")) {
                    ps.setLong(1, v.id());
                    while (true) {
                        try (var rs = ps.executeQuery()) {
                            if (rs.next() && rs.getBoolean(1)) break;
                        }
                        Thread.sleep(20);
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                Instant completedAt = Instant.now();
                live.stop();
                sampler.interrupt();
                sampler.join();
                double liveAfter = live.liveMb();
                long after = mem.getHeapMemoryUsage().getUsed();
                BroadcastView done = service.get(v.id()).orElseThrow();

                var st = rapidpro.stats();
                long calls = st.path("broadcast_calls").asLong();
                long allCalls = st.path("calls_total").asLong();
                long contactCalls = st.path("contact_calls").asLong();
                long throttled = st.path("http_429").asLong();
                String[] parts = rate.split("/");
                double allowedPerSecond = Double.parseDouble(parts[0]) / Bench.seconds(parts[1]);
                long floorCalls = (n + 199) / 200;
                double floorSeconds = floorCalls / allowedPerSecond;
                r.put("accepted", done.count("accepted"));
                r.put("resolve_seconds", Math.round(resolveSeconds * 1000) / 1000.0);
                r.put("seconds", Math.round(seconds * 100) / 100.0);
                r.put("api_calls", allCalls);
                r.put("broadcast_calls", calls);
                r.put("calls_per_1000", Math.round(allCalls * 1000.0 / n * 100) / 100.0);
                r.put("contact_calls", contactCalls);
                r.put("contacts_created_by_messaging", st.path("contacts_created_by_messaging").asLong());
                r.put("messages_in_simulator", st.path("messages").asLong());
                r.put("floor_seconds", Math.round(floorSeconds * 100) / 100.0);
                r.put("time_vs_floor", Math.round(seconds / floorSeconds * 1000) / 1000.0);
                Instant firstCall = Instant.ofEpochMilli(st.path("first_ms").asLong());
                double dispatchSeconds = java.time.Duration.between(firstCall, completedAt).toNanos() / 1e9;
                r.put("dispatch_seconds", Math.round(dispatchSeconds * 100) / 100.0);
                r.put("dispatch_vs_floor", Math.round(dispatchSeconds / floorSeconds * 1000) / 1000.0);
                r.put("http_429", throttled);
                r.put("heap_growth_mb", Math.round((peak.get() - baseline) / 1e6 * 10) / 10.0);
                r.put("heap_retained_mb", Math.round((after - baseline) / 1e6 * 10) / 10.0);
                r.put("live_before_mb", Math.round(liveBefore * 10) / 10.0);
                r.put("live_max_during_mb", live.probes() > 0 ? Math.round(live.maxMb() * 10) / 10.0 : null);
                r.put("live_probes", live.probes());
                r.put("live_after_mb", Math.round(liveAfter * 10) / 10.0);
                r.put("live_growth_mb", Math.round((Math.max(live.maxMb(), liveAfter) - liveBefore) * 10) / 10.0);
                r.put("all_accepted", done.count("accepted") == n);
                System.out.printf("%n[%,d recipients] resolved in %.2f s; completed in %.1f s (floor %.1f s: %d calls at %.1f/s; ratio %.3f; from the first call: ratio %.3f, target ≤ 1.05)%n"
                                + "  API calls %d (%.2f per 1,000, target ≤ 5), contact calls %d, contacts made by messaging %d, 429s %d, heap growth %.1f MB%n",
                        n, resolveSeconds, seconds, floorSeconds, floorCalls, allowedPerSecond, seconds / floorSeconds, dispatchSeconds / floorSeconds, allCalls,
                        allCalls * 1000.0 / n, contactCalls, st.path("contacts_created_by_messaging").asLong(), throttled, (peak.get() - baseline) / 1e6);
            } finally {
                mhero.stop();
            }
        }
        return r;
    }

    /** N active workers with distinct numbers, each already a RapidPro contact (as after contact sync). */
    private static void seed(TestDatabase db, List<String> uuids, int n) throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    with w as (insert into health_worker (display_name, cadre) select 'Worker ' || g, 'nurse' from generate_series(0, ? - 1) g
                               returning id)
                    select 1""")) {
                ps.setInt(1, n);
                ps.execute();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into phone (health_worker_id, registry, raw_value, e164, is_primary)
                    select id, 'ihris', e, e, true from (select id, '+23177' || lpad((row_number() over (order by id) - 1)::text, 7, '0') e
                                                          from health_worker) x""")) {
                ps.execute();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into rapidpro_contact (health_worker_id, contact_uuid, urn, status)
                    select h.id, u.uuid, 'tel:' || p.e164, 'active' from health_worker h join phone p on p.health_worker_id = h.id
                      join unnest(?::text[]) with ordinality as u(uuid, k) on u.k = substring(p.e164 from 7)::int + 1""")) {
                ps.setArray(1, c.createArrayOf("text", uuids.toArray()));
                ps.execute();
            }
            c.commit();
        }
    }
}
