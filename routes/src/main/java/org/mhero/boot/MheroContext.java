package org.mhero.boot;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.flywaydb.core.Flyway;
import org.mhero.api.ApiFlow;
import org.mhero.broadcast.BroadcastFlow;
import org.mhero.config.ErrorSettings;
import org.mhero.config.MergeSettings;
import org.mhero.merge.Matcher;
import org.mhero.merge.Merger;
import org.mhero.config.Pid;
import org.mhero.csv.CsvFlow;
import org.mhero.dhis2.Dhis2Flow;
import org.mhero.groups.GroupsFlow;
import org.mhero.ihris.IhrisFlow;
import org.mhero.rapidpro.RapidProFlow;
import org.mhero.store.SyncStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Creates, configures and starts mHero's CamelContext. Blueprint creates this bean with the DataSource and the
 * {@code org.mhero.*} PIDs ({@code init-method="start"}, {@code destroy-method="stop"}) and re-creates it when a PID
 * changes; tests create it directly. A flow whose configuration is invalid is not loaded, and each problem is logged
 * with its PID and key; the other flows start.
 */
public class MheroContext implements Operations {
    private static final Logger LOG = LoggerFactory.getLogger(MheroContext.class);

    /** Every flow, in start order. A new flow is one class and one line here. */
    static final List<Flow> FLOWS = List.of(new IhrisFlow(), new Dhis2Flow(), new CsvFlow(), new RapidProFlow(), new GroupsFlow(),
            new BroadcastFlow(), new org.mhero.inbound.InboundFlow(), new org.mhero.quiz.QuizFlow(),
            new org.mhero.report.ReportFlow(), new ApiFlow());

    private DataSource dataSource;
    private Map<String, ?> configuration = Map.of();
    private String name = "mhero";
    private DefaultCamelContext camel;
    private final List<Pid.Problem> problems = new ArrayList<>();
    private final List<String> loadedFlows = new ArrayList<>();

    public void setDataSource(DataSource dataSource) { this.dataSource = dataSource; }

    /** PID name → its properties (a {@code Dictionary}/{@code Map} as blueprint's cm-properties gives it). */
    public void setConfiguration(Map<String, ?> configuration) { this.configuration = configuration; }

    public void setName(String name) { this.name = name; }

    public CamelContext getCamelContext() { return camel; }
    public List<Pid.Problem> getProblems() { return List.copyOf(problems); }
    public List<String> getLoadedFlows() { return List.copyOf(loadedFlows); }

    public void start() throws Exception {
        long t0 = System.nanoTime();
        build();
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(MheroContext.class.getClassLoader());
        try {
            camel.start();
        } finally {
            t.setContextClassLoader(previous);
        }
        LOG.info("mHero CamelContext '{}' started in {} ms with flows {} ({} routes); {} configuration problem(s)",
                name, (System.nanoTime() - t0) / 1_000_000, loadedFlows, camel.getRoutes().size(), problems.size());
    }

    /** Migrates the database and creates the configured, not yet started, CamelContext (tests start it themselves). */
    public DefaultCamelContext build() throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        ClassLoader bundle = MheroContext.class.getClassLoader();
        t.setContextClassLoader(bundle);
        try {
            problems.clear();
            loadedFlows.clear();
            migrate();
            camel = new DefaultCamelContext();
            camel.getCamelContextExtension().setName(name);
            camel.setApplicationContextClassLoader(bundle);
            camel.getRegistry().bind("dataSource", dataSource);

            Properties props = new Properties();
            List<String> routeFiles = new ArrayList<>();

            Pid errorsPid = pid(ErrorSettings.PID);
            ErrorSettings errors = ErrorSettings.from(errorsPid);
            if (!report(errorsPid, "the default retry policy")) {
                errors = new ErrorSettings(3, 1000, 2.0, 60_000);
            }
            props.setProperty("errors.redelivery.max", Integer.toString(errors.maxRedeliveries()));
            props.setProperty("errors.redelivery.delay.ms", Long.toString(errors.initialDelayMs()));
            props.setProperty("errors.redelivery.backoff.multiplier", Double.toString(errors.backoffMultiplier()));
            props.setProperty("errors.redelivery.max.delay.ms", Long.toString(errors.maxDelayMs()));
            routeFiles.add("camel/errors.xml");

            Pid mergePid = pid(MergeSettings.PID);
            MergeSettings merge = MergeSettings.from(mergePid);
            boolean mergeOk = report(mergePid, "no registry sync runs until it is fixed (records cannot be merged safely)");
            SyncStore store = new SyncStore(dataSource, new Matcher(merge.nameThreshold()), new Merger(merge.registryPriority()));
            FlowContext flowContext = new FlowContext(camel, dataSource, store, props, this::pid);
            for (Flow flow : FLOWS) {
                if (flow.writesHealthWorkers() && !mergeOk) continue;
                Pid pid = pid(flow.pid());
                flow.configure(pid, flowContext);
                if (report(pid, flow.name() + " is not started until it is fixed")) {
                    routeFiles.addAll(flow.routeFiles());
                    loadedFlows.add(flow.name());
                }
            }

            camel.getPropertiesComponent().setInitialProperties(props);
            var loader = PluginHelper.getRoutesLoader(camel);
            for (String file : routeFiles) {
                loader.loadRoutes(ResourceHelper.resolveMandatoryResource(camel, "classpath:" + file));
            }
            for (Flow flow : FLOWS) {
                if (loadedFlows.contains(flow.name())) flow.routesLoaded(camel);
            }
            return camel;
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    public void stop() {
        if (camel != null) {
            camel.stop();
            LOG.info("mHero CamelContext '{}' stopped", name);
            camel = null;
        }
    }

    // ---- Operations (the mhero:* commands) ----

    private static final java.util.Map<String, String> SYNC_ENDPOINTS = java.util.Map.of(
            "ihris", "direct:ihris-sync", "dhis2", "direct:dhis2-sync",
            "rapidpro-push", "direct:rapidpro-contacts.push", "rapidpro-pull", "direct:rapidpro-contacts.pull");

    @Override
    public String startSync(String source, boolean full) {
        String base = SYNC_ENDPOINTS.get(source);
        if (base == null) return "unknown source '" + source + "'; one of " + new java.util.TreeSet<>(SYNC_ENDPOINTS.keySet());
        if (full && source.startsWith("rapidpro")) return "--full applies to ihris and dhis2 only";
        String uri = source.startsWith("rapidpro") ? base : base + (full ? ".full-resync" : ".run");
        if (camel == null || camel.getRoute(uri.substring("direct:".length())) == null) {
            return source + " is not running (see mhero:problems)";
        }
        camel.createProducerTemplate().asyncSendBody(uri, null);
        return (full ? "full resync of " : "sync of ") + source + " started; follow it with mhero:sync-status and in the log";
    }

    @Override
    public List<List<String>> syncRuns(int limit) {
        return query("""
                select id::text, source, status, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS'),
                       coalesce(extract(epoch from finished_at - started_at)::int::text, ''), pages::text, seen::text,
                       created::text, updated::text, unchanged::text, unreachable::text, coalesce(left(error, 80), '')
                  from sync_run order by id desc limit ?""",
                List.of("id", "source", "status", "started", "seconds", "pages", "seen", "created", "updated", "unchanged",
                        "no phone", "error"), limit);
    }

    @Override
    public List<List<String>> groups() {
        return query("select name, member_count::text, mirror::text, rule from contact_group order by name limit ?",
                List.of("group", "members", "mirror", "rule"), 10_000);
    }

    @Override
    public List<List<String>> previewGroup(String rule, int sampleSize) {
        try {
            var preview = new org.mhero.groups.GroupStore(dataSource).preview(rule, sampleSize);
            List<List<String>> out = new ArrayList<>();
            out.add(List.of("health worker", "name", "cadre", "facility"));
            out.add(List.of("count", Long.toString(preview.count()), "", ""));
            for (var m : preview.sample()) {
                out.add(List.of(Long.toString(m.healthWorkerId()), nz(m.displayName()), nz(m.cadre()), nz(m.facility())));
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("preview failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<List<String>> reviewQueue(int limit) {
        return query("""
                select h.id::text, coalesce(h.display_name, ''), h.review_reason,
                       (select string_agg(registry || ':' || source_id, ', ' order by registry) from source_link where health_worker_id = h.id)
                  from health_worker h where h.review_reason is not null order by h.id limit ?""",
                List.of("health worker", "name", "why", "source records"), limit);
    }

    @Override
    public List<String> problems() {
        return problems.stream().map(Pid.Problem::toString).toList();
    }

    // ---- broadcasts (mhero:broadcast*), through the broadcast flow's service

    /** Delivery statuses in the order of a message's life, the columns of the broadcast tables. */
    private static final List<String> COUNTED = List.of("pending", "posting", "accepted", "sent", "delivered", "failed",
            "skipped", "dead", "in_doubt", "cancelled");

    /** The bean {@code name} of a running flow; an {@link IllegalStateException} saying {@code what} is not running otherwise. */
    private <T> T running(String name, Class<T> type, String what) {
        CamelContext c = camel;
        T bean = c == null ? null : c.getRegistry().lookupByNameAndType(name, type);
        if (bean == null) throw new IllegalStateException(what + " are not running (see mhero:problems)");
        return bean;
    }

    private org.mhero.broadcast.BroadcastService broadcasts() {
        return running("broadcastService", org.mhero.broadcast.BroadcastService.class, "broadcasts");
    }

    @Override
    public String createBroadcast(Map<String, String> fields, String user) {
        try {
            var v = broadcasts().create(org.mhero.api.ApiJson.request(fields), user);
            return "broadcast " + v.id() + " " + v.status() + ": " + v.recipients() + " delivery(ies)"
                    + (v.sendAt() != null ? ", at " + v.sendAt() : "") + (v.nextFireAt() != null ? ", next at " + v.nextFireAt() : "")
                    + "; follow it with mhero:broadcast-status " + v.id();
        } catch (org.mhero.api.ApiProblem e) {
            return "refused: " + (e.field() == null ? "" : e.field() + " ") + e.getMessage();
        } catch (org.mhero.broadcast.BroadcastRejected e) {
            return "refused: " + (e.field() == null ? "" : e.field() + " ") + e.getMessage();
        }
    }

    @Override
    public List<List<String>> broadcasts(int limit) {
        List<List<String>> out = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("id", "title", "kind", "status", "created", "by", "recipients"));
        header.addAll(COUNTED);
        out.add(header);
        for (var v : broadcasts().list(limit)) {
            List<String> row = new ArrayList<>(List.of(Long.toString(v.id()), nz(v.title()), v.kind(), v.status(),
                    time(v.createdAt()), nz(v.createdBy()), Integer.toString(v.recipients())));
            for (String c : COUNTED) row.add(Integer.toString(v.count(c)));
            out.add(row);
        }
        return out;
    }

    @Override
    public List<List<String>> broadcast(long id) {
        var v = broadcasts().get(id).orElseThrow(() -> new IllegalArgumentException("no broadcast " + id));
        List<List<String>> out = new ArrayList<>();
        out.add(List.of("field", "value"));
        out.add(List.of("id", Long.toString(v.id())));
        out.add(List.of("title", nz(v.title())));
        out.add(List.of("kind", v.kind()));
        out.add(List.of("status", v.status()));
        out.add(List.of("channel", v.channel() == null ? "(active)" : v.channel()));
        out.add(List.of("created", time(v.createdAt()) + " by " + nz(v.createdBy())));
        if (v.sendAt() != null) out.add(List.of("send at", time(v.sendAt())));
        if (v.cron() != null) out.add(List.of("cron", v.cron() + (v.nextFireAt() != null ? ", next " + time(v.nextFireAt()) : "")));
        if (v.parentId() != null) out.add(List.of("occurrence of", Long.toString(v.parentId())));
        if (v.startedAt() != null) out.add(List.of("started", time(v.startedAt())));
        if (v.finishedAt() != null) out.add(List.of("finished", time(v.finishedAt())));
        out.add(List.of("recipients", Integer.toString(v.recipients())));
        for (String c : COUNTED) if (v.count(c) > 0) out.add(List.of(c, Integer.toString(v.count(c))));
        return out;
    }

    @Override
    public List<List<String>> broadcastDeliveries(long id, String status, int limit) {
        try {
            String s = org.mhero.api.ApiPaths.status(status);
            List<List<String>> out = new ArrayList<>();
            out.add(List.of("delivery", "health worker", "name", "phone", "part", "status", "reason", "channel", "attempts", "updated"));
            for (var d : broadcasts().deliveries(id, s, 0, limit)) {
                out.add(List.of(Long.toString(d.deliveryId()), Long.toString(d.healthWorkerId()), nz(d.displayName()),
                        nz(d.maskedPhone()), Integer.toString(d.part()), d.status(), nz(d.reason()), nz(d.channel()),
                        Integer.toString(d.attempts()), time(d.updatedAt())));
            }
            return out;
        } catch (org.mhero.api.ApiProblem e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (org.mhero.broadcast.BroadcastRejected e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public String cancelBroadcast(long id) {
        try {
            var v = broadcasts().cancel(id);
            return "broadcast " + id + " " + v.status() + "; " + v.count("cancelled") + " delivery(ies) will not be sent";
        } catch (org.mhero.broadcast.BroadcastRejected e) {
            return "refused: " + e.getMessage();
        }
    }

    @Override
    public String replayDeadLetters(long id, boolean inDoubt) {
        try {
            int n = broadcasts().replay(id, inDoubt);
            return n + " delivery(ies) back in the outbox" + (id == 0 ? "" : " for broadcast " + id);
        } catch (org.mhero.broadcast.BroadcastRejected e) {
            return "refused: " + e.getMessage();
        }
    }

    @Override
    public List<List<String>> inbox(String status, String route, String search, int limit) {
        try {
            List<List<String>> out = new ArrayList<>();
            out.add(List.of("id", "received", "source", "from", "worker", "status", "route", "outcome", "text"));
            for (var m : inbound().inbox(status, route, search, 0, limit, false)) {
                String text = m.text() == null ? "" : m.text().replaceAll("\\s+", " ");
                out.add(List.of(Long.toString(m.id()), time(m.receivedAt()), m.source(), nz(m.sender()), nz(m.worker()), m.status(),
                        nz(m.route()), nz(m.outcome()), text.length() > 60 ? text.substring(0, 59) + "…" : text));
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the inbox could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public String replayInbound(long id) {
        try {
            int n = inbound().replay(id);
            return n + " failed message(s) routed again" + (id == 0 ? "" : " (message " + id + ")");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("replay failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<List<String>> quizReport(String name) {
        var s = quizStore();
        try {
            List<List<String>> out = new ArrayList<>();
            out.add(List.of("step / question", "count", "% of previous", "answered", "correct", "missed"));
            var report = reports().report(org.mhero.report.Subject.of(org.mhero.report.Subject.Kind.QUIZ, name))
                    .orElseThrow(() -> new IllegalArgumentException("no quiz " + name));
            for (var st : report.funnel()) {
                out.add(List.of(st.name(), Integer.toString(st.count()), percent(st.percentOfPrevious()), "", "", ""));
            }
            for (var q : s.questions(name)) {
                String text = q.text().length() > 50 ? q.text().substring(0, 49) + "…" : q.text();
                out.add(List.of("Q" + q.position() + " " + text, Integer.toString(q.sent()), "", Integer.toString(q.answered()),
                        Integer.toString(q.correct()), Integer.toString(q.missed())));
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the quiz report could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public List<List<String>> report(String kind, String key, String by, int limit) {
        org.mhero.report.Subject subject = subject(kind, key);
        try {
            List<List<String>> out = new ArrayList<>();
            if ("non-responders".equals(by)) {
                out.add(List.of("worker", "name", "cadre", "district", "reached"));
                for (var n : reports().nonResponders(subject, 0, limit).orElseThrow(() -> new IllegalArgumentException("no " + subject))) {
                    out.add(java.util.Arrays.asList(Long.toString(n.workerId()), n.name(), n.cadre(), n.district(), n.reached() ? "yes" : "no"));
                }
                return out;
            }
            var r = reports().report(subject).orElseThrow(() -> new IllegalArgumentException("no " + subject));
            if (by == null || by.isBlank()) {
                out.add(List.of(r.title(), "count", "% of previous"));
                for (var st : r.funnel()) out.add(List.of(st.name(), Integer.toString(st.count()), percent(st.percentOfPrevious())));
                return out;
            }
            List<org.mhero.report.ReportStore.Row> rows = switch (by) {
                case "cadre" -> r.byCadre();
                case "district" -> r.byDistrict();
                default -> throw new IllegalArgumentException("--by is cadre, district or non-responders, not '" + by + "'");
            };
            List<String> head = new ArrayList<>(List.of(by));
            for (String step : org.mhero.report.ReportStore.STEPS) head.addAll(List.of(step, "%"));
            out.add(head);
            for (var row : rows) {
                List<String> line = new ArrayList<>(List.of(row.value()));
                for (var st : row.steps()) line.addAll(List.of(Integer.toString(st.count()), percent(st.percentOfPrevious())));
                out.add(line);
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the report could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public String followUp(String kind, String key, String text, String user) {
        org.mhero.report.Subject subject = subject(kind, key);
        try {
            var v = reports().followUp(subject, null, text, null, user, broadcasts()).orElseThrow(() -> new IllegalArgumentException("no " + subject));
            return "broadcast " + v.id() + " " + v.status() + ": " + v.recipients() + " non-responder(s) of " + subject;
        } catch (org.mhero.broadcast.BroadcastRejected e) {
            return "refused: " + e.getMessage();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the follow-up could not be made: " + e.getMessage(), e);
        }
    }

    private static org.mhero.report.Subject subject(String kind, String key) {
        var k = org.mhero.report.Subject.Kind.ofWord(kind);
        if (k == null) throw new IllegalArgumentException("the kind is broadcast, flow or quiz, not '" + kind + "'");
        return org.mhero.report.Subject.of(k, key);
    }

    private static String percent(Double p) { return p == null ? "" : p + "%"; }

    private org.mhero.report.ReportStore reports() {
        return running("reportStore", org.mhero.report.ReportStore.class, "reports");
    }

    private org.mhero.quiz.QuizStore quizStore() {
        return running("quizStore", org.mhero.quiz.QuizStore.class, "quizzes");
    }

    @Override
    public List<List<String>> quizzes() {
        try {
            List<List<String>> out = new ArrayList<>();
            out.add(List.of("quiz", "source", "status", "group", "training", "keyword", "questions", "enrolled", "finished", "correct"));
            for (var q : quizStore().list()) {
                out.add(List.of(q.name(), q.source(), q.status(), nz(q.group()), nz(q.training()), nz(q.keyword()),
                        Integer.toString(q.questions()), Integer.toString(q.enrolled()), Integer.toString(q.finished()),
                        q.correct() + "/" + q.answers()));
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the quizzes could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public List<List<String>> quizResults(String name, int limit) {
        try {
            var store = quizStore();
            if (!store.exists(name)) throw new IllegalArgumentException("no quiz " + name);
            List<List<String>> out = new ArrayList<>();
            out.add(List.of("health worker", "name", "enrolled", "sent", "answered", "correct", "finished"));
            for (var w : store.workers(name, 0, limit)) {
                out.add(List.of(Long.toString(w.healthWorkerId()), nz(w.name()), time(w.enrolledAt()), Integer.toString(w.sent()),
                        Integer.toString(w.answered()), Integer.toString(w.correct()), time(w.finishedAt())));
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the quiz results could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public String closeQuiz(String name, String user) {
        try {
            var store = quizStore();
            if (store.close(name, user)) return "quiz " + name + " closed: no more questions, later answers are not scored";
            return !store.exists(name) ? "no quiz " + name : "quiz " + name + " is already closed";
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the quiz could not be closed: " + e.getMessage(), e);
        }
    }

    private org.mhero.inbound.InboundStore inbound() {
        return running("inboundStore", org.mhero.inbound.InboundStore.class, "inbound messages");
    }

    private static String time(java.time.Instant i) {
        return i == null ? "" : java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(i);
    }

    private List<List<String>> query(String sql, List<String> header, int limit) {
        List<List<String>> out = new ArrayList<>();
        out.add(header);
        try (var c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setInt(1, limit);
            try (var rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(n);
                    for (int i = 1; i <= n; i++) row.add(nz(rs.getString(i)));
                    out.add(row);
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return out;
    }

    private static String nz(String s) { return s == null ? "" : s; }

    private void migrate() {
        Flyway.configure(MheroContext.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    private Pid pid(String name) {
        Object raw = configuration.get(name);
        Map<Object, Object> values = new HashMap<>();
        if (raw instanceof Map<?, ?> m) m.forEach(values::put);
        else if (raw instanceof java.util.Dictionary<?, ?> d) {
            for (var keys = d.keys(); keys.hasMoreElements(); ) {
                Object k = keys.nextElement();
                values.put(k, d.get(k));
            }
        }
        return new Pid(name, values);
    }

    /** Logs every problem of a PID at ERROR; true when there is none. */
    private boolean report(Pid pid, String consequence) {
        if (pid.ok()) return true;
        for (Pid.Problem p : pid.problems()) {
            problems.add(p);
            LOG.error("Invalid configuration {}: {}; {}", p.pid(), p.key() + " " + p.message(), consequence);
        }
        return false;
    }
}
