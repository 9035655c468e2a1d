package org.mhero.report;

import org.mhero.broadcast.BroadcastRejected;
import org.mhero.broadcast.BroadcastRequest;
import org.mhero.broadcast.BroadcastService;
import org.mhero.broadcast.BroadcastView;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Response reports for a broadcast, a flow or a quiz, computed in SQL from what mHero stored: the outbox (who was
 * targeted, what each channel reported), the runs the report tracker read from RapidPro, the inbound messages and the
 * quiz answers. Every step is counted per health worker, once:
 * <ul>
 *   <li><b>targeted</b>: the workers the broadcast, flow start or quiz was meant for (skipped ones included: an opted-out
 *       worker or one without a usable number was targeted and not reached);</li>
 *   <li><b>reached</b>: its (first) message was delivered to the handset, or the worker responded (a reply proves it
 *       arrived); with {@code reached.includes.sent} also a message the channel sent without a delivery report;</li>
 *   <li><b>responded</b>: a text broadcast: any message from the worker that reached mHero after the broadcast's start
 *       and was sent (by the sender's clock where it gives one, to the minute, else when it reached mHero) within
 *       {@code response.window.hours} of it; a flow: the run responded; a quiz: at least one answer;</li>
 *   <li><b>completed</b>: a flow: the run completed; a quiz: every question answered; a text broadcast asks one
 *       thing, so completed = responded.</li>
 * </ul>
 * Each step has its percentage of the step before. A recurring broadcast's report covers all its occurrences.
 */
public final class ReportStore {
    /** A step of the funnel: a count and its share of the step before (null for the first). */
    public record Step(String name, int count, Double percentOfPrevious) {}

    /** One row of a breakdown (a cadre or a district): its own funnel. */
    public record Row(String value, List<Step> steps) {}

    /** A report: the funnel, and the same by cadre and by district (largest first). */
    public record Report(Subject subject, String title, List<Step> funnel, List<Row> byCadre, List<Row> byDistrict) {}

    /** A worker who was targeted and did not respond. */
    public record NonResponder(long workerId, String name, String cadre, String district, boolean reached) {}

    public static final List<String> STEPS = List.of("targeted", "reached", "responded", "completed");

    private final DataSource ds;
    private final int responseWindowHours;
    private final boolean reachedIncludesSent;

    public ReportStore(DataSource ds, int responseWindowHours, boolean reachedIncludesSent) {
        this.ds = ds;
        this.responseWindowHours = responseWindowHours;
        this.reachedIncludesSent = reachedIncludesSent;
    }

    /** The report, or empty when there is no such broadcast, flow start or quiz. */
    public Optional<Report> report(Subject s) throws SQLException {
        return read(c -> report(c, s));
    }

    private Optional<Report> report(Connection c, Subject s) throws SQLException {
        String title = title(c, s);
        if (title == null) return Optional.empty();
        List<Step> funnel = List.of();
        List<Row> byCadre = new ArrayList<>(), byDistrict = new ArrayList<>();
        String sql = "with x as (" + perWorker(s) + ") select 'all', null, count(*), count(*) filter (where reached), "
                + "count(*) filter (where responded), count(*) filter (where completed) from x "
                + "union all select 'cadre', coalesce(h.cadre, '(none)'), count(*), count(*) filter (where reached), "
                + "count(*) filter (where responded), count(*) filter (where completed) from x join health_worker h on h.id = x.worker group by 2 "
                + "union all select 'district', coalesce(dl.name, '(unknown)'), count(*), count(*) filter (where reached), "
                + "count(*) filter (where responded), count(*) filter (where completed) from x join health_worker h on h.id = x.worker "
                + DISTRICT_JOIN + " group by 2 order by 1, 3 desc, 2";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, s, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Step> steps = steps(rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6));
                    switch (rs.getString(1)) {
                        case "all" -> funnel = steps;
                        case "cadre" -> byCadre.add(new Row(rs.getString(2), steps));
                        default -> byDistrict.add(new Row(rs.getString(2), steps));
                    }
                }
            }
        }
        return Optional.of(new Report(s, title, funnel, byCadre, byDistrict));
    }

    /** The targeted workers who did not respond, by worker id after {@code afterId}; empty when there is no such subject. */
    public Optional<List<NonResponder>> nonResponders(Subject s, long afterId, int limit) throws SQLException {
        return read(c -> nonResponders(c, s, afterId, limit));
    }

    private Optional<List<NonResponder>> nonResponders(Connection c, Subject s, long afterId, int limit) throws SQLException {
        if (title(c, s) == null) return Optional.empty();
        List<NonResponder> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("with x as (" + perWorker(s) + ") "
                + "select x.worker, h.display_name, h.cadre, dl.name, x.reached from x join health_worker h on h.id = x.worker "
                + DISTRICT_JOIN + " where not x.responded and x.worker > ? order by x.worker limit ?")) {
            int k = bind(ps, s, 1);
            ps.setLong(k++, afterId);
            ps.setInt(k, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new NonResponder(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5)));
            }
        }
        return Optional.of(out);
    }

    /**
     * A follow-up in one step: a broadcast of {@code text} (or a start of {@code flowUuid}) to every non-responder,
     * through {@code service} (so it is validated, resolved and sent like any broadcast; opted-out workers are skipped
     * there). Empty when there is no such subject; a {@link BroadcastRejected} (409) when everyone responded.
     */
    public Optional<BroadcastView> followUp(Subject s, String title, String text, String flowUuid, String user, BroadcastService service)
            throws SQLException, BroadcastRejected {
        Optional<List<Long>> found = read(c -> nonResponderIds(c, s));
        if (found.isEmpty()) return Optional.empty();
        List<Long> workers = found.get();
        if (workers.isEmpty()) throw new BroadcastRejected(409, "target", s + " has no non-responders: nothing to send");
        return Optional.of(service.create(new BroadcastRequest(title == null || title.isBlank() ? "follow-up of " + s : title, text, flowUuid, null, null, null, workers,
                null, null, null), user));
    }

    /** Every non-responder's worker id, in one query (the follow-up's target); empty when there is no such subject. */
    private Optional<List<Long>> nonResponderIds(Connection c, Subject s) throws SQLException {
        if (title(c, s) == null) return Optional.empty();
        List<Long> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("with x as (" + perWorker(s) + ") select worker from x where not responded order by worker")) {
            bind(ps, s, 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getLong(1));
            }
        }
        return Optional.of(out);
    }

    // -------------------------------------------------------------------------------------------------------------

    private interface Reading<T> {
        T in(Connection c) throws SQLException;
    }

    /** Runs {@code reading} in a read-only transaction ({@link #readOnly}), rolled back after. */
    private <T> T read(Reading<T> reading) throws SQLException {
        try (Connection c = readOnly(ds.getConnection())) {
            try {
                return reading.in(c);
            } finally {
                c.rollback();
            }
        }
    }

    /**
     * Starts a read-only transaction without JIT on {@code c}: the planner's estimate of the per-worker join is far
     * above {@code jit_above_cost}, and compiling it cost 270 ms of a 300 ms report (10,000 enrolments, EXPLAIN
     * ANALYZE). The caller rolls it back (nothing was written).
     */
    private static Connection readOnly(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setReadOnly(true);
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("set local jit = off");
        }
        return c;
    }

    private static final String DISTRICT_JOIN = "left join location f on f.id = h.facility_id "
            + "left join location dl on dl.registry = f.registry and dl.source_id = f.district_source_id and dl.level = 'district' ";

    /** The subject's title, or null when it does not exist. */
    private static String title(Connection c, Subject s) throws SQLException {
        String sql = switch (s.kind()) {
            case BROADCAST -> "select coalesce(title, kind || ' broadcast ' || id) from broadcast where id = ?";
            case FLOW -> "select 'flow ' || ? from broadcast where kind = 'flow' and flow_uuid = ? limit 1";
            case QUIZ -> "select 'quiz ' || name from quiz where name = ?";
        };
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            switch (s.kind()) {
                case BROADCAST -> ps.setLong(1, s.broadcastId());
                case FLOW -> {
                    ps.setString(1, s.key());
                    ps.setString(2, s.key());
                }
                case QUIZ -> ps.setString(1, s.key());
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** One row per targeted worker: worker, reached, responded, completed (reached and responded implied by the later steps). */
    private String perWorker(Subject s) {
        String delivered = "d.status = 'delivered'" + (reachedIncludesSent ? " or d.status in ('sent', 'accepted')" : "");
        String raw = switch (s.kind()) {
            case BROADCAST -> """
                    with responses as materialized (
                        select distinct b.id as broadcast, i.health_worker_id as worker
                          from broadcast b join inbound_message i
                            on i.received_at >= b.started_at
                           and coalesce(i.sent_at, i.received_at) >= b.started_at - interval '1 minute'
                           and coalesce(i.sent_at, i.received_at) < b.started_at + make_interval(hours => ?)
                           and i.source <> 'rapidpro-run' and i.health_worker_id is not null
                         where (b.id = ? or b.parent_id = ?) and b.kind = 'text')
                    select d.health_worker_id as worker,
                           bool_or(%s) as delivered,
                           bool_or(case when b.kind = 'flow' then coalesce(r.responded, false) else resp.worker is not null end) as responded,
                           bool_or(case when b.kind = 'flow' then coalesce(r.exit_type = 'completed', false) else null end) as completed
                      from broadcast b join delivery d on d.broadcast_id = b.id and d.part = 1
                      left join flow_run r on r.delivery_id = d.id
                      left join responses resp on resp.broadcast = b.id and resp.worker = d.health_worker_id
                     where (b.id = ? or b.parent_id = ?)
                     group by d.health_worker_id""".formatted(delivered);
            case FLOW -> """
                    select d.health_worker_id as worker, bool_or(%s) as delivered,
                           bool_or(coalesce(r.responded, false)) as responded,
                           bool_or(coalesce(r.exit_type = 'completed', false)) as completed
                      from broadcast b join delivery d on d.broadcast_id = b.id and d.part = 1
                      left join flow_run r on r.delivery_id = d.id
                     where b.kind = 'flow' and b.flow_uuid = ? and b.origin is null
                     group by d.health_worker_id""".formatted(delivered);
            case QUIZ -> """
                    select e.health_worker_id as worker, coalesce(first.delivered, false) as delivered,
                           coalesce(a.answers, 0) > 0 as responded,
                           coalesce(a.answers, 0) >= greatest(1, (select count(*) from quiz_question qq where qq.quiz_id = q.id)) as completed
                      from quiz q join quiz_enrolment e on e.quiz_id = q.id
                      left join (select enrolment_id, count(*) as answers from quiz_answer group by enrolment_id) a on a.enrolment_id = e.id
                      left join (select b.origin, bool_or(%s) as delivered
                                   from broadcast b join delivery d on d.broadcast_id = b.id
                                  where b.origin like 'quiz:%%:1' group by b.origin) first on first.origin = 'quiz:' || e.id || ':1'
                     where q.name = ?""".formatted(delivered);
        };
        // a completed run or quiz was responded to, and a response proves the message arrived
        return "select worker, (delivered or responded or coalesce(completed, false)) as reached, "
                + "(responded or coalesce(completed, false)) as responded, coalesce(completed, responded) as completed from (" + raw + ") w";
    }

    /** Binds the subject's parameters of {@link #perWorker} from {@code k}; returns the next index. */
    private int bind(PreparedStatement ps, Subject s, int k) throws SQLException {
        switch (s.kind()) {
            case BROADCAST -> {
                ps.setInt(k++, responseWindowHours);
                ps.setLong(k++, s.broadcastId());
                ps.setLong(k++, s.broadcastId());
                ps.setLong(k++, s.broadcastId());
                ps.setLong(k++, s.broadcastId());
            }
            case FLOW, QUIZ -> ps.setString(k++, s.key());
        }
        return k;
    }

    /** The four steps with the percentage of each against the one before (one decimal). */
    static List<Step> steps(int targeted, int reached, int responded, int completed) {
        int[] n = {targeted, reached, responded, completed};
        List<Step> out = new ArrayList<>(4);
        for (int i = 0; i < 4; i++) out.add(new Step(STEPS.get(i), n[i], i == 0 ? null : percent(n[i], n[i - 1])));
        return out;
    }

    /** {@code part} in percent of {@code whole}, one decimal; 0 when {@code whole} is 0. */
    public static double percent(int part, int whole) {
        return whole == 0 ? 0.0 : Math.round(part * 1000.0 / whole) / 10.0;
    }
}
