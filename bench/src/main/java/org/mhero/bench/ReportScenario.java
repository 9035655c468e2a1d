package org.mhero.bench;

import org.mhero.report.ReportStore;
import org.mhero.report.Subject;
import org.mhero.sandbox.db.TestDatabase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code report}: how long the report of a large broadcast, flow start and quiz takes, against reading the same
 * broadcast's delivery rows once, in the same database and run.
 * <ul>
 *   <li>seed: {@code --recipients} workers over 15 districts and 3 cadres; a text broadcast to all of them (delivered,
 *       failed, skipped), 30% replying inside the window and 5% outside it; a flow start to all of them with one
 *       {@code flow_run} each (60% reached, 57% of those responded, 72% of those completed); a three-question quiz
 *       with everyone enrolled. Then {@code ANALYZE}.</li>
 *   <li><b>baseline</b>: {@code count(*)} and the delivered count of the text broadcast's deliveries: the least a
 *       report must read.</li>
 *   <li>each report ({@link ReportStore#report}: the funnel, by cadre, by district) and the first page of its
 *       non-responders, {@code --runs} times; the median, and its ratio to the baseline's median.</li>
 * </ul>
 */
final class ReportScenario {
    private final Bench.Options opts;
    private final int n;
    private final int runs;
    private final boolean keep;

    ReportScenario(Bench.Options opts) {
        this.opts = opts;
        this.n = opts.integer("recipients", 100_000);
        this.runs = opts.integer("runs", 5);
        this.keep = opts.bool("keep-db", false);
    }

    Map<String, Object> run() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.putAll(Bench.header("report", opts.asMap()));
        result.put("recipients", n);
        TestDatabase db = new TestDatabase();
        try (var pool = Bench.hikari(db, "mhero-bench-report")) {
            org.flywaydb.core.Flyway.configure().dataSource(pool).load().migrate();
            long t0 = System.nanoTime();
            seed(pool, n);
            say("seeded %,d workers, a text broadcast, a flow start and a quiz in %.1f s", n, (System.nanoTime() - t0) / 1e9);

            ReportStore store = new ReportStore(pool, 72, false);
            double base = median(runs, () -> {
                try (Connection c = pool.getConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("select count(*), count(*) filter (where status = 'delivered') from delivery where broadcast_id = 1")) {
                    rs.next();
                    if (rs.getLong(1) != n) throw new IllegalStateException("seed: " + rs.getLong(1) + " deliveries");
                }
            });
            result.put("baseline_ms", round(base));
            say("%-38s %8.1f ms", "baseline (read the deliveries once)", base);
            for (Subject s : List.of(Subject.of(Subject.Kind.BROADCAST, "1"), Subject.of(Subject.Kind.BROADCAST, "2"),
                    Subject.of(Subject.Kind.QUIZ, "bench-quiz"))) {
                String name = s.kind() == Subject.Kind.QUIZ ? "quiz" : s.key().equals("1") ? "text_broadcast" : "flow_start";
                ReportStore.Report[] last = new ReportStore.Report[1];
                double report = median(runs, () -> last[0] = store.report(s).orElseThrow());
                double page = median(runs, () -> store.nonResponders(s, 0, 100).orElseThrow());
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("report_ms", round(report));
                r.put("ratio_to_baseline", round(report / base));
                r.put("non_responders_page_ms", round(page));
                r.put("funnel", last[0].funnel().stream().map(st -> st.name() + " " + st.count()).toList());
                result.put(name, r);
                say("%-38s %8.1f ms (%.1f× the baseline); non-responders, first page %.1f ms; %s", name + " report", report, report / base,
                        page, r.get("funnel"));
            }
            result.put("outcome", "ok");
        } catch (Exception e) {
            result.put("outcome", "failed: " + e);
            e.printStackTrace();
        } finally {
            if (keep) say("database %s kept (--keep-db)", db.name()); else db.close();
        }
        return result;
    }

    private static void seed(javax.sql.DataSource ds, int n) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("insert into location (registry, source_id, name, level, path, content_hash) values ('ihris', 'LR', 'Liberia', 'country', '/LR', 'x')");
            st.execute("""
                    insert into location (registry, source_id, name, level, parent_source_id, path, country_source_id, district_source_id, content_hash)
                    select 'ihris', 'D' || d, 'District ' || d, 'district', 'LR', '/LR/D' || d, 'LR', 'D' || d, 'x' from generate_series(0, 14) d""");
            st.execute("""
                    insert into location (registry, source_id, name, level, parent_source_id, path, country_source_id, district_source_id, content_hash)
                    select 'ihris', 'F' || f, 'Facility ' || f, 'facility', 'D' || (f % 15), '/LR/D' || (f % 15) || '/F' || f, 'LR', 'D' || (f % 15), 'x'
                      from generate_series(0, 299) f""");
            st.execute("""
                    insert into health_worker (display_name, cadre, facility_id)
                    select 'Worker ' || i, (array['nurse', 'midwife', 'doctor'])[i % 3 + 1], (select id from location where source_id = 'F' || (i % 300))
                      from generate_series(1, """ + n + ") i");
            // 1: a text broadcast; 2: a flow start; both started an hour ago
            st.execute("""
                    insert into broadcast (title, kind, text, target, status, started_at, recipients)
                    values ('bench text', 'text', 'Please confirm', '{}', 'completed', now() - interval '1 hour', %1$d)""".formatted(n));
            st.execute("""
                    insert into broadcast (title, kind, flow_uuid, target, status, started_at, recipients)
                    values ('bench flow', 'flow', '6c1f1a2e-5b7d-4c3e-9a8f-0d2e4b6a8c10', '{}', 'completed', now() - interval '1 hour', %1$d)""".formatted(n));
            st.execute("insert into delivery_batch (broadcast_id, channel, status, external_id) values (2, 'rapidpro', 'accepted', 'start-1')");
            st.execute("""
                    insert into delivery (broadcast_id, health_worker_id, phone, status)
                    select 1, id, '+23177' || lpad(id::text, 7, '0'),
                           case when id % 10 = 0 then 'skipped' when id % 10 < 7 then 'delivered' else 'failed' end from health_worker""");
            st.execute("""
                    insert into delivery (broadcast_id, batch_id, health_worker_id, phone, status)
                    select 2, 1, id, '+23177' || lpad(id::text, 7, '0'), case when id % 5 < 3 then 'delivered' else 'failed' end from health_worker""");
            st.execute("""
                    insert into flow_run (uuid, batch_id, broadcast_id, delivery_id, health_worker_id, flow_uuid, responded, answered, exit_type)
                    select 'run-' || d.id, 1, 2, d.id, d.health_worker_id, '6c1f1a2e-5b7d-4c3e-9a8f-0d2e4b6a8c10',
                           d.status = 'delivered' and d.health_worker_id % 100 < 57,
                           case when d.status = 'delivered' and d.health_worker_id % 100 < 41 then 15 when d.status = 'delivered' and d.health_worker_id % 100 < 57 then 1 else 0 end,
                           case when d.status = 'delivered' and d.health_worker_id % 100 < 41 then 'completed' end
                      from delivery d where d.broadcast_id = 2""");
            st.execute("""
                    insert into inbound_message (source, external_id, intake, received_at, health_worker_id, text, status)
                    select 'kannel', 'in-' || id, 'get-url', now() - interval '30 minutes', id, 'OK', 'done' from health_worker where id % 10 between 1 and 3""");
            st.execute("""
                    insert into inbound_message (source, external_id, intake, received_at, health_worker_id, text, status)
                    select 'kannel', 'old-' || id, 'get-url', now() - interval '3 days', id, 'hello', 'done' from health_worker where id % 20 = 4""");
            st.execute("insert into quiz (name, interval_days) values ('bench-quiz', 0)");
            st.execute("""
                    insert into quiz_question (quiz_id, position, text, choices, correct)
                    select 1, p, 'Q' || p, '["a", "b"]', 0 from generate_series(1, 3) p""");
            st.execute("insert into quiz_enrolment (quiz_id, health_worker_id, next_position) select 1, id, 4 from health_worker");
            st.execute("""
                    insert into broadcast (title, kind, text, target, status, started_at, recipients, origin)
                    select 'quiz', 'text', 'Q1', '{}', 'completed', now() - interval '1 hour', 1, 'quiz:' || e.id || ':1' from quiz_enrolment e""");
            st.execute("""
                    insert into delivery (broadcast_id, health_worker_id, status)
                    select b.id, e.health_worker_id, case when e.id % 5 < 4 then 'delivered' else 'failed' end
                      from quiz_enrolment e join broadcast b on b.origin = 'quiz:' || e.id || ':1'""");
            st.execute("""
                    insert into quiz_answer (enrolment_id, position, raw, choice, correct)
                    select e.id, p, 'a', 0, true from quiz_enrolment e, generate_series(1, 3) p
                     where e.id % 5 < 4 and (e.id % 100 < 30 or (e.id % 100 < 45 and p = 1))""");
            st.execute("analyze");
        }
    }

    private interface Step { void run() throws Exception; }

    /** The median wall time of {@code runs} runs, in ms, after one run that is not counted (caches, JIT). */
    private static double median(int runs, Step step) throws Exception {
        step.run();
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            step.run();
            ms.add((System.nanoTime() - t) / 1e6);
        }
        Collections.sort(ms);
        return ms.get(ms.size() / 2);
    }

    private static double round(double v) { return Math.round(v * 10) / 10.0; }

    private static void say(String fmt, Object... args) { System.out.printf(fmt + "%n", args); }
}
