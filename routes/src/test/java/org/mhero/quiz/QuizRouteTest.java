package org.mhero.quiz;

import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;
import org.mhero.testing.Await;
import org.mhero.testing.ShippedConfig;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A three-question quiz for a group, end to end on real PostgreSQL through the Kannel simulator: questions go out
 * through the outbox once per worker, answers come back as Kannel MOs ("QUIZ b") through the inbound router and are
 * scored once with feedback; the bad inputs (no open question, a second answer, gibberish, after closing) never change
 * a score; results per question and the funnel come out right.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuizRouteTest extends CamelTestSupport {
    static final String ANA = "+231770200001", BEN = "+231770200002", CAL = "+231770200003", DEE = "+231770200004";
    static TestDatabase db;
    static KannelSimulator kannel;
    static int port;
    MheroContext mhero;

    @BeforeAll
    static void peers() throws Exception {
        db = new TestDatabase();
        port = ShippedConfig.freePort();
        kannel = KannelSimulator.start(KannelOptions.defaults().maxRecipients(10).moGetUrl("http://127.0.0.1:" + port
                + "/inbound/kannel?token=change-me-kannel-inbound&from=%p&to=%P&text=%a&time=%t&id=%I"));
    }

    @AfterAll
    void stop() {
        context.stop();
        kannel.close();
        db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        org.flywaydb.core.Flyway.configure().dataSource(db.dataSource()).load().migrate();
        seed();
        Map<String, String> quiz = new HashMap<>(Map.of("enabled", "true", "send.poll.seconds", "1",
                "quiz.cold-chain.group", "quizzers", "quiz.cold-chain.keyword", "COLD", "quiz.cold-chain.interval.days", "0",
                "quiz.cold-chain.send.hour", "",
                "quiz.cold-chain.question.1", "Best fridge temperature for vaccines? | 0 to 2 C | 2 to 8 C | 8 to 12 C | answer = B | why = Between 2 and 8 degrees.",
                "quiz.cold-chain.question.2", "Which vaccine is damaged by freezing? | Pentavalent | Measles | answer = A",
                "quiz.cold-chain.question.3", "How often do you record the fridge temperature? | Weekly | Twice a day | answer = B | why = Morning and evening."));
        mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(ShippedConfig.idle()
                .pid("org.mhero.api", Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port)))
                .pid("org.mhero.channel", Map.of("active", "kannel", "kannel.url", kannel.sendsmsUrl(), "dlr.base.url", "http://127.0.0.1:" + port,
                        "dispatch.poll.ms", "50"))
                .pid("org.mhero.inbound", Map.of("route.poll.ms", "200"))
                .pid("org.mhero.quiz", quiz)
                .asMap());
        CamelContext camel = mhero.build();
        assertThat(mhero.getProblems()).isEmpty();
        return camel;
    }

    static void seed() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            long group;
            try (PreparedStatement ps = c.prepareStatement("insert into contact_group (name, rule) values ('quizzers', 'cadre = nurse') returning id");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                group = rs.getLong(1);
            }
            for (String phone : List.of(ANA, BEN, CAL, DEE)) {
                long w = org.mhero.testing.TestWorkers.insert(db.dataSource(), "Nurse " + phone.substring(phone.length() - 1), phone, null);
                if (!phone.equals(DEE)) {
                    try (PreparedStatement ps = c.prepareStatement("insert into contact_group_member (group_id, health_worker_id) values (?, ?)")) {
                        ps.setLong(1, group);
                        ps.setLong(2, w);
                        ps.executeUpdate();
                    }
                }
            }
        }
    }

    /** {@link Await#await}, with the inbound messages' outcomes in the message when it times out. */
    static void await(String what, BooleanSupplier done) throws InterruptedException {
        Await.await(what, done, () -> "inbound: "
                + db.strings("select status || ' ' || coalesce(route, '-') || ' ' || coalesce(outcome, '-') from inbound_message order by id"));
    }

    static List<String> texts(String phone) { return kannel.log().textsTo(phone); }

    static long startingWith(String phone, String prefix) { return texts(phone).stream().filter(t -> t.startsWith(prefix)).count(); }

    QuizStore quiz() { return context.getRegistry().lookupByNameAndType("quizStore", QuizStore.class); }

    @Test
    @Order(1)
    void theFirstQuestionGoesToEachMemberOnceAndACorrectAnswerGetsFeedbackAndTheNextQuestion() throws Exception {
        for (String p : List.of(ANA, BEN, CAL)) await("Q1 to " + p.substring(10), () -> startingWith(p, "Q1/3") == 1);
        assertThat(texts(ANA).get(0)).contains("A) 0 to 2 C", "B) 2 to 8 C", "Reply QUIZ");
        assertThat(texts(DEE)).as("not in the group").isEmpty();

        assertThat(kannel.sendMo(ANA, "1234", "quiz option b")).isEqualTo(200);
        await("feedback", () -> startingWith(ANA, "Correct! Between 2 and 8 degrees.") == 1);
        await("Q2 to Ana", () -> startingWith(ANA, "Q2/3") == 1);
        Thread.sleep(1500); // two more schedule ticks
        assertThat(startingWith(ANA, "Q1/3")).as("never twice").isEqualTo(1);
        assertThat(startingWith(BEN, "Q2/3")).as("Ben has not answered Q1: Q2 waits for the spacing").isZero();
    }

    @Test
    @Order(2)
    void aWrongAnswerIsCorrectedAndTheLastAnswerGivesTheScore() throws Exception {
        kannel.sendMo(ANA, "1234", "QUIZ measles");
        await("correction", () -> startingWith(ANA, "Not quite: the answer is A) Pentavalent.") == 1);
        await("Q3 to Ana", () -> startingWith(ANA, "Q3/3") == 1);
        kannel.sendMo(ANA, "1234", "QUIZ 2");
        await("score", () -> texts(ANA).stream().anyMatch(t -> t.contains("Quiz finished: 2/3 correct")));
    }

    @Test
    @Order(3)
    void badAnswersNeverChangeAScore() throws Exception {
        kannel.sendMo(BEN, "1234", "QUIZ purple");
        await("asked again", () -> startingWith(BEN, "Please answer with the letter") == 1);
        kannel.sendMo(BEN, "1234", "QUIZ A");
        await("Ben's wrong answer corrected", () -> startingWith(BEN, "Not quite: the answer is B)") == 1);
        await("Q2 to Ben after his answer (interval 0)", () -> startingWith(BEN, "Q2/3") == 1);
        kannel.sendMo(ANA, "1234", "QUIZ B"); // Ana finished: a further answer scores nothing
        await("no question waiting", () -> startingWith(ANA, "You have no quiz question waiting") == 1);
        assertThat(db.strings("select count(*) || ' ' || count(*) filter (where correct) from quiz_answer a join quiz_enrolment e on e.id = a.enrolment_id"
                + " join phone p on p.health_worker_id = e.health_worker_id where p.e164 = '" + ANA + "'")).containsExactly("3 2");
        kannel.sendMo(DEE, "1234", "QUIZ");
        await("Dee is not enrolled", () -> startingWith(DEE, "You have no open quiz.") == 1);
        kannel.sendMo(CAL, "1234", "QUIZ MALARIA");
        await("unknown quiz keyword", () -> startingWith(CAL, "Please answer with the letter") == 1);
        assertThat(db.strings("select choice || ' ' || correct from quiz_answer a join quiz_enrolment e on e.id = a.enrolment_id"
                + " join phone p on p.health_worker_id = e.health_worker_id where p.e164 = '" + BEN + "'")).containsExactly("0 false");
        assertThat(db.count("select count(*) from inbound_message where route = 'quiz' and status = 'inbox'")).as("odd ones kept for review").isGreaterThanOrEqualTo(2);
        kannel.sendMo(BEN, "1234", "QUIZ b");
        await("Ben's Q2 answered", () -> startingWith(BEN, "Not quite: the answer is A) Pentavalent.") == 1);

        assertThat(quiz().close("cold-chain")).isTrue();
        kannel.sendMo(CAL, "1234", "QUIZ B");
        await("closed", () -> startingWith(CAL, "The quiz cold-chain is closed") == 1);
        assertThat(db.count("select count(*) from quiz_answer a join quiz_enrolment e on e.id = a.enrolment_id join phone p on p.health_worker_id = e.health_worker_id"
                + " where p.e164 = '" + CAL + "'")).isZero();
    }

    @Test
    @Order(4)
    void resultsPerQuestionAndTheFunnel() throws Exception {
        await("Kannel's delivery reports in", () -> db.count("select count(*) from delivery d join broadcast b on b.id = d.broadcast_id"
                + " where b.origin like 'quiz:%:1' and d.status = 'delivered'") == 3);
        List<QuizStore.QuestionResult> q = quiz().questions("cold-chain");
        assertThat(q.get(0).position()).as("most missed first").isIn(1, 2);
        QuizStore.QuestionResult q1 = q.stream().filter(r -> r.position() == 1).findFirst().orElseThrow();
        assertThat(q1.sent()).isEqualTo(3);
        assertThat(q1.answered()).isEqualTo(2);
        assertThat(q1.correct()).isEqualTo(1);
        org.mhero.report.ReportStore reports = context.getRegistry().lookupByNameAndType("reportStore", org.mhero.report.ReportStore.class);
        org.mhero.report.Subject quiz = org.mhero.report.Subject.of(org.mhero.report.Subject.Kind.QUIZ, "cold-chain");
        assertThat(reports.nonResponders(quiz, 0, 100).orElseThrow()).as("Cal never answered").singleElement()
                .satisfies(n -> assertThat(n.reached()).isTrue());
        assertThat(reports.report(quiz).orElseThrow().funnel()).containsExactly(new org.mhero.report.ReportStore.Step("targeted", 3, null),
                new org.mhero.report.ReportStore.Step("reached", 3, 100.0), new org.mhero.report.ReportStore.Step("responded", 2, 66.7),
                new org.mhero.report.ReportStore.Step("completed", 1, 50.0));
    }

    @Test
    @Order(5)
    void theNonRespondersGetAFollowUpBroadcastInOneStep() throws Exception {
        String answer = mhero.followUp("quiz", "cold-chain", "Reminder: the cold-chain quiz closed. Ask your supervisor for the answers.", "test");
        assertThat(answer).matches("broadcast \\d+ sending: 1 non-responder\\(s\\) of quiz cold-chain");
        await("the follow-up reached Cal only", () -> startingWith(CAL, "Reminder: the cold-chain quiz closed") == 1);
        assertThat(startingWith(ANA, "Reminder")).isZero();
        assertThat(startingWith(BEN, "Reminder")).isZero();
    }

    @Test
    @Order(6)
    void applyingTheUnchangedFileAgainWritesNothing() throws Exception {
        String before = quizRowVersions();
        assertThat(quiz().apply()).as("no new enrolment").isZero();
        assertThat(quiz().apply()).isZero();
        assertThat(quizRowVersions()).as("the quizzes and questions of the file, as they were").isEqualTo(before);
    }

    static String quizRowVersions() {
        return db.strings("select coalesce((select string_agg(id::text || ':' || xmin::text, ',' order by id) from quiz), '') || '/'"
                + " || coalesce((select string_agg(quiz_id || '.' || position || ':' || xmin::text, ',' order by quiz_id, position) from quiz_question), '')").get(0);
    }
}
