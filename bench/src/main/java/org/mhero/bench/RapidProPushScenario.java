package org.mhero.bench;

import org.apache.camel.ProducerTemplate;
import org.mhero.boot.MheroContext;
import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.merge.Matcher;
import org.mhero.merge.Merger;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.store.SyncStore;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pushing N changed health workers to the RapidPro simulator through the real {@code rapidpro-contacts.push} route,
 * with the simulator and mHero configured to the same workspace budget (e.g. 3600/hour, or a scaled 6000/minute so the
 * run takes minutes, not hours). Figures: API calls, seconds, the share of the allowed rate used
 * (calls / seconds / allowed per second; target ≥ 0.95) and the 429s the simulator answered (target 0).
 */
final class RapidProPushScenario {
    private final int contacts;
    private final String rate;
    private final String concurrency;
    private final String dbPool;
    private final Map<String, String> options;

    RapidProPushScenario(Bench.Options opts) {
        options = opts.asMap();
        contacts = opts.integer("contacts", 10_000);
        rate = opts.string("rate", "6000/minute");
        concurrency = opts.string("concurrency", null);
        dbPool = opts.string("db-pool", "hikari");
        if (!dbPool.equals("hikari") && !dbPool.equals("none")) throw new IllegalArgumentException("--db-pool hikari|none");
    }

    Map<String, Object> run() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.putAll(Bench.header("rapidpro-push", options));
        result.put("contacts", contacts);
        result.put("rate", rate);
        try (TestDatabase db = new TestDatabase();
             RapidProSimulator rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit(rate));
             AutoCloseable pool = dbPool.equals("hikari") ? Bench.hikari(db, "mhero-bench") : () -> {}) {
            MheroContext mhero = new MheroContext();
            mhero.setName("mhero-bench");
            // production reaches PostgreSQL through pax-jdbc's HikariCP pool; "none" opens a connection per use
            mhero.setDataSource(pool instanceof javax.sql.DataSource pooled ? pooled : db.dataSource());
            Map<String, Map<String, String>> pids = config(rapidpro);
            result.put("push_concurrency", pids.get("org.mhero.rapidpro").getOrDefault("push.concurrency", "1"));
            result.put("db_pool", dbPool.equals("hikari") ? "hikari" : "none (a new connection per use)");
            mhero.setConfiguration(pids);
            mhero.start();
            try {
                if (!mhero.getProblems().isEmpty()) throw new IllegalStateException("configuration problems: " + mhero.getProblems());
                seed(db);
                rapidpro.calls().clear();
                ProducerTemplate template = mhero.getCamelContext().createProducerTemplate();
                long t0 = System.nanoTime();
                template.sendBody("direct:rapidpro-contacts.push", null);
                double seconds = (System.nanoTime() - t0) / 1e9;

                long calls = rapidpro.calls().total();
                long throttled = rapidpro.calls().count(c -> c.status() == 429);
                long pushed = db.count("select count(*) from rapidpro_contact where contact_uuid is not null");
                String[] parts = rate.split("/");
                double allowedPerSecond = Double.parseDouble(parts[0]) / Bench.seconds(parts[1]);
                double utilisation = calls / seconds / allowedPerSecond;
                result.put("api_calls", calls);
                result.put("contacts_pushed", pushed);
                result.put("contacts_created_in_rapidpro", rapidpro.contactsCreatedByApi());
                result.put("seconds", Math.round(seconds * 100) / 100.0);
                result.put("allowed_per_second", Math.round(allowedPerSecond * 100) / 100.0);
                result.put("achieved_per_second", Math.round(calls / seconds * 100) / 100.0);
                result.put("rate_used", Math.round(utilisation * 1000) / 1000.0);
                result.put("http_429", throttled);
                boolean ok = pushed == contacts && throttled == 0 && utilisation >= 0.95;
                result.put("target_met", ok);
                result.put("outcome", pushed == contacts && throttled == 0 ? "ok" : "failed");
                System.out.printf("%n%-28s %,d%n%-28s %,d%n%-28s %.1f s%n%-28s %.2f/s (allowed %.2f/s)%n%-28s %.3f  (target ≥ 0.95)%n%-28s %d  (target 0)%n",
                        "contacts pushed", pushed, "API calls", calls, "time", seconds, "rate achieved",
                        calls / seconds, allowedPerSecond, "share of the allowed rate", utilisation, "HTTP 429 answers", throttled);
            } finally {
                mhero.stop();
            }
        }
        result.put("loadavg_end", Bench.loadAverage());
        return result;
    }

    /** N active, reachable workers with distinct numbers, written as one registry sync would (pages of 500). */
    private void seed(TestDatabase db) throws Exception {
        SyncStore store = new SyncStore(db.dataSource(), new Matcher(0.85), new Merger(List.of("ihris", "dhis2", "csv", "rapidpro")));
        List<HealthWorkerRecord> page = new ArrayList<>();
        for (int i = 0; i < contacts; i++) {
            String e164 = String.format("+23177%07d", i);
            page.add(new HealthWorkerRecord("ihris", "B" + i, "1", Instant.parse("2026-01-01T00:00:00Z"), "Worker " + i, "Worker",
                    Integer.toString(i), null, true, false, null, "2230-1B", "Nurse", "nurse", null, null, null,
                    List.of(new HealthWorkerRecord.Phone(e164, e164, null, 1, "mobile", true))));
            if (page.size() == 500 || i == contacts - 1) {
                store.storePage(page, "bench:seed", null);
                page.clear();
            }
        }
    }

    /** Every shipped etc/org.mhero.*.cfg, nothing scheduled, RapidPro pointed at the simulator with the same budget. */
    private Map<String, Map<String, String>> config(RapidProSimulator rapidpro) throws IOException {
        Map<String, Map<String, String>> pids = Bench.shippedConfig();
        Map<String, String> rp = pids.get("org.mhero.rapidpro");
        rp.put("api.url", rapidpro.baseUrl());
        rp.put("api.token", rapidpro.token());
        rp.put("rate.limit", rate);
        if (concurrency != null) rp.put("push.concurrency", concurrency);
        return pids;
    }
}
