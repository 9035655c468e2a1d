package org.mhero.quiz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.mhero.api.TestLoginModule;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;
import org.mhero.testing.Await;
import org.mhero.testing.ShippedConfig;
import org.mhero.testing.TestWorkers;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Quizzes created through the JSON API, end to end on real PostgreSQL through the Kannel simulator, next to a quiz of
 * the configuration: an API quiz for a training's participants is sent and scored like a configured one; new
 * participants and new group members keep being enrolled; every refused request writes nothing; the listing, the
 * detail (per question, most missed first) and the per-worker results page; and a restart (a new context on the same
 * database) keeps each worker's timing, scores an API quiz it never had in memory, and lets the file win a name clash.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuizApiRouteTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ANA = "+231770300001", BEN = "+231770300002", CAL = "+231770300003", DEE = "+231770300004",
            EVE = "+231770300005", FAY = "+231770300006", GIL = "+231770300007";
    static final String IMCI = """
            {"name": "imci-refresher", "training": "imci", "keyword": "imci", "interval_days": 0,
             "questions": [
               {"text": "A child has diarrhoea and no dehydration. What do you give?", "choices": ["Antibiotics", "ORS and zinc", "Nothing"],
                "answer": "B", "explanation": "ORS replaces fluids; zinc shortens the episode."},
               {"text": "For how many days is zinc given?", "choices": ["10 to 14 days", "3 days"], "answer": 0,
                "explanation": "Even after the diarrhoea stops."}]}""";
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    TestDatabase db;
    KannelSimulator kannel;
    TestLoginModule.Installed jaas;
    int port;
    MheroContext mhero;
    long eve, fay, quizzers;

    @BeforeAll
    void start() throws Exception {
        db = new TestDatabase();
        port = ShippedConfig.freePort();
        kannel = KannelSimulator.start(KannelOptions.defaults().maxRecipients(10).moGetUrl("http://127.0.0.1:" + port
                + "/inbound/kannel?token=change-me-kannel-inbound&from=%p&to=%P&text=%a&time=%t&id=%I"));
        jaas = TestLoginModule.install("karaf");
        org.flywaydb.core.Flyway.configure().dataSource(db.dataSource()).load().migrate();
        seed();
        mhero = context(Map.of("quiz.cold-chain.group", "quizzers", "quiz.cold-chain.keyword", "COLD", "quiz.cold-chain.interval.days", "0",
                "quiz.cold-chain.question.1", "Best fridge temperature for vaccines? | 0 to 2 C | 2 to 8 C | answer = B"));
        mhero.start();
    }

    @AfterAll
    void stop() {
        if (mhero != null) mhero.stop();
        jaas.close();
        kannel.close();
        db.close();
    }

    MheroContext context(Map<String, String> quizzes) {
        Map<String, String> quiz = new HashMap<>(Map.of("enabled", "true", "send.poll.seconds", "1"));
        quiz.putAll(quizzes);
        MheroContext m = new MheroContext();
        m.setDataSource(db.dataSource());
        m.setConfiguration(ShippedConfig.idle()
                .pid("org.mhero.api", Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port)))
                .pid("org.mhero.channel", Map.of("active", "kannel", "kannel.url", kannel.sendsmsUrl(), "dlr.base.url", "http://127.0.0.1:" + port,
                        "dispatch.poll.ms", "50"))
                .pid("org.mhero.inbound", Map.of("route.poll.ms", "200"))
                .pid("org.mhero.quiz", quiz)
                .asMap());
        return m;
    }

    /** Ana and Ben in the group quizzers; Cal and Dee trained in IMCI; Eve and Fay not yet; Gil trained in SPACE. */
    void seed() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            try (var ps = c.prepareStatement("insert into contact_group (name, rule) values ('quizzers', 'cadre = nurse') returning id");
                 var rs = ps.executeQuery()) {
                rs.next();
                quizzers = rs.getLong(1);
            }
            for (String phone : List.of(ANA, BEN, CAL, DEE, EVE, FAY, GIL)) {
                long w = TestWorkers.insert(db.dataSource(), "Nurse " + phone.substring(phone.length() - 1), phone, null);
                if (phone.equals(ANA) || phone.equals(BEN)) member(c, w);
                if (phone.equals(CAL) || phone.equals(DEE)) training(c, w, "IMCI");
                if (phone.equals(GIL)) training(c, w, "SPACE");
                if (phone.equals(EVE)) eve = w;
                if (phone.equals(FAY)) fay = w;
            }
        }
    }

    void member(Connection c, long worker) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("insert into contact_group_member (group_id, health_worker_id) values (?, ?)")) {
            ps.setLong(1, quizzers);
            ps.setLong(2, worker);
            ps.executeUpdate();
        }
    }

    static void training(Connection c, long worker, String code) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into training (health_worker_id, registry, source_id, code, name) values (?, 'ihris', ?, ?, ?)")) {
            ps.setLong(1, worker);
            ps.setString(2, "T-" + worker + "-" + code);
            ps.setString(3, code);
            ps.setString(4, code + " course");
            ps.executeUpdate();
        }
    }

    record Answer(int status, JsonNode json, HttpResponse<String> raw) {}

    Answer call(String method, String path, String body, String contentType, String user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (user != null) b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":secret").getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r);
    }

    Answer ops(String method, String path, String body) throws Exception {
        return call(method, path, body, body == null ? null : "application/json", "ops");
    }

    /** {@link Await#await}, with the inbound messages' outcomes in the message when it times out. */
    void await(String what, BooleanSupplier done) throws InterruptedException {
        Await.await(what, done, () -> "inbound: "
                + db.strings("select status || ' ' || coalesce(route, '-') || ' ' || coalesce(outcome, '-') from inbound_message order by id"));
    }

    List<String> texts(String phone) { return kannel.log().textsTo(phone); }

    long startingWith(String phone, String prefix) { return texts(phone).stream().filter(t -> t.startsWith(prefix)).count(); }

    /** What the quiz API writes: quizzes and their questions and enrolments (API quizzes' row versions, as the file rewrites its own). */
    String quizRows() {
        return db.strings("select (select count(*) from quiz) || '/' || (select count(*) from quiz_question) || '/' || (select count(*) from quiz_enrolment)"
                + " || '/' || coalesce((select string_agg(xmin::text, ',' order by id) from quiz where source = 'api'), '')").get(0);
    }

    /** An hour of the day, in the quizzes' zone, that is many hours away: a quiz sending at it sends nothing during the test. */
    static int farHour() {
        return (ZonedDateTime.now(ZoneId.of("Africa/Monrovia")).getHour() + 12) % 24;
    }

    @Test
    @Order(1)
    void aQuizCreatedThroughTheApiIsSentToTheTrainingsParticipantsAndScored() throws Exception {
        Answer a = ops("POST", "/api/quizzes", IMCI);
        assertThat(a.status()).as(a.raw().body()).isEqualTo(201);
        assertThat(a.raw().headers().firstValue("Location")).hasValue("/api/quizzes/imci-refresher");
        assertThat(a.json().path("source").asText()).isEqualTo("api");
        assertThat(a.json().path("status").asText()).isEqualTo("open");
        assertThat(a.json().path("training").asText()).isEqualTo("imci");
        assertThat(a.json().path("keyword").asText()).isEqualTo("IMCI");
        assertThat(a.json().path("question_count").asInt()).isEqualTo(2);
        assertThat(a.json().path("enrolled").asInt()).as("Cal and Dee, trained in IMCI (the code matched whatever its case)").isEqualTo(2);
        assertThat(a.json().path("created_by").asText()).isEqualTo("ops");

        for (String p : List.of(CAL, DEE)) await("Q1 of the API quiz to " + p.substring(10), () -> startingWith(p, "Q1/2: A child has diarrhoea") == 1);
        assertThat(texts(CAL).get(0)).contains("B) ORS and zinc", "Reply QUIZ");
        assertThat(startingWith(ANA, "Q1/2")).as("not trained in IMCI").isZero();
        await("the configured quiz's Q1 to Ana", () -> startingWith(ANA, "Q1/1: Best fridge temperature") == 1);

        kannel.sendMo(CAL, "1234", "QUIZ b");
        await("feedback", () -> startingWith(CAL, "Correct! ORS replaces fluids; zinc shortens the episode.") == 1);
        await("Q2 to Cal after the answer (interval 0)", () -> startingWith(CAL, "Q2/2: For how many days is zinc given?") == 1);
        kannel.sendMo(CAL, "1234", "QUIZ 2");
        await("correction and score", () -> texts(CAL).stream().anyMatch(t -> t.startsWith("Not quite: the answer is A) 10 to 14 days. Even after the diarrhoea stops.")
                && t.endsWith("Quiz finished: 1/2 correct. Thank you!")));
        kannel.sendMo(CAL, "1234", "QUIZ A");
        await("an answer to no open question is not scored", () -> startingWith(CAL, "You have no quiz question waiting") == 1);
        kannel.sendMo(CAL, "1234", "QUIZ imci");
        await("the quiz's keyword after finishing it", () -> startingWith(CAL, "You have finished the quiz imci-refresher.") == 1);
        kannel.sendMo(ANA, "1234", "QUIZ IMCI");
        await("the quiz's keyword without being enrolled", () -> startingWith(ANA, "You are not enrolled in the quiz imci-refresher.") == 1);
        assertThat(db.strings("select position || ' ' || choice || ' ' || correct from quiz_answer a join quiz_enrolment e on e.id = a.enrolment_id"
                + " join phone p on p.health_worker_id = e.health_worker_id where p.e164 = '" + CAL + "' order by position")).containsExactly("1 1 true", "2 1 false");
    }

    @Test
    @Order(2)
    void newParticipantsAndNewMembersKeepBeingEnrolledAndAQuizCanEnrolBoth() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            training(c, eve, "imci");
            member(c, fay);
        }
        await("Eve, newly trained, gets the API quiz's Q1", () -> startingWith(EVE, "Q1/2: A child has diarrhoea") == 1);
        await("Fay, a new member, gets the configured quiz's Q1", () -> startingWith(FAY, "Q1/1: Best fridge temperature") == 1);
        assertThat(startingWith(DEE, "Q1/2")).as("never twice").isEqualTo(1);

        Answer both = ops("POST", "/api/quizzes", """
                {"name": "both", "group": "quizzers", "training": "IMCI", "interval_days": 7, "send_hour": %d,
                 "questions": [{"text": "Is this sent?", "choices": ["yes", "no"], "answer": "B"}]}""".formatted(farHour()));
        assertThat(both.status()).as(both.raw().body()).isEqualTo(201);
        assertThat(both.json().path("enrolled").asInt()).as("Ana, Ben, Fay of the group and Cal, Dee, Eve of the training, once each").isEqualTo(6);
        assertThat(db.count("select count(*) from quiz_enrolment e join quiz q on q.id = e.quiz_id where q.name = 'both' and e.next_due_at > now() + interval '1 hour'"))
                .as("the first question waits for its hour").isEqualTo(6);

        Answer closed = ops("POST", "/api/quizzes/both/close", null);
        assertThat(closed.status()).as(closed.raw().body()).isEqualTo(200);
        assertThat(closed.json().path("status").asText()).isEqualTo("closed");
        assertThat(closed.json().path("closed_by").asText()).isEqualTo("ops");
        Answer again = ops("POST", "/api/quizzes/both/close", null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("field").asText()).isEqualTo("status");
        assertThat(ops("POST", "/api/quizzes/nothing/close", null).status()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void everyRefusedRequestGetsItsStatusAndWritesNothing() throws Exception {
        String q = "\"questions\": [{\"text\": \"Q?\", \"choices\": [\"yes\", \"no\"], \"answer\": \"A\"}]";
        record Bad(String body, String contentType, String user, int status, String field) {}
        List<Bad> bad = List.of(
                new Bad("{\"name\": \"x1\", \"group\": \"midwives\", " + q + "}", "application/json", "ops", 400, "group"),
                new Bad("{\"name\": \"x1\", \"training\": \"NOPE\", " + q + "}", "application/json", "ops", 400, "training"),
                new Bad("{\"name\": \"imci-refresher\", \"group\": \"quizzers\", " + q + "}", "application/json", "ops", 409, "name"),
                new Bad("{\"name\": \"cold-chain\", \"group\": \"quizzers\", " + q + "}", "application/json", "ops", 409, "name"),
                new Bad("{\"name\": \"x1\", \"group\": \"quizzers\", \"keyword\": \"cold\", " + q + "}", "application/json", "ops", 409, "keyword"),
                new Bad("{\"name\": \"x1\", \"group\": \"quizzers\", \"keyword\": \"IMCI\", " + q + "}", "application/json", "ops", 409, "keyword"),
                new Bad("{\"name\": \"X 1\", \"group\": \"quizzers\", " + q + "}", "application/json", "ops", 400, "name"),
                new Bad("{\"name\": \"x1\", \"group\": \"quizzers\", \"questions\": [{\"text\": \"Q?\", \"choices\": [\"yes\"], \"answer\": \"A\"}]}",
                        "application/json", "ops", 400, "questions[0].choices"),
                new Bad("{\"name\": \"x1\", \"group\": \"quizzers\", \"questions\": [{\"text\": \"Q?\", \"choices\": [\"yes\", \"no\"], \"answer\": \"C\"}]}",
                        "application/json", "ops", 400, "questions[0].answer"),
                new Bad("{\"name\": \"x1\", \"group\": \"quizzers\", \"owner\": \"me\", " + q + "}", "application/json", "ops", 400, "owner"),
                new Bad("{\"name\": \"x1\", ", "application/json", "ops", 400, "body"),
                new Bad("{\"name\": \"x1\", \"group\": \"quizzers\", " + q + "}", "text/plain", "ops", 415, "content-type"),
                new Bad("{\"name\": \"x1\", \"group\": \"quizzers\", " + q + "}", "application/json", null, 401, null),
                new Bad("{\"name\": \"x1\", \"group\": \"quizzers\", " + q + "}", "application/json", "viewer", 403, null));
        for (Bad b : bad) {
            String before = quizRows();
            Answer a = call("POST", "/api/quizzes", b.body(), b.contentType(), b.user());
            assertThat(a.status()).as(b.field() + ": " + a.raw().body()).isEqualTo(b.status());
            assertThat(a.json().path("error").asText()).isNotBlank();
            if (b.field() != null) assertThat(a.json().path("field").asText()).as(a.raw().body()).isEqualTo(b.field());
            assertThat(quizRows()).as("nothing written for " + b.field()).isEqualTo(before);
        }
        assertThat(db.count("select count(*) from quiz where name = 'x1'")).isZero();
        assertThat(ops("GET", "/api/quizzes/nothing", null).status()).isEqualTo(404);
        assertThat(ops("GET", "/api/quizzes/nothing/results", null).status()).isEqualTo(404);
        assertThat(ops("GET", "/api/quizzes/Not_A_Name", null).status()).isEqualTo(404);
        Answer wrong = ops("DELETE", "/api/quizzes/imci-refresher", null);
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.raw().headers().firstValue("Allow")).hasValue("GET");
        assertThat(ops("GET", "/api/quizzes/imci-refresher/results?limit=0", null).status()).isEqualTo(400);
        assertThat(call("GET", "/api/quizzes", null, null, null).status()).isEqualTo(401);
    }

    @Test
    @Order(4)
    void listsQuizzesAndGivesResultsPerQuestionMostMissedFirstAndPerWorker() throws Exception {
        Answer list = ops("GET", "/api/quizzes", null);
        assertThat(list.status()).isEqualTo(200);
        Map<String, JsonNode> byName = new HashMap<>();
        list.json().path("quizzes").forEach(n -> byName.put(n.path("name").asText(), n));
        assertThat(byName).containsKeys("cold-chain", "imci-refresher", "both");
        assertThat(byName.get("cold-chain").path("source").asText()).isEqualTo("config");
        assertThat(byName.get("cold-chain").path("group").asText()).isEqualTo("quizzers");
        assertThat(byName.get("cold-chain").path("enrolled").asInt()).isEqualTo(3);
        JsonNode imci = byName.get("imci-refresher");
        assertThat(imci.path("source").asText()).isEqualTo("api");
        assertThat(imci.path("enrolled").asInt()).isEqualTo(3);
        assertThat(imci.path("finished").asInt()).isEqualTo(1);
        assertThat(imci.path("question_count").asInt()).isEqualTo(2);

        Answer detail = ops("GET", "/api/quizzes/imci-refresher", null);
        assertThat(detail.status()).as(detail.raw().body()).isEqualTo(200);
        assertThat(detail.json().path("questions").get(0).path("choices")).hasSize(3);
        assertThat(detail.json().path("questions").get(0).path("answer").asText()).isEqualTo("B");
        assertThat(detail.json().path("questions").get(1).path("answer").asText()).isEqualTo("A");
        JsonNode results = detail.json().path("results");
        assertThat(results.get(0).path("position").asInt()).as("Q2, answered wrong, is the most missed").isEqualTo(2);
        assertThat(results.get(0).path("missed").asInt()).isEqualTo(1);
        assertThat(results.get(1).path("position").asInt()).isEqualTo(1);
        assertThat(results.get(1).path("sent").asInt()).as("Cal, Dee, Eve").isEqualTo(3);
        assertThat(results.get(1).path("answered").asInt()).isEqualTo(1);
        assertThat(results.get(1).path("correct").asInt()).isEqualTo(1);
        assertThat(results.get(1).path("unanswered").asInt()).isEqualTo(2);
        assertThat(detail.json().path("percent_correct").asDouble()).isEqualTo(50.0);

        Answer first = ops("GET", "/api/quizzes/imci-refresher/results?limit=2", null);
        assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
        JsonNode workers = first.json().path("workers");
        assertThat(workers).hasSize(2);
        assertThat(workers.get(0).path("name").asText()).isEqualTo("Nurse 3");
        assertThat(workers.get(0).path("sent").asInt()).isEqualTo(2);
        assertThat(workers.get(0).path("answered").asInt()).isEqualTo(2);
        assertThat(workers.get(0).path("correct").asInt()).isEqualTo(1);
        assertThat(workers.get(0).path("finished").asBoolean()).isTrue();
        assertThat(workers.get(1).path("name").asText()).isEqualTo("Nurse 4");
        assertThat(workers.get(1).path("answered").asInt()).isZero();
        assertThat(workers.get(1).path("finished").asBoolean()).isFalse();
        long next = first.json().path("next_after").asLong();
        Answer rest = ops("GET", "/api/quizzes/imci-refresher/results?limit=2&after=" + next, null);
        assertThat(rest.json().path("workers")).singleElement().satisfies(w -> assertThat(w.path("health_worker_id").asLong()).isEqualTo(eve));
        assertThat(rest.json().path("next_after").isNull()).isTrue();
        for (Answer a : List.of(list, detail, first, rest)) assertThat(a.raw().body()).as("no numbers").doesNotContain("+2317703");

        assertThat(mhero.quizResults("imci-refresher", 10)).hasSize(4).element(1).asList().contains("Nurse 3", "2", "1");
        assertThat(mhero.quizzes()).anySatisfy(row -> assertThat(row).startsWith("imci-refresher", "api", "open"));
    }

    @Test
    @Order(5)
    void aRestartKeepsEachWorkersTimingScoresAnApiQuizFromTheDatabaseAndTheFileWinsANameClash() throws Exception {
        Answer spaced = ops("POST", "/api/quizzes", """
                {"name": "spaced", "training": "SPACE", "keyword": "SPACE", "interval_days": 2,
                 "questions": [{"text": "First spaced question?", "choices": ["right", "wrong"], "answer": "A"},
                               {"text": "Second spaced question?", "choices": ["wrong", "right"], "answer": "B", "explanation": "Well spaced."}]}""");
        assertThat(spaced.status()).as(spaced.raw().body()).isEqualTo(201);
        Answer clash = ops("POST", "/api/quizzes", """
                {"name": "clash", "training": "SPACE", "send_hour": %d,
                 "questions": [{"text": "The API's question?", "choices": ["yes", "no"], "answer": "A"}]}""".formatted(farHour()));
        assertThat(clash.status()).as(clash.raw().body()).isEqualTo(201);
        await("Q1 to Gil", () -> startingWith(GIL, "Q1/2: First spaced question?") == 1);
        kannel.sendMo(GIL, "1234", "QUIZ a");
        await("Gil's feedback", () -> startingWith(GIL, "Correct!") == 1);
        String due = "select e.next_due_at::text from quiz_enrolment e join quiz q on q.id = e.quiz_id where q.name = 'spaced'";
        String timing = db.strings(due).get(0);
        assertThat(db.count("select count(*) from quiz_enrolment e join quiz q on q.id = e.quiz_id where q.name = 'spaced'"
                + " and e.next_due_at between now() + interval '47 hours' and now() + interval '49 hours'")).as("two days on").isEqualTo(1);

        mhero.stop();
        // the file now drops cold-chain and defines clash itself, with the API quiz spaced's keyword
        mhero = context(Map.of("quiz.clash.group", "quizzers", "quiz.clash.keyword", "SPACE", "quiz.clash.send.hour", Integer.toString(farHour()),
                "quiz.clash.question.1", "The file's question? | yes | no | answer = B"));
        mhero.start();
        await("the file applied", () -> db.count("select count(*) from quiz where name = 'clash' and source = 'config'") == 1);
        Thread.sleep(2500); // more schedule ticks of the new context

        assertThat(db.strings(due)).as("Gil's timing survived the restart").containsExactly(timing);
        assertThat(startingWith(GIL, "Q1/2")).as("never again").isEqualTo(1);
        assertThat(startingWith(GIL, "Q2/2")).as("not due for two days").isZero();
        assertThat(db.strings("select q.keyword || ' ' || qq.text || ' ' || qq.correct from quiz q join quiz_question qq on qq.quiz_id = q.id where q.name = 'clash'"))
                .as("the file's definition replaced the API's").containsExactly("SPACE The file's question? 1");
        assertThat(db.strings("select coalesce(keyword, '-') from quiz where name = 'spaced'")).as("the file took the keyword").containsExactly("-");
        assertThat(db.strings("select status || ' ' || closed_by from quiz where name = 'cold-chain'")).as("no longer in the file")
                .containsExactly("closed org.mhero.quiz");
        assertThat(db.strings("select status from quiz where name = 'imci-refresher'")).as("API quizzes are left alone").containsExactly("open");

        db.count("with u as (update quiz_enrolment set next_due_at = now() where quiz_id = (select id from quiz where name = 'spaced') returning 1) select count(*) from u");
        await("Q2 to Gil when it is due", () -> startingWith(GIL, "Q2/2: Second spaced question?") == 1);
        kannel.sendMo(GIL, "1234", "QUIZ right");
        await("scored by the new context", () -> texts(GIL).stream().anyMatch(t -> t.equals("Correct! Well spaced. Quiz finished: 2/2 correct. Thank you!")));
        kannel.sendMo(ANA, "1234", "QUIZ B");
        await("an answer after the quiz closed", () -> startingWith(ANA, "The quiz cold-chain is closed") == 1);
        kannel.sendMo(ANA, "1234", "QUIZ cold");
        await("the keyword of a closed quiz", () -> startingWith(ANA, "The quiz cold-chain is closed.") == 1);
        assertThat(db.count("select count(*) from quiz_answer a join quiz_enrolment e on e.id = a.enrolment_id join quiz q on q.id = e.quiz_id"
                + " where q.name = 'cold-chain'")).as("never scored").isZero();
    }
}
