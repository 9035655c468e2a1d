package org.mhero.bench;

import org.mhero.boot.MheroContext;
import org.mhero.broadcast.BroadcastRequest;
import org.mhero.broadcast.BroadcastService;
import org.mhero.broadcast.BroadcastView;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;

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
 * allowed rate; target within 5%), 429s, and the heap: the run is repeated at N/10 and N in the same JVM and the peak
 * heap growth during each broadcast is compared (flat = about the same).
 */
final class BroadcastScenario {
    private final int recipients;
    private final String rate;

    BroadcastScenario(Bench.Options opts) {
        recipients = opts.integer("recipients", 100_000);
        rate = opts.string("rate", "600/minute");
    }

    Map<String, Object> run() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("date", Instant.now().toString());
        result.put("scenario", "broadcast");
        result.put("recipients", recipients);
        result.put("rate", rate);
        result.putAll(Bench.environment());
        Map<String, Object> small = once(Math.max(1000, recipients / 10));
        Map<String, Object> large = once(recipients);
        small.forEach((k, v) -> result.put("small_" + k, v));
        large.forEach((k, v) -> result.put(k, v));
        double growthRatio = ((Number) large.get("heap_growth_mb")).doubleValue() / Math.max(1.0, ((Number) small.get("heap_growth_mb")).doubleValue());
        result.put("heap_growth_ratio_large_vs_small", Math.round(growthRatio * 100) / 100.0);
        boolean ok = ((Number) large.get("calls_per_1000")).doubleValue() <= 5.0 && ((Number) large.get("contact_calls")).longValue() == 0
                && ((Number) large.get("dispatch_vs_floor")).doubleValue() <= 1.05 && ((Number) large.get("http_429")).longValue() == 0;
        result.put("target_met", ok);
        result.put("outcome", ((Number) large.get("accepted")).intValue() == recipients ? "ok" : "failed");
        System.out.printf("%nlive heap growth (after GC) during the broadcast: %s MB at %,d vs %s MB at %,d recipients (ratio %.2f)%n",
                small.get("heap_growth_mb"), Math.max(1000, recipients / 10), large.get("heap_growth_mb"), recipients, growthRatio);
        result.put("loadavg_end", Bench.loadAverage());
        return result;
    }

    private Map<String, Object> once(int n) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        try (TestDatabase db = new TestDatabase();
             RapidProSimulator rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit(rate))) {
            MheroContext mhero = new MheroContext();
            mhero.setName("mhero-bench");
            mhero.setDataSource(db.dataSource());
            var config = Bench.shippedConfig();
            config.get("org.mhero.rapidpro").putAll(Map.of("api.url", rapidpro.baseUrl(), "api.token", rapidpro.token(), "rate.limit", rate));
            config.get("org.mhero.channel").putAll(Map.of("dispatch.poll.ms", "100"));
            mhero.setConfiguration(config);
            mhero.start();
            try {
                if (!mhero.getProblems().isEmpty()) throw new IllegalStateException("configuration problems: " + mhero.getProblems());
                seed(db, rapidpro, n);
                BroadcastService service = mhero.getCamelContext().getRegistry().lookupByNameAndType("broadcastService", BroadcastService.class);
                rapidpro.calls().clear();
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
                long t0 = System.nanoTime();
                BroadcastView v = service.create(new BroadcastRequest("bench", "Bench broadcast: please confirm your facility.", null, null,
                        List.of(), "active", List.of(), null, null, null), "bench");
                double resolveSeconds = (System.nanoTime() - t0) / 1e9;
                while (!service.get(v.id()).orElseThrow().status().equals("completed")) Thread.sleep(20);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Instant completedAt = Instant.now();
                sampler.interrupt();
                sampler.join();
                System.gc();
                long after = mem.getHeapMemoryUsage().getUsed();
                BroadcastView done = service.get(v.id()).orElseThrow();

                long calls = rapidpro.calls().count(c -> c.method().equals("POST") && c.path().endsWith("/broadcasts.json") && c.status() < 300);
                long allCalls = rapidpro.calls().total();
                long contactCalls = rapidpro.calls().count(c -> c.path().endsWith("/contacts.json"));
                long throttled = rapidpro.calls().count(c -> c.status() == 429);
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
                r.put("contacts_created_by_messaging", rapidpro.contactsCreatedByMessaging());
                r.put("messages_in_simulator", rapidpro.outgoing().size());
                r.put("floor_seconds", Math.round(floorSeconds * 100) / 100.0);
                r.put("time_vs_floor", Math.round(seconds / floorSeconds * 1000) / 1000.0);
                Instant firstCall = rapidpro.calls().all().stream().map(c -> c.at()).min(Instant::compareTo).orElseThrow();
                double dispatchSeconds = java.time.Duration.between(firstCall, completedAt).toNanos() / 1e9;
                r.put("dispatch_seconds", Math.round(dispatchSeconds * 100) / 100.0);
                r.put("dispatch_vs_floor", Math.round(dispatchSeconds / floorSeconds * 1000) / 1000.0);
                r.put("http_429", throttled);
                r.put("heap_growth_mb", Math.round((peak.get() - baseline) / 1e6 * 10) / 10.0);
                r.put("heap_retained_mb", Math.round((after - baseline) / 1e6 * 10) / 10.0);
                System.out.printf("%n[%,d recipients] resolved in %.2f s; completed in %.1f s (floor %.1f s: %d calls at %.1f/s; ratio %.3f; from the first call: ratio %.3f, target ≤ 1.05)%n"
                                + "  API calls %d (%.2f per 1,000, target ≤ 5), contact calls %d, contacts made by messaging %d, 429s %d, heap growth %.1f MB%n",
                        n, resolveSeconds, seconds, floorSeconds, floorCalls, allowedPerSecond, seconds / floorSeconds, dispatchSeconds / floorSeconds, allCalls,
                        allCalls * 1000.0 / n, contactCalls, rapidpro.contactsCreatedByMessaging(), throttled, (peak.get() - baseline) / 1e6);
            } finally {
                mhero.stop();
            }
        }
        return r;
    }

    /** N active workers with distinct numbers, each already a RapidPro contact (as after contact sync). */
    private static void seed(TestDatabase db, RapidProSimulator rapidpro, int n) throws Exception {
        List<String> uuids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) uuids.add(rapidpro.createContact("Worker " + i, String.format("tel:+23177%07d", i)));
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
