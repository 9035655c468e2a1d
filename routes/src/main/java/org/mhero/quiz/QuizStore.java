package org.mhero.quiz;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.mhero.broadcast.DirectMessage;
import org.mhero.inbound.Handled;
import org.mhero.inbound.InboundMessage;
import org.mhero.inbound.InboundRouter;
import org.mhero.inbound.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Quizzes in PostgreSQL, the source of truth for every quiz's definition: the quizzes of {@code org.mhero.quiz} are
 * applied from the file on every poll and written when the file changed them ({@code source = 'config'}), those created through the API are written once
 * ({@code source = 'api'}) and left alone by {@link #apply()}. Questions are read from {@code quiz_question} when they
 * are sent and when answers are scored, so both kinds behave the same. Also: enrolment of a group's members and of a
 * training's participants, questions sent when due through the outbox (exactly once per worker and question), answers
 * scored once with feedback, and the results an official reads.
 */
public final class QuizStore {
    private static final Logger LOG = LoggerFactory.getLogger(QuizStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code created_by} and {@code closed_by} of what the configuration file did. */
    public static final String CONFIG = QuizDefinition.PID;

    /** Per question: how many were sent it, answered it, answered it right. */
    public record QuestionResult(int position, String text, int sent, int answered, int correct) {
        public int missed() { return answered - correct; }
    }


    /**
     * A saved quiz: where it comes from ({@code config} or {@code api}), its status ({@code open}, {@code closed}), whom
     * it enrols, its timing, and its counts: questions, workers enrolled and finished (answered the last question),
     * answers and correct answers.
     */
    public record Summary(String name, String source, String status, String group, String training, String keyword,
                          int intervalDays, Integer sendHour, String timeZone, String createdBy, Instant createdAt,
                          String closedBy, Instant closedAt, int questions, int enrolled, int finished, int answers, int correct) {}

    /** One enrolled worker's results: questions sent, answered, correct; finished when the last one was answered. */
    public record WorkerResult(long healthWorkerId, String name, Instant enrolledAt, int sent, int answered, int correct,
                               Instant finishedAt) {
        public boolean finished() { return finishedAt != null; }
    }

    /** A quiz as the database holds it: its row id, status and time zone, and its definition. */
    private record Saved(long id, String status, ZoneId zone, QuizDefinition def) {
        QuizDefinition.Question question(int position) {
            for (QuizDefinition.Question q : def.questions()) if (q.position() == position) return q;
            return null;
        }
        int size() { return def.questions().size(); }
    }

    private final DataSource ds;
    private final ZoneId zone;
    private final Map<String, QuizDefinition> configured = new LinkedHashMap<>();

    private final boolean enabled;

    public QuizStore(DataSource ds, ZoneId zone, List<QuizDefinition> defs, boolean enabled) {
        this.enabled = enabled;
        this.ds = ds;
        this.zone = zone;
        defs.forEach(d -> configured.put(d.name(), d));
    }

    /** Whether quizzes run ({@code enabled} in {@code org.mhero.quiz}). */
    public boolean enabled() { return enabled; }

    /**
     * Saves the configured quizzes (settings and questions replaced by the file's), closes the configuration's quizzes
     * that are no longer in the file (and opens again those that are back), and enrols the new members of every open
     * quiz's group and the new participants of its training. The file wins every clash with the API: a configured name
     * that an API quiz holds makes it a configured quiz, a configured keyword that another quiz holds is taken from it
     * (both logged at WARN). Returns the number of new enrolments.
     */
    public int apply() throws SQLException {
        int enrolled = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (QuizDefinition d : configured.values()) upsertConfigured(c, d);
                try (PreparedStatement ps = c.prepareStatement("""
                        update quiz set status = 'closed', closed_at = now(), closed_by = ?
                         where source = 'config' and status = 'open' and not (name = any (?)) returning name""")) {
                    ps.setString(1, CONFIG);
                    ps.setArray(2, c.createArrayOf("text", configured.keySet().toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) LOG.info("Quiz {} is no longer in {}: closed", rs.getString(1), CONFIG);
                    }
                }
                record Open(long id, Integer sendHour, String zone) {}
                List<Open> open = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        select id, send_hour, time_zone from quiz
                         where status = 'open' and (group_name is not null or training is not null) order by id""");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) open.add(new Open(rs.getLong(1), (Integer) rs.getObject(2), rs.getString(3)));
                }
                for (Open o : open) enrolled += enrol(c, o.id(), o.sendHour(), zone(o.zone()));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        if (enrolled > 0) LOG.info("Quizzes applied: {} new enrolment(s)", enrolled);
        return enrolled;
    }

    private void upsertConfigured(Connection c, QuizDefinition d) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from quiz where name = ? and source = 'api'")) {
            ps.setString(1, d.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) LOG.warn("Quiz {} was created through the API and is also in {}: the file's definition replaces it", d.name(), CONFIG);
            }
        }
        if (d.keyword() != null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "update quiz set keyword = null where keyword = ? and name <> ? returning name, source")) {
                ps.setString(1, d.keyword());
                ps.setString(2, d.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        LOG.warn("Keyword {} of quiz {} ({}) is now quiz {}'s, as {} says", d.keyword(), rs.getString(1), rs.getString(2), d.name(), CONFIG);
                    }
                }
            }
        }
        long id;
        try (PreparedStatement ps = c.prepareStatement("""
                insert into quiz (name, keyword, interval_days, send_hour, time_zone, source, group_name, training, created_by)
                values (?, ?, ?, ?, ?, 'config', ?, ?, ?)
                on conflict (name) do update set keyword = excluded.keyword, interval_days = excluded.interval_days,
                       send_hour = excluded.send_hour, time_zone = excluded.time_zone, source = 'config',
                       group_name = excluded.group_name, training = excluded.training,
                       status = case when quiz.closed_by = excluded.created_by then 'open' else quiz.status end,
                       closed_at = case when quiz.closed_by = excluded.created_by then null else quiz.closed_at end,
                       closed_by = case when quiz.closed_by = excluded.created_by then null else quiz.closed_by end
                 where (quiz.keyword, quiz.interval_days, quiz.send_hour, quiz.time_zone, quiz.source, quiz.group_name, quiz.training)
                       is distinct from (excluded.keyword, excluded.interval_days, excluded.send_hour, excluded.time_zone, 'config',
                                         excluded.group_name, excluded.training)
                    or quiz.closed_by = excluded.created_by
                returning id""")) {
            bindQuiz(ps, d, CONFIG);
            try (ResultSet rs = ps.executeQuery()) {
                id = rs.next() ? rs.getLong(1) : -1;
            }
        }
        if (id < 0) {
            // unchanged since the last poll: nothing written, so the statement returned no row
            try (PreparedStatement ps = c.prepareStatement("select id from quiz where name = ?")) {
                ps.setString(1, d.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
        }
        writeQuestions(c, id, d.questions());
    }

    /** The eight values of a quiz row, in the order both inserts list them (name … training, created_by). */
    private void bindQuiz(PreparedStatement ps, QuizDefinition d, String createdBy) throws SQLException {
        ps.setString(1, d.name());
        ps.setString(2, d.keyword());
        ps.setInt(3, d.intervalDays());
        if (d.sendHour() == null) ps.setNull(4, java.sql.Types.INTEGER); else ps.setInt(4, d.sendHour());
        ps.setString(5, zone.getId());
        ps.setString(6, d.group());
        ps.setString(7, d.training());
        ps.setString(8, createdBy);
    }

    private static void writeQuestions(Connection c, long id, List<QuizDefinition.Question> questions) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into quiz_question (quiz_id, position, text, choices, correct, explanation) values (?, ?, ?, ?::jsonb, ?, ?)
                on conflict (quiz_id, position) do update set text = excluded.text, choices = excluded.choices,
                       correct = excluded.correct, explanation = excluded.explanation
                 where (quiz_question.text, quiz_question.choices, quiz_question.correct, quiz_question.explanation)
                       is distinct from (excluded.text, excluded.choices, excluded.correct, excluded.explanation)""")) {
            for (QuizDefinition.Question q : questions) {
                ps.setLong(1, id);
                ps.setInt(2, q.position());
                ps.setString(3, q.text());
                try {
                    ps.setString(4, JSON.writeValueAsString(q.choices()));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                ps.setInt(5, q.correct());
                ps.setString(6, q.explanation());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("delete from quiz_question where quiz_id = ? and position > ?")) {
            ps.setLong(1, id);
            ps.setInt(2, questions.size());
            ps.executeUpdate();
        }
    }

    /** Enrols the quiz's group members and training participants not enrolled yet; their first question is due at the next send hour. */
    private static int enrol(Connection c, long quiz, Integer sendHour, ZoneId zone) throws SQLException {
        Instant first = QuizSchedule.firstAtOrAfter(Instant.now(), sendHour, zone);
        try (PreparedStatement ps = c.prepareStatement("""
                insert into quiz_enrolment (quiz_id, health_worker_id, next_due_at)
                select q.id, w.health_worker_id, ? from quiz q
                  join lateral (select m.health_worker_id from contact_group_member m join contact_group g on g.id = m.group_id
                                 where g.name = q.group_name
                                union
                                select t.health_worker_id from training t where lower(t.code) = lower(q.training)) w on true
                 where q.id = ?
                on conflict (quiz_id, health_worker_id) do nothing""")) {
            ps.setTimestamp(1, Timestamp.from(first));
            ps.setLong(2, quiz);
            return ps.executeUpdate();
        }
    }

    /**
     * Saves a quiz made through the API ({@code source = 'api'}) and enrols its group's members and its training's
     * participants at once. Refused (nothing written): a name the database or the configuration holds (409, name), a
     * keyword another quiz has (409, keyword), a contact group that does not exist (400, group), a training code no
     * worker has (400, training).
     */
    public Summary create(QuizDefinition d, String user) throws QuizRejected, SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (configured.containsKey(d.name()) || exists(c, "select 1 from quiz where name = ?", d.name())) {
                    throw new QuizRejected(409, "name", "a quiz named " + d.name() + " exists" + (configured.containsKey(d.name()) ? " (in " + CONFIG + ")" : ""));
                }
                if (d.keyword() != null) {
                    String holder = configured.values().stream().filter(q -> d.keyword().equals(q.keyword())).map(QuizDefinition::name).findFirst().orElse(null);
                    if (holder == null) {
                        try (PreparedStatement ps = c.prepareStatement("select name from quiz where keyword = ?")) {
                            ps.setString(1, d.keyword());
                            try (ResultSet rs = ps.executeQuery()) {
                                if (rs.next()) holder = rs.getString(1);
                            }
                        }
                    }
                    if (holder != null) throw new QuizRejected(409, "keyword", "'" + d.keyword() + "' is the keyword of quiz " + holder);
                }
                if (d.group() != null && !exists(c, "select 1 from contact_group where name = ?", d.group())) {
                    throw new QuizRejected(400, "group", "no contact group '" + d.group() + "' (see mhero:groups)");
                }
                if (d.training() != null && !exists(c, "select 1 from training where lower(code) = lower(?)", d.training())) {
                    throw new QuizRejected(400, "training", "no health worker has a training with code '" + d.training() + "'");
                }
                long id;
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into quiz (name, keyword, interval_days, send_hour, time_zone, source, group_name, training, created_by)
                        values (?, ?, ?, ?, ?, 'api', ?, ?, ?) returning id""")) {
                    bindQuiz(ps, d, user);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                }
                writeQuestions(c, id, d.questions());
                int enrolled = enrol(c, id, d.sendHour(), zone);
                c.commit();
                LOG.info("Quiz {} created by {}: {} question(s), {} enrolled", d.name(), user, d.questions().size(), enrolled);
            } catch (SQLException e) {
                c.rollback();
                // a concurrent create of the same name or keyword
                if ("23505".equals(e.getSQLState())) throw new QuizRejected(409, e.getMessage().contains("keyword") ? "keyword" : "name", "the name or keyword was just taken");
                throw e;
            } catch (QuizRejected | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return summary(d.name()).orElseThrow();
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Every saved quiz with its counts, by name. */
    public List<Summary> list() throws SQLException { return summaries(null); }

    /** Whether a quiz of this name exists (one index lookup; {@link #summary} counts its enrolments and answers too). */
    public boolean exists(String name) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("select 1 from quiz where name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** One saved quiz with its counts. */
    public java.util.Optional<Summary> summary(String name) throws SQLException {
        List<Summary> s = summaries(name);
        return s.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(s.get(0));
    }

    private List<Summary> summaries(String name) throws SQLException {
        List<Summary> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select q.name, q.source, q.status, q.group_name, q.training, q.keyword, q.interval_days, q.send_hour, q.time_zone,
                       q.created_by, q.created_at, q.closed_by, q.closed_at,
                       (select count(*) from quiz_question qq where qq.quiz_id = q.id),
                       (select count(*) from quiz_enrolment e where e.quiz_id = q.id),
                       (select count(*) from quiz_enrolment e where e.quiz_id = q.id and e.finished_at is not null),
                       (select count(*) from quiz_enrolment e join quiz_answer a on a.enrolment_id = e.id where e.quiz_id = q.id),
                       (select count(*) from quiz_enrolment e join quiz_answer a on a.enrolment_id = e.id where e.quiz_id = q.id and a.correct)
                  from quiz q where ?::text is null or q.name = ? order by q.name""")) {
            ps.setString(1, name);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Summary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getInt(7), (Integer) rs.getObject(8), rs.getString(9), rs.getString(10),
                            instant(rs.getTimestamp(11)), rs.getString(12), instant(rs.getTimestamp(13)), rs.getInt(14),
                            rs.getInt(15), rs.getInt(16), rs.getInt(17), rs.getInt(18)));
                }
            }
        }
        return out;
    }

    /** A saved quiz's definition (its questions as the database holds them), whatever its source. */
    public java.util.Optional<QuizDefinition> definition(String name) throws SQLException {
        try (Connection c = ds.getConnection()) {
            Saved s = load(c, null, name);
            return s == null ? java.util.Optional.empty() : java.util.Optional.of(s.def());
        }
    }

    /** Per enrolled worker, by health worker id after {@code after}, at most {@code limit}. */
    public List<WorkerResult> workers(String quiz, long after, int limit) throws SQLException {
        List<WorkerResult> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select e.health_worker_id, h.display_name, e.enrolled_at,
                       greatest(e.next_position - 1, coalesce(e.open_position, 0)),
                       count(a.id), count(a.id) filter (where a.correct), e.finished_at
                  from quiz q join quiz_enrolment e on e.quiz_id = q.id join health_worker h on h.id = e.health_worker_id
                  left join quiz_answer a on a.enrolment_id = e.id
                 where q.name = ? and e.health_worker_id > ?
                 group by e.id, h.display_name order by e.health_worker_id limit ?""")) {
            ps.setString(1, quiz);
            ps.setLong(2, after);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new WorkerResult(rs.getLong(1), rs.getString(2), instant(rs.getTimestamp(3)), rs.getInt(4), rs.getInt(5),
                            rs.getInt(6), instant(rs.getTimestamp(7))));
                }
            }
        }
        return out;
    }

    private static Instant instant(Timestamp t) { return t == null ? null : t.toInstant(); }

    private ZoneId zone(String id) {
        try {
            return id == null ? zone : ZoneId.of(id);
        } catch (RuntimeException e) {
            return zone;
        }
    }

    /** A quiz and its questions from the database, by id or (when id is null) by name; null when there is none. */
    private Saved load(Connection c, Long id, String name) throws SQLException {
        long quizId;
        String status, group, training, keyword, tz;
        int interval;
        Integer sendHour;
        try (PreparedStatement ps = c.prepareStatement("""
                select id, name, status, group_name, training, keyword, interval_days, send_hour, time_zone from quiz
                 where id = ? or (?::bigint is null and name = ?)""")) {
            if (id == null) ps.setNull(1, java.sql.Types.BIGINT); else ps.setLong(1, id);
            if (id == null) ps.setNull(2, java.sql.Types.BIGINT); else ps.setLong(2, id);
            ps.setString(3, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                quizId = rs.getLong(1);
                name = rs.getString(2);
                status = rs.getString(3);
                group = rs.getString(4);
                training = rs.getString(5);
                keyword = rs.getString(6);
                interval = rs.getInt(7);
                sendHour = (Integer) rs.getObject(8);
                tz = rs.getString(9);
            }
        }
        List<QuizDefinition.Question> questions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select position, text, choices::text, correct, explanation from quiz_question where quiz_id = ? order by position")) {
            ps.setLong(1, quizId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> choices;
                    try {
                        choices = List.of(JSON.readValue(rs.getString(3), String[].class));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new SQLException("quiz " + name + " question " + rs.getInt(1) + ": choices are not a JSON array of texts", e);
                    }
                    questions.add(new QuizDefinition.Question(rs.getInt(1), rs.getString(2), choices, rs.getInt(4), rs.getString(5)));
                }
            }
        }
        return new Saved(quizId, status, zone(tz), new QuizDefinition(name, group, training, keyword, interval, sendHour, List.copyOf(questions)));
    }

    /**
     * Sends every question that is due (at most {@code limit}), each through the outbox as a one-recipient broadcast
     * named {@code quiz:<enrolment>:<position>}; a question still unanswered when the next one is due counts as missed.
     * Returns how many were sent.
     */
    public int sendDue(int limit) throws SQLException {
        int sent = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                record Due(long enrolment, long worker, int position, long quiz) {}
                List<Due> due = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        select e.id, e.health_worker_id, e.next_position, e.quiz_id from quiz_enrolment e join quiz q on q.id = e.quiz_id
                         where e.finished_at is null and e.next_due_at <= now() and q.status = 'open'
                         order by e.next_due_at, e.id limit ? for update of e skip locked""")) {
                    ps.setInt(1, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) due.add(new Due(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getLong(4)));
                    }
                }
                Map<Long, Saved> quizzes = new java.util.HashMap<>();
                for (Due d : due) {
                    Saved q = quizzes.get(d.quiz());
                    if (q == null) quizzes.put(d.quiz(), q = load(c, d.quiz(), null));
                    if (send(c, d.enrolment(), d.worker(), d.position(), q)) sent++;
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        if (sent > 0) LOG.info("Quiz questions sent: {}", sent);
        return sent;
    }

    /** Sends question {@code position} of the enrolment and moves it on (inside the caller's transaction). */
    private boolean send(Connection c, long enrolment, long worker, int position, Saved quiz) throws SQLException {
        QuizDefinition def = quiz.def();
        QuizDefinition.Question q = quiz.question(position);
        if (q == null) {
            try (PreparedStatement ps = c.prepareStatement("update quiz_enrolment set next_due_at = null where id = ?")) {
                ps.setLong(1, enrolment);
                ps.executeUpdate();
            }
            return false;
        }
        DirectMessage.write(c, worker, null, def.render(q), null, "quiz " + def.name() + " Q" + position, "quiz:" + enrolment + ":" + position, false);
        boolean last = position >= quiz.size();
        // interval 0: the next question follows the answer (or QUIZ), not the clock
        Instant next = last || def.intervalDays() == 0 ? null : QuizSchedule.next(Instant.now(), def.intervalDays(), def.sendHour(), quiz.zone());
        try (PreparedStatement ps = c.prepareStatement("""
                update quiz_enrolment set open_position = ?, open_since = now(), next_position = ?, next_due_at = ? where id = ?""")) {
            ps.setInt(1, position);
            ps.setInt(2, position + 1);
            ps.setTimestamp(3, next == null ? null : Timestamp.from(next));
            ps.setLong(4, enrolment);
            ps.executeUpdate();
        }
        return true;
    }

    /**
     * The inbound router's quiz route: {@code QUIZ} alone asks for the next question now, {@code QUIZ <quiz keyword>}
     * the next one of that quiz, {@code QUIZ <answer>} answers the question waiting. Never scores a guess, an answer to
     * no open question, a second answer or one after the quiz closed: each gets a clear reply, and the odd ones land in
     * the inbox.
     */
    public Handled answer(InboundMessage m, InboundRouter.Decision d) throws SQLException {
        String rest = d.rest() == null ? "" : d.rest().strip();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                Handled h = answer(c, m, rest);
                c.commit();
                return h;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Handled answer(Connection c, InboundMessage m, String rest) throws SQLException {
        long worker = m.healthWorkerId();
        String word = rest.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
        boolean keyword = word.length() >= 2 && exists(c, "select 1 from quiz where keyword = ?", word);
        if (rest.isEmpty() || keyword) return onDemand(c, worker, keyword ? word : null);

        // the question waiting for this worker: the most recently sent one still open, in any quiz
        long enrolment = -1, quizId = 0;
        int position = 0;
        try (PreparedStatement ps = c.prepareStatement("""
                select e.id, e.open_position, e.quiz_id from quiz_enrolment e
                 where e.health_worker_id = ? and e.open_position is not null order by e.open_since desc limit 1 for update of e""")) {
            ps.setLong(1, worker);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    enrolment = rs.getLong(1);
                    position = rs.getInt(2);
                    quizId = rs.getLong(3);
                }
            }
        }
        if (enrolment < 0) {
            // the same message routed again after its answer was stored: the same feedback
            Handled again = replayed(c, m);
            if (again != null) return again;
            return Handled.inbox(Route.QUIZ, "an answer to no open question: not scored")
                    .replying("You have no quiz question waiting. Send QUIZ to get the next one.");
        }
        Saved saved = load(c, quizId, null);
        String quiz = saved.def().name();
        if (saved.status().equals("closed")) {
            return Handled.inbox(Route.QUIZ, "an answer after quiz " + quiz + " closed: not scored")
                    .replying("The quiz " + quiz + " is closed; your answer was not scored.");
        }
        QuizDefinition.Question q = saved.question(position);
        if (q == null) return Handled.inbox(Route.QUIZ, "quiz " + quiz + " question " + position + " no longer exists: not scored");
        OptionalInt choice = AnswerMatcher.match(rest, q.choices());
        if (choice.isEmpty()) {
            return Handled.done(Route.QUIZ, "answer to " + quiz + " Q" + position + " not understood; asked again")
                    .replying("Please answer with the letter of your choice, e.g. QUIZ " + AnswerMatcher.letter(0) + ".");
        }
        boolean correct = choice.getAsInt() == q.correct();
        try (PreparedStatement ps = c.prepareStatement("""
                insert into quiz_answer (enrolment_id, position, inbound_id, raw, choice, correct) values (?, ?, ?, ?, ?, ?)
                on conflict (enrolment_id, position) do nothing""")) {
            ps.setLong(1, enrolment);
            ps.setInt(2, position);
            ps.setLong(3, m.id());
            ps.setString(4, rest.length() > 200 ? rest.substring(0, 200) : rest);
            ps.setInt(5, choice.getAsInt());
            ps.setBoolean(6, correct);
            if (ps.executeUpdate() == 0) {
                return Handled.inbox(Route.QUIZ, "a second answer to " + quiz + " Q" + position + ": the first one counts")
                        .replying("You already answered question " + position + "; your first answer counts.");
            }
        }
        boolean finished = position >= saved.size();
        try (PreparedStatement ps = c.prepareStatement("""
                update quiz_enrolment set open_position = null, open_since = null,
                       finished_at = case when ? then now() else finished_at end,
                       next_due_at = case when ? then null when ? then now() else next_due_at end
                 where id = ?""")) {
            ps.setBoolean(1, finished);
            ps.setBoolean(2, finished);
            ps.setBoolean(3, saved.def().intervalDays() == 0);
            ps.setLong(4, enrolment);
            ps.executeUpdate();
        }
        String feedback = feedback(q, correct) + (finished ? " " + score(c, enrolment, saved.size()) : "");
        return Handled.done(Route.QUIZ, quiz + " Q" + position + ": " + (correct ? "correct" : "wrong")).replying(feedback);
    }

    /** The feedback of an answer already stored for this very message (a routing repeated after a crash). */
    private Handled replayed(Connection c, InboundMessage m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select e.quiz_id, a.position, a.correct from quiz_answer a join quiz_enrolment e on e.id = a.enrolment_id
                 where a.inbound_id = ?""")) {
            ps.setLong(1, m.id());
            long quiz;
            int position;
            boolean correct;
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                quiz = rs.getLong(1);
                position = rs.getInt(2);
                correct = rs.getBoolean(3);
            }
            Saved saved = load(c, quiz, null);
            QuizDefinition.Question q = saved.question(position);
            Handled h = Handled.done(Route.QUIZ, saved.def().name() + " Q" + position + ": " + (correct ? "correct" : "wrong"));
            return q == null ? h : h.replying(feedback(q, correct));
        }
    }

    private static String feedback(QuizDefinition.Question q, boolean correct) {
        String why = q.explanation() == null ? "" : " " + q.explanation();
        return correct ? "Correct!" + why
                : "Not quite: the answer is " + AnswerMatcher.letter(q.correct()) + ") " + q.choices().get(q.correct()) + "." + why;
    }

    private static String score(Connection c, long enrolment, int questions) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) filter (where correct) from quiz_answer where enrolment_id = ?")) {
            ps.setLong(1, enrolment);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return "Quiz finished: " + rs.getInt(1) + "/" + questions + " correct. Thank you!";
            }
        }
    }

    /** QUIZ alone (or QUIZ &lt;keyword&gt;): the next question now, unless one is waiting. */
    private Handled onDemand(Connection c, long worker, String keyword) throws SQLException {
        long enrolment, quizId;
        int next;
        String name;
        try (PreparedStatement ps = c.prepareStatement("""
                select e.id, e.next_position, q.name, e.open_position is not null, q.id from quiz_enrolment e join quiz q on q.id = e.quiz_id
                 where e.health_worker_id = ? and e.finished_at is null and q.status = 'open' and (?::text is null or q.keyword = ?)
                 order by e.enrolled_at, e.id limit 1 for update of e""")) {
            ps.setLong(1, worker);
            ps.setString(2, keyword);
            ps.setString(3, keyword);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    if (keyword == null) return Handled.inbox(Route.QUIZ, "asked for a question without an open quiz").replying("You have no open quiz.");
                    return noQuestionOf(c, worker, keyword);
                }
                enrolment = rs.getLong(1);
                next = rs.getInt(2);
                name = rs.getString(3);
                quizId = rs.getLong(5);
                if (rs.getBoolean(4)) {
                    return Handled.done(Route.QUIZ, name + ": a question is already waiting")
                            .replying("Please answer the question you have first (QUIZ and your letter).");
                }
            }
        }
        if (!send(c, enrolment, worker, next, load(c, quizId, null))) {
            return Handled.inbox(Route.QUIZ, name + " has no question " + next + ": nothing sent").replying("You have no quiz question waiting.");
        }
        return Handled.done(Route.QUIZ, name + " Q" + next + " sent on demand");
    }

    /** QUIZ &lt;keyword&gt; with nothing to send: the quiz is closed, the worker finished it, or is not enrolled. */
    private static Handled noQuestionOf(Connection c, long worker, String keyword) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select q.name, q.status, e.id is not null, e.finished_at is not null from quiz q
                  left join quiz_enrolment e on e.quiz_id = q.id and e.health_worker_id = ? where q.keyword = ?""")) {
            ps.setLong(1, worker);
            ps.setString(2, keyword);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next(); // the keyword was found just before, in this transaction
                String name = rs.getString(1);
                if (rs.getString(2).equals("closed")) {
                    return Handled.inbox(Route.QUIZ, "asked for quiz " + name + " after it closed").replying("The quiz " + name + " is closed.");
                }
                if (rs.getBoolean(4)) {
                    return Handled.done(Route.QUIZ, "asked for quiz " + name + " after finishing it").replying("You have finished the quiz " + name + ". Thank you!");
                }
                return Handled.inbox(Route.QUIZ, "asked for quiz " + name + (rs.getBoolean(3) ? " with no question left" : " without being enrolled"))
                        .replying(rs.getBoolean(3) ? "You have no question left in the quiz " + name + "." : "You are not enrolled in the quiz " + name + ".");
            }
        }
    }

    /** Closes a quiz: no more questions, and later answers are not scored. */
    public boolean close(String name) throws SQLException { return close(name, null); }

    /** Closes a quiz, recording who did ({@code closed_by}); false when there is no open quiz of that name. */
    public boolean close(String name, String by) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update quiz set status = 'closed', closed_at = now(), closed_by = ? where name = ? and status = 'open'")) {
            ps.setString(1, by);
            ps.setString(2, name);
            boolean closed = ps.executeUpdate() > 0;
            if (closed) LOG.info("Quiz {} closed by {}", name, by);
            return closed;
        }
    }

    /** Per question, most missed first. */
    public List<QuestionResult> questions(String quiz) throws SQLException {
        List<QuestionResult> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select qq.position, qq.text,
                       (select count(*) from quiz_enrolment e where e.quiz_id = q.id and (e.next_position > qq.position or e.finished_at is not null)),
                       count(a.id), count(a.id) filter (where a.correct)
                  from quiz q join quiz_question qq on qq.quiz_id = q.id
                  left join quiz_enrolment e on e.quiz_id = q.id
                  left join quiz_answer a on a.enrolment_id = e.id and a.position = qq.position
                 where q.name = ? group by q.id, qq.position, qq.text
                 order by count(a.id) - count(a.id) filter (where a.correct) desc, qq.position""")) {
            ps.setString(1, quiz);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new QuestionResult(rs.getInt(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getInt(5)));
            }
        }
        return out;
    }
}
