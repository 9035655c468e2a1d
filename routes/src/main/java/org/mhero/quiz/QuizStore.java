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
 * Quizzes in PostgreSQL: definitions applied from {@code org.mhero.quiz}, enrolment of a group's members, questions
 * sent when due through the outbox (exactly once per worker and question), answers scored once with feedback, and
 * the results and funnel an official reads.
 */
public final class QuizStore {
    private static final Logger LOG = LoggerFactory.getLogger(QuizStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Per question: how many were sent it, answered it, answered it right. */
    public record QuestionResult(int position, String text, int sent, int answered, int correct) {
        public int missed() { return answered - correct; }
    }

    /** A funnel step: a count and its share of the step before (null for the first). */
    public record Step(String name, int count, Double percentOfPrevious) {}

    private final DataSource ds;
    private final ZoneId zone;
    private final Map<String, QuizDefinition> definitions = new LinkedHashMap<>();

    private final boolean enabled;

    public QuizStore(DataSource ds, ZoneId zone, List<QuizDefinition> defs, boolean enabled) {
        this.enabled = enabled;
        this.ds = ds;
        this.zone = zone;
        defs.forEach(d -> definitions.put(d.name(), d));
    }

    /** Whether quizzes run ({@code enabled} in {@code org.mhero.quiz}). */
    public boolean enabled() { return enabled; }

    /** Saves the configured quizzes (questions replaced by the configured ones) and enrols their groups' members. */
    public int apply() throws SQLException {
        int enrolled = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (QuizDefinition d : definitions.values()) {
                    long id;
                    try (PreparedStatement ps = c.prepareStatement("""
                            insert into quiz (name, keyword, interval_days, send_hour, time_zone) values (?, ?, ?, ?, ?)
                            on conflict (name) do update set keyword = excluded.keyword, interval_days = excluded.interval_days,
                                   send_hour = excluded.send_hour, time_zone = excluded.time_zone
                            returning id""")) {
                        ps.setString(1, d.name());
                        ps.setString(2, d.keyword());
                        ps.setInt(3, d.intervalDays());
                        if (d.sendHour() == null) ps.setNull(4, java.sql.Types.INTEGER); else ps.setInt(4, d.sendHour());
                        ps.setString(5, zone.getId());
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            id = rs.getLong(1);
                        }
                    }
                    for (QuizDefinition.Question q : d.questions()) {
                        try (PreparedStatement ps = c.prepareStatement("""
                                insert into quiz_question (quiz_id, position, text, choices, correct, explanation) values (?, ?, ?, ?::jsonb, ?, ?)
                                on conflict (quiz_id, position) do update set text = excluded.text, choices = excluded.choices,
                                       correct = excluded.correct, explanation = excluded.explanation""")) {
                            ps.setLong(1, id);
                            ps.setInt(2, q.position());
                            ps.setString(3, q.text());
                            ps.setString(4, JSON.writeValueAsString(q.choices()));
                            ps.setInt(5, q.correct());
                            ps.setString(6, q.explanation());
                            ps.executeUpdate();
                        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement("delete from quiz_question where quiz_id = ? and position > ?")) {
                        ps.setLong(1, id);
                        ps.setInt(2, d.questions().size());
                        ps.executeUpdate();
                    }
                    Instant first = QuizSchedule.firstAtOrAfter(Instant.now(), d.sendHour(), zone);
                    try (PreparedStatement ps = c.prepareStatement("""
                            insert into quiz_enrolment (quiz_id, health_worker_id, next_due_at)
                            select ?, m.health_worker_id, ? from contact_group_member m join contact_group g on g.id = m.group_id
                             where g.name = ?
                            on conflict (quiz_id, health_worker_id) do nothing""")) {
                        ps.setLong(1, id);
                        ps.setTimestamp(2, Timestamp.from(first));
                        ps.setString(3, d.group());
                        enrolled += ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        if (enrolled > 0) LOG.info("Quizzes applied: {} new enrolment(s)", enrolled);
        return enrolled;
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
                record Due(long enrolment, long worker, int position, String quiz) {}
                List<Due> due = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        select e.id, e.health_worker_id, e.next_position, q.name from quiz_enrolment e join quiz q on q.id = e.quiz_id
                         where e.finished_at is null and e.next_due_at <= now() and q.status = 'open'
                         order by e.next_due_at, e.id limit ? for update of e skip locked""")) {
                    ps.setInt(1, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) due.add(new Due(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getString(4)));
                    }
                }
                for (Due d : due) if (send(c, d.enrolment(), d.worker(), d.position(), d.quiz())) sent++;
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
    private boolean send(Connection c, long enrolment, long worker, int position, String name) throws SQLException {
        QuizDefinition def = definitions.get(name);
        if (def == null || position > def.questions().size()) {
            try (PreparedStatement ps = c.prepareStatement("update quiz_enrolment set next_due_at = null where id = ?")) {
                ps.setLong(1, enrolment);
                ps.executeUpdate();
            }
            return false;
        }
        QuizDefinition.Question q = def.questions().get(position - 1);
        DirectMessage.write(c, worker, null, def.render(q), null, "quiz " + name + " Q" + position, "quiz:" + enrolment + ":" + position, false);
        boolean last = position == def.questions().size();
        // interval 0: the next question follows the answer (or QUIZ), not the clock
        Instant next = last || def.intervalDays() == 0 ? null : QuizSchedule.next(Instant.now(), def.intervalDays(), def.sendHour(), zone);
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
        boolean keyword = !word.isEmpty() && definitions.values().stream().anyMatch(q -> word.equals(q.keyword()));
        if (rest.isEmpty() || keyword) return onDemand(c, worker, keyword ? word : null);

        // the question waiting for this worker: the most recently sent one still open, in any quiz
        long enrolment = -1;
        int position = 0;
        String quiz = null, status = null;
        try (PreparedStatement ps = c.prepareStatement("""
                select e.id, e.open_position, q.name, q.status from quiz_enrolment e join quiz q on q.id = e.quiz_id
                 where e.health_worker_id = ? and e.open_position is not null order by e.open_since desc limit 1 for update of e""")) {
            ps.setLong(1, worker);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    enrolment = rs.getLong(1);
                    position = rs.getInt(2);
                    quiz = rs.getString(3);
                    status = rs.getString(4);
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
        if (status.equals("closed")) {
            return Handled.inbox(Route.QUIZ, "an answer after quiz " + quiz + " closed: not scored")
                    .replying("The quiz " + quiz + " is closed; your answer was not scored.");
        }
        QuizDefinition def = definitions.get(quiz);
        QuizDefinition.Question q = def == null || position > def.questions().size() ? null : def.questions().get(position - 1);
        if (q == null) return Handled.inbox(Route.QUIZ, "quiz " + quiz + " question " + position + " is no longer configured");
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
        boolean finished = position == def.questions().size();
        try (PreparedStatement ps = c.prepareStatement("""
                update quiz_enrolment set open_position = null, open_since = null,
                       finished_at = case when ? then now() else finished_at end,
                       next_due_at = case when ? then null when ? then now() else next_due_at end
                 where id = ?""")) {
            ps.setBoolean(1, finished);
            ps.setBoolean(2, finished);
            ps.setBoolean(3, def.intervalDays() == 0);
            ps.setLong(4, enrolment);
            ps.executeUpdate();
        }
        String feedback = feedback(q, correct) + (finished ? " " + score(c, enrolment, def) : "");
        return Handled.done(Route.QUIZ, quiz + " Q" + position + ": " + (correct ? "correct" : "wrong")).replying(feedback);
    }

    /** The feedback of an answer already stored for this very message (a routing repeated after a crash). */
    private Handled replayed(Connection c, InboundMessage m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select q.name, a.position, a.correct from quiz_answer a join quiz_enrolment e on e.id = a.enrolment_id
                  join quiz q on q.id = e.quiz_id where a.inbound_id = ?""")) {
            ps.setLong(1, m.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                QuizDefinition def = definitions.get(rs.getString(1));
                QuizDefinition.Question q = def.questions().get(rs.getInt(2) - 1);
                return Handled.done(Route.QUIZ, def.name() + " Q" + q.position() + ": " + (rs.getBoolean(3) ? "correct" : "wrong"))
                        .replying(feedback(q, rs.getBoolean(3)));
            }
        }
    }

    private static String feedback(QuizDefinition.Question q, boolean correct) {
        String why = q.explanation() == null ? "" : " " + q.explanation();
        return correct ? "Correct!" + why
                : "Not quite: the answer is " + AnswerMatcher.letter(q.correct()) + ") " + q.choices().get(q.correct()) + "." + why;
    }

    private static String score(Connection c, long enrolment, QuizDefinition def) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) filter (where correct) from quiz_answer where enrolment_id = ?")) {
            ps.setLong(1, enrolment);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return "Quiz finished: " + rs.getInt(1) + "/" + def.questions().size() + " correct. Thank you!";
            }
        }
    }

    /** QUIZ alone (or QUIZ &lt;keyword&gt;): the next question now, unless one is waiting. */
    private Handled onDemand(Connection c, long worker, String keyword) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select e.id, e.next_position, q.name, e.open_position is not null from quiz_enrolment e join quiz q on q.id = e.quiz_id
                 where e.health_worker_id = ? and e.finished_at is null and q.status = 'open' and (?::text is null or q.keyword = ?)
                 order by e.enrolled_at, e.id limit 1 for update of e""")) {
            ps.setLong(1, worker);
            ps.setString(2, keyword);
            ps.setString(3, keyword);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Handled.inbox(Route.QUIZ, keyword == null ? "asked for a question without an open quiz" : "asked for quiz " + keyword + " without being enrolled")
                            .replying(keyword == null ? "You have no open quiz." : "You are not enrolled in the quiz " + keyword + ".");
                }
                long enrolment = rs.getLong(1);
                int next = rs.getInt(2);
                String name = rs.getString(3);
                if (rs.getBoolean(4)) {
                    return Handled.done(Route.QUIZ, name + ": a question is already waiting")
                            .replying("Please answer the question you have first (QUIZ and your letter).");
                }
                send(c, enrolment, worker, next, name);
                return Handled.done(Route.QUIZ, name + " Q" + next + " sent on demand");
            }
        }
    }

    /** The enrolled workers who have not answered any question yet (to re-engage them), by id. */
    public List<Long> nonResponders(String quiz) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select e.health_worker_id from quiz q join quiz_enrolment e on e.quiz_id = q.id
                 where q.name = ? and not exists (select 1 from quiz_answer a where a.enrolment_id = e.id)
                 order by e.health_worker_id""")) {
            ps.setString(1, quiz);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** Closes a quiz: no more questions, and later answers are not scored. */
    public boolean close(String name) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update quiz set status = 'closed', closed_at = now() where name = ? and status = 'open'")) {
            ps.setString(1, name);
            return ps.executeUpdate() > 0;
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

    /**
     * The funnel: targeted (enrolled), reached (the first question delivered, or sent where the channel reports no
     * delivery), responded (answered at least once), completed (answered every question), each with its share of the
     * step before.
     */
    public List<Step> funnel(String quiz) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select count(*),
                       count(*) filter (where exists (select 1 from broadcast b join delivery d on d.broadcast_id = b.id
                                                       where b.origin = 'quiz:' || e.id || ':1' and d.status in ('sent', 'delivered'))),
                       count(*) filter (where exists (select 1 from quiz_answer a where a.enrolment_id = e.id)),
                       count(*) filter (where (select count(*) from quiz_answer a where a.enrolment_id = e.id)
                                               = (select count(*) from quiz_question qq where qq.quiz_id = q.id))
                  from quiz q join quiz_enrolment e on e.quiz_id = q.id where q.name = ?""")) {
            ps.setString(1, quiz);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int[] n = {rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)};
                String[] names = {"targeted", "reached", "responded", "completed"};
                List<Step> out = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Double pct = i == 0 ? null : n[i - 1] == 0 ? 0.0 : Math.round(n[i] * 1000.0 / n[i - 1]) / 10.0;
                    out.add(new Step(names[i], n[i], pct));
                }
                return out;
            }
        }
    }

}
