package org.mhero.report;

import static org.mhero.testing.Await.await;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.mhero.api.TestLoginModule;
import org.mhero.boot.MheroContext;
import org.mhero.broadcast.BroadcastRequest;
import org.mhero.broadcast.BroadcastService;
import org.mhero.broadcast.BroadcastView;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.rapidpro.FlowDef;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.sandbox.rapidpro.ResponseProfile;
import org.mhero.testing.ShippedConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Liberia pilot's funnel, reproduced end to end: 482 health workers in a group are sent a 15-question flow
 * through the RapidPro channel (flow starts of up to 200 recipients, three unless two dispatch workers split one); the RapidPro simulator plays them with
 * the pilot's profile (289 reached, 165 answering the first question, 119 completing all 15); the report tracker
 * (route report.track) reads the flow's message statuses and runs back; and the report, over the HTTP API, gives
 * exactly 482, 289 (60.0%), 165 (57.1%) and 119 (72.1%). The breakdown by district is checked against what the
 * simulator itself says per contact, the non-responders are exactly the workers without a responded run, and the
 * follow-up reaches exactly them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiberiaPilotReportTest extends CamelTestSupport {
    static final String FLOW = "6c1f1a2e-5b7d-4c3e-9a8f-0d2e4b6a8c10";
    static final int WORKERS = 482;
    static final String[] DISTRICTS = {"Bong", "Nimba", "Lofa", "Grand Gedeh"};
    static final String[] CADRES = {"nurse", "midwife", "physician-assistant"};
    static final ObjectMapper JSON = new ObjectMapper();
    static TestDatabase db;
    static RapidProSimulator rapidpro;
    static TestLoginModule.Installed jaas;
    static int port;
    static long broadcast, followUp;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void peers() {
        String[] questions = new String[15];
        for (int i = 0; i < 15; i++) questions[i] = "q" + (i + 1);
        rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit("500/1s").flow(FlowDef.survey(FLOW, "Ebola IPC refresher", questions)));
        db = new TestDatabase();
        port = ShippedConfig.freePort();
        jaas = TestLoginModule.install("karaf");
    }

    @AfterAll
    void stop() {
        context.stop();
        jaas.close();
        rapidpro.close();
        db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        org.flywaydb.core.Flyway.configure().dataSource(db.dataSource()).load().migrate();
        seed();
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(ShippedConfig.idle()
                .pid("org.mhero.rapidpro", Map.of("api.url", rapidpro.baseUrl(), "api.token", rapidpro.token(), "rate.limit", "400/1s"))
                .pid("org.mhero.api", Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port)))
                .pid("org.mhero.channel", Map.of("dispatch.poll.ms", "50"))
                // one batch per pass: the flow's three starts take turns, and the runs of a start not picked in a pass
                // must still be read (the runs watermark is the flow's)
                .pid("org.mhero.report", Map.of("track.enabled", "true", "track.poll.seconds", "5", "track.max.batches", "1"))
                .asMap());
        CamelContext camel = mhero.build();
        assertThat(mhero.getProblems()).isEmpty();
        assertThat(mhero.getLoadedFlows()).contains("broadcast", "report", "api");
        return camel;
    }

    /** Four districts with two facilities each; 482 workers spread over them and three cadres, all in the group "pilot". */
    static void seed() throws Exception {
        if (db.count("select count(*) from health_worker") > 0) return;
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("insert into location (registry, source_id, name, level, path, country_source_id, content_hash) values ('ihris', 'LR', 'Liberia', 'country', '/LR', 'LR', 'x')");
            for (int d = 0; d < DISTRICTS.length; d++) {
                st.execute("insert into location (registry, source_id, name, level, parent_source_id, path, country_source_id, district_source_id, content_hash) "
                        + "values ('ihris', 'D" + d + "', '" + DISTRICTS[d] + "', 'district', 'LR', '/LR/D" + d + "', 'LR', 'D" + d + "', 'x')");
                for (int f = 0; f < 2; f++) {
                    st.execute("insert into location (registry, source_id, name, level, parent_source_id, path, country_source_id, district_source_id, content_hash) "
                            + "values ('ihris', 'F" + d + f + "', 'Clinic " + d + f + "', 'facility', 'D" + d + "', '/LR/D" + d + "/F" + d + f + "', 'LR', 'D" + d + "', 'x')");
                }
            }
            st.execute("insert into contact_group (name, rule) values ('pilot', 'active')");
            // worker i: district i % 4, facility (i / 4) % 2, cadre i % 3, phone +23177<7 digits of i>
            st.execute("""
                    insert into health_worker (display_name, cadre, facility_id)
                    select 'Worker ' || i, (array['nurse', 'midwife', 'physician-assistant'])[i % 3 + 1],
                           (select id from location where source_id = 'F' || (i % 4) || ((i / 4) % 2))
                      from generate_series(0, """ + (WORKERS - 1) + ") i order by i");
            st.execute("""
                    insert into phone (health_worker_id, registry, raw_value, e164, is_primary)
                    select id, 'ihris', '+23177' || lpad((id - (select min(id) from health_worker))::text, 7, '0'),
                           '+23177' || lpad((id - (select min(id) from health_worker))::text, 7, '0'), true from health_worker""");
            st.execute("insert into contact_group_member (group_id, health_worker_id) select g.id, h.id from contact_group g, health_worker h");
        }
    }

    static int index(String urn) { return Integer.parseInt(urn.substring(urn.length() - 7)); }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("ops:secret".getBytes(StandardCharsets.UTF_8)));
    }

    static Map<String, Integer> funnel(JsonNode steps) {
        Map<String, Integer> out = new HashMap<>();
        steps.forEach(s -> out.put(s.path("step").asText(), s.path("count").asInt()));
        return out;
    }

    /** Every run of the flow as the simulator serves it: urn → [reached, responded, completed]. */
    Map<Integer, boolean[]> truth() throws Exception {
        Set<Integer> failed = new HashSet<>();
        for (JsonNode m : list("messages.json?folder=failed")) failed.add(index(m.path("urn").asText()));
        Map<Integer, boolean[]> out = new TreeMap<>();
        for (JsonNode run : list("runs.json?flow=" + FLOW)) {
            int i = index(run.path("contact").path("urn").asText());
            boolean responded = run.path("responded").asBoolean();
            out.put(i, new boolean[] {!failed.contains(i) || responded, responded, "completed".equals(run.path("exit_type").asText())});
        }
        return out;
    }

    List<JsonNode> list(String path) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        String url = rapidpro.apiUrl() + path;
        while (url != null) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Token " + rapidpro.token()).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode page = JSON.readTree(r.body());
            page.path("results").forEach(out::add);
            url = page.path("next").isTextual() ? page.path("next").asText() : null;
        }
        return out;
    }

    BroadcastService service() { return context.getRegistry().lookupByNameAndType("broadcastService", BroadcastService.class); }

    @Test
    @Order(1)
    void thePilotsFunnelComesOutExactly() throws Exception {
        BroadcastView v = service().create(new BroadcastRequest("Ebola IPC refresher", null, FLOW, null, List.of("pilot"), null, null,
                null, null, null), "test");
        broadcast = v.id();
        assertThat(v.recipients()).isEqualTo(WORKERS);
        await(Duration.ofSeconds(60), "every recipient handed to RapidPro", () -> db.count("select count(*) from delivery where broadcast_id = " + broadcast
                + " and status = 'accepted'") == WORKERS);
        assertThat(rapidpro.flowStarts()).as("in calls of at most 200 recipients").hasSizeGreaterThan(1)
                .allSatisfy(s -> assertThat(s.contacts().size() + s.urns().size()).isLessThanOrEqualTo(200));

        RapidProSimulator.RespondResult played = rapidpro.respond(ResponseProfile.forFlow(FLOW).webhooks(false)
                .reachRate(289 / 482.0).answerRate(165 / 289.0).completionRate(119 / 165.0));
        assertThat(List.of(played.recipients(), played.reached(), played.answered(), played.completed())).containsExactly(482, 289, 165, 119);

        // the tracker (every 5 s) reads the statuses and runs back; the report then settles on the pilot's figures
        String path = "/api/reports/broadcasts/" + broadcast;
        await(Duration.ofSeconds(60), "the report to show 289 reached and 119 completed", () -> {
            try {
                Map<String, Integer> f = funnel(get(path).path("funnel"));
                return f.get("reached") == 289 && f.get("responded") == 165 && f.get("completed") == 119;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode report = get(path);
        assertThat(report.path("title").asText()).isEqualTo("Ebola IPC refresher");
        List<String> steps = new ArrayList<>();
        report.path("funnel").forEach(s -> steps.add(s.path("step").asText() + " " + s.path("count").asInt() + " "
                + (s.path("percent_of_previous").isNull() ? "-" : s.path("percent_of_previous").asDouble() + "%")));
        assertThat(steps).containsExactly("targeted 482 -", "reached 289 60.0%", "responded 165 57.1%", "completed 119 72.1%");
        // the same figures for the flow as a whole (every mHero start of it)
        assertThat(funnel(get("/api/reports/flows/" + FLOW).path("funnel")))
                .containsEntry("targeted", 482).containsEntry("reached", 289).containsEntry("responded", 165).containsEntry("completed", 119);
        assertThat(db.count("select count(*) from delivery where broadcast_id = " + broadcast + " and status = 'delivered'"))
                .as("delivery statuses read back from RapidPro").isEqualTo(289);
        assertThat(db.count("select count(*) from delivery where broadcast_id = " + broadcast + " and status = 'failed'")).isEqualTo(193);
        assertThat(db.count("select count(*) from flow_run where broadcast_id = " + broadcast)).isEqualTo(WORKERS);
    }

    @Test
    @Order(2)
    void theBreakdownByDistrictAndCadreMatchesWhatRapidProSays() throws Exception {
        Map<Integer, boolean[]> truth = truth();
        assertThat(truth).hasSize(WORKERS);
        Map<String, int[]> byDistrict = new TreeMap<>(), byCadre = new TreeMap<>();
        for (Map.Entry<Integer, boolean[]> e : truth.entrySet()) {
            int i = e.getKey();
            boolean[] t = e.getValue();
            for (Map.Entry<String, int[]> row : List.of(Map.entry(DISTRICTS[i % 4], byDistrict.computeIfAbsent(DISTRICTS[i % 4], k -> new int[4])),
                    Map.entry(CADRES[i % 3], byCadre.computeIfAbsent(CADRES[i % 3], k -> new int[4])))) {
                int[] n = row.getValue();
                n[0]++;
                if (t[0]) n[1]++;
                if (t[1]) n[2]++;
                if (t[2]) n[3]++;
            }
        }
        JsonNode report = get("/api/reports/broadcasts/" + broadcast);
        assertThat(rows(report.path("by_district"), "district")).isEqualTo(asLists(byDistrict));
        assertThat(rows(report.path("by_cadre"), "cadre")).isEqualTo(asLists(byCadre));
    }

    static Map<String, List<Integer>> rows(JsonNode rows, String key) {
        Map<String, List<Integer>> out = new TreeMap<>();
        rows.forEach(r -> {
            Map<String, Integer> f = funnel(r.path("funnel"));
            out.put(r.path(key).asText(), List.of(f.get("targeted"), f.get("reached"), f.get("responded"), f.get("completed")));
        });
        return out;
    }

    static Map<String, List<Integer>> asLists(Map<String, int[]> m) {
        Map<String, List<Integer>> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, List.of(v[0], v[1], v[2], v[3])));
        return out;
    }

    @Test
    @Order(3)
    void theNonRespondersAreExactlyTheSilentOnesAndTheFollowUpGoesToThemInOneStep() throws Exception {
        Set<Integer> silent = new HashSet<>();
        truth().forEach((i, t) -> { if (!t[1]) silent.add(i); });
        assertThat(silent).hasSize(482 - 165);

        Set<Integer> listed = new HashSet<>();
        int reachedButSilent = 0;
        long after = 0;
        while (true) {
            JsonNode page = get("/api/reports/broadcasts/" + broadcast + "/non-responders?limit=100&after=" + after);
            for (JsonNode n : page.path("results")) {
                listed.add(index(db.strings("select e164 from phone where health_worker_id = " + n.path("worker").asLong()).get(0)));
                if (n.path("reached").asBoolean()) reachedButSilent++;
            }
            if (page.path("next_after").isNull()) break;
            after = page.path("next_after").asLong();
        }
        assertThat(listed).isEqualTo(silent);
        assertThat(reachedButSilent).as("reached, never answered").isEqualTo(289 - 165);

        HttpResponse<String> r = http.send(request("/api/reports/broadcasts/" + broadcast + "/follow-up").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"We missed you in the IPC refresher. Reply QUIZ to start.\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        followUp = JSON.readTree(r.body()).path("id").asLong();
        assertThat(db.count("select count(*) from delivery where broadcast_id = " + followUp)).isEqualTo(482 - 165);
        Set<Integer> targeted = new HashSet<>();
        db.strings("select phone from delivery where broadcast_id = " + followUp).forEach(p -> targeted.add(index(p)));
        assertThat(targeted).isEqualTo(silent);
    }

    @Test
    @Order(4)
    void badReportRequestsAreRefusedWithTheirStatus() throws Exception {
        record Case(String method, String path, String body, int status) {}
        long broadcasts = db.count("select count(*) from broadcast");
        for (Case c : List.of(new Case("GET", "/api/reports/broadcasts/999999", null, 404),
                new Case("GET", "/api/reports/broadcasts/abc", null, 404),
                new Case("GET", "/api/reports/flows/not-a-uuid", null, 404),
                new Case("GET", "/api/reports/quizzes/no-such-quiz", null, 404),
                new Case("GET", "/api/reports/surveys/1", null, 404),
                new Case("DELETE", "/api/reports/broadcasts/" + broadcast, null, 405),
                new Case("GET", "/api/reports/broadcasts/" + broadcast + "/non-responders?limit=0", null, 400),
                new Case("POST", "/api/reports/broadcasts/" + broadcast + "/follow-up", "{}", 400),
                new Case("POST", "/api/reports/broadcasts/" + broadcast + "/follow-up", "{\"text\": \"x\", \"flow\": \"" + FLOW + "\"}", 400),
                new Case("POST", "/api/reports/broadcasts/" + broadcast + "/follow-up", "{\"txt\": \"x\"}", 400),
                new Case("POST", "/api/reports/broadcasts/" + broadcast + "/follow-up", "[1]", 400),
                new Case("POST", "/api/reports/broadcasts/999999/follow-up", "{\"text\": \"x\"}", 404))) {
            HttpRequest.Builder b = request(c.path()).method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(c.body()));
            if (c.body() != null) b.header("Content-Type", "application/json");
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(c.method() + " " + c.path() + " " + c.body() + ": " + r.body()).isEqualTo(c.status());
            assertThat(JSON.readTree(r.body()).path("error").asText()).as("a clear error").isNotBlank();
        }
        assertThat(db.count("select count(*) from broadcast")).as("nothing written").isEqualTo(broadcasts);
    }

    @Test
    @Order(5)
    void aPassAgainWritesNothingAndRapidProDownLeavesTheReportAsItWas() throws Exception {
        RapidProTracker tracker = context.getRegistry().lookupByNameAndType("rapidproTracker", RapidProTracker.class);
        context.getRouteController().stopRoute("report.track");   // the passes below are the test's alone
        // the follow-up's RapidPro broadcasts move on by themselves (queued, then wired): wait until they are all sent
        await(Duration.ofSeconds(60), "the follow-up's messages read back as sent", () -> {
            try {
                tracker.track();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            return db.count("select count(*) from delivery where broadcast_id = " + followUp + " and status = 'sent'") == 482 - 165;
        });
        RapidProTracker.Result again = tracker.track();
        assertThat(again.batches()).as("the pilot's starts are still followed: silent runs are still waiting").isPositive();
        assertThat(again.deliveriesUpdated()).as("idempotent").isZero();
        assertThat(again.runsStored()).as("idempotent").isZero();
        String path = "/api/reports/broadcasts/" + broadcast;
        String before = get(path).toString();
        rapidpro.faults().down(true);
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(tracker::track).isInstanceOf(RuntimeException.class);
        } finally {
            rapidpro.faults().down(false);
        }
        assertThat(get(path).toString()).as("a failed pass changes nothing").isEqualTo(before);
        assertThat(tracker.track().batches()).as("the next pass goes on").isPositive();
    }
}
