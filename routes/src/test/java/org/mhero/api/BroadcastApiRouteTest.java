package org.mhero.api;

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
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.testing.ShippedConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON API over HTTP (camel-jetty on a free port) against real PostgreSQL and the RapidPro simulator, with a
 * programmatic JAAS configuration standing in for Karaf's realm: a broadcast to a group is created (201) and handed to
 * RapidPro; every bad input gets its 4xx and leaves no broadcast and no delivery behind; 401/403; cancel; the
 * per-recipient listing with masked numbers; dead letters replayed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BroadcastApiRouteTest extends CamelTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    static RapidProSimulator rapidpro;
    static TestDatabase db;
    static TestLoginModule.Installed jaas;
    static int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static long created;

    @BeforeAll
    static void peers() {
        rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit("200/1s"));
        db = new TestDatabase();
        port = ShippedConfig.freePort();
        jaas = TestLoginModule.install("karaf");
    }

    @AfterAll
    static void stop() {
        jaas.close();
        rapidpro.close();
        db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(ShippedConfig.idle()
                .pid("org.mhero.rapidpro", Map.of("api.url", rapidpro.baseUrl(), "api.token", rapidpro.token(), "rate.limit", "150/1s",
                        "sync.on.start", "false", "push.enabled", "false", "pull.enabled", "false"))
                .pid("org.mhero.api", Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port), "max.body.bytes", "4096"))
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "10"))
                // one dispatch worker: the assertions count RapidPro calls, which two workers may split
                .pid("org.mhero.channel", Map.of("dispatch.concurrency", "1"))
                .asMap());
        var camel = mhero.build();
        assertThat(mhero.getLoadedFlows()).contains("broadcast", "api");
        seed();
        return camel;
    }

    /** Four nurses in the group "nurses": three reachable, one opted out. */
    static void seed() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            long group;
            try (PreparedStatement ps = c.prepareStatement("insert into contact_group (name, rule) values ('nurses', 'cadre = nurse') returning id");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                group = rs.getLong(1);
            }
            for (int i = 1; i <= 4; i++) {
                long w;
                try (PreparedStatement ps = c.prepareStatement(
                        "insert into health_worker (display_name, cadre, active, opted_out) values (?, 'nurse', true, ?) returning id")) {
                    ps.setString(1, "Nurse " + i);
                    ps.setBoolean(2, i == 4);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        w = rs.getLong(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "insert into phone (health_worker_id, registry, raw_value, e164, is_primary) values (?, 'ihris', ?, ?, true)")) {
                    ps.setLong(1, w);
                    ps.setString(2, "+23177000000" + i);
                    ps.setString(3, "+23177000000" + i);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("insert into contact_group_member (group_id, health_worker_id) values (?, ?)")) {
                    ps.setLong(1, group);
                    ps.setLong(2, w);
                    ps.executeUpdate();
                }
            }
        }
    }

    record Answer(int status, JsonNode json, HttpResponse<String> raw) {}

    Answer call(String method, String path, String body, String contentType, String user, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (user != null) b.header("Authorization", JaasAuthenticatorTest.basic(user, password));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isEmpty() ? null : JSON.readTree(r.body());
        return new Answer(r.statusCode(), json, r);
    }

    Answer ops(String method, String path, String body) throws Exception {
        return call(method, path, body, body == null ? null : "application/json", "ops", "secret");
    }

    long rows() {
        return db.count("select (select count(*) from broadcast) * 1000000 + (select count(*) from delivery)");
    }

    @Test
    @Order(1)
    void createsABroadcastToAGroupAndRapidProReceivesIt() throws Exception {
        Answer a = ops("POST", "/api/broadcasts", "{\"title\": \"Stock\", \"text\": \"Count your stock today\", \"groups\": [\"nurses\"]}");
        assertThat(a.status()).as(a.raw().body()).isEqualTo(201);
        created = a.json().path("id").asLong();
        assertThat(a.raw().headers().firstValue("Location")).hasValue("/api/broadcasts/" + created);
        assertThat(a.raw().headers().firstValue("Authorization")).as("credentials are not echoed").isEmpty();
        assertThat(a.json().path("status").asText()).isEqualTo("sending");
        assertThat(a.json().path("created_by").asText()).isEqualTo("ops");
        assertThat(a.json().path("recipients").asInt()).isEqualTo(4);
        assertThat(a.json().path("counts").path("skipped").asInt()).isEqualTo(1);
        assertThat(db.count("select count(*) from delivery where broadcast_id = " + created)).isEqualTo(4);

        await("the three reachable nurses handed to RapidPro", () -> db.count(
                "select count(*) from delivery where broadcast_id = " + created + " and status = 'accepted'") == 3);
        assertThat(rapidpro.broadcasts()).singleElement().satisfies(b -> {
            assertThat(b.urns()).containsExactlyInAnyOrder("tel:+231770000001", "tel:+231770000002", "tel:+231770000003");
            assertThat(b.text().values()).containsExactly("Count your stock today");
        });
        Answer view = ops("GET", "/api/broadcasts/" + created, null);
        assertThat(view.status()).isEqualTo(200);
        assertThat(view.json().path("counts").path("accepted").asInt()).isEqualTo(3);
        assertThat(view.json().path("status").asText()).isEqualTo("completed");
        Answer list = ops("GET", "/api/broadcasts?limit=5", null);
        assertThat(list.json().path("broadcasts").findValuesAsText("title")).contains("Stock");
    }

    @Test
    @Order(2)
    void everyBadInputGetsItsStatusAndLeavesNothingBehind() throws Exception {
        String future = Instant.now().plusSeconds(3600).toString();
        String past = Instant.now().minusSeconds(3600).toString();
        record Bad(String body, String contentType, int status, String field) {}
        List<Bad> bad = List.of(
                new Bad("{\"text\": \"hello\", \"groups\": [\"midwives\"]}", "application/json", 400, "groups"),
                new Bad("{\"text\": \"   \", \"groups\": [\"nurses\"]}", "application/json", 400, "text"),
                new Bad("{\"text\": \"" + "x".repeat(460) + "\", \"groups\": [\"nurses\"]}", "application/json", 400, "text"),
                new Bad("{\"text\": \"hello\", \"groups\": [\"nurses\"], \"send_at\": \"" + past + "\"}", "application/json", 400, "send_at"),
                new Bad("{\"flow\": \"0f2e3c4d-0000-4000-8000-000000000000\", \"groups\": [\"nurses\"]}", "application/json", 400, "flow"),
                new Bad("{\"text\": \"hello\", \"groups\": [\"nurses\"], \"cron\": \"every monday\"}", "application/json", 400, "cron"),
                new Bad("{\"text\": \"hello\", \"groups\": [\"nurses\"], \"priority\": 1}", "application/json", 400, "priority"),
                new Bad("{\"text\": \"hello\", \"groups\": [\"nurses\"", "application/json", 400, "body"),
                new Bad("{\"text\": \"hello\", \"workers\": [999999]}", "application/json", 400, "workers"),
                new Bad("{\"text\": \"hello\", \"groups\": [\"nurses\"], \"send_at\": \"" + future + "\"}", "text/plain", 415, "content-type"),
                new Bad("{\"text\": \"hello\", \"groups\": [\"nurses\"], \"title\": \"" + "t".repeat(5000) + "\"}", "application/json", 413, "body"));
        for (Bad b : bad) {
            long before = rows();
            Answer a = call("POST", "/api/broadcasts", b.body(), b.contentType(), "ops", "secret");
            assertThat(a.status()).as(b.field() + ": " + a.raw().body()).isEqualTo(b.status());
            assertThat(a.json().path("field").asText()).as(a.raw().body()).isEqualTo(b.field());
            assertThat(a.json().path("error").asText()).isNotBlank();
            assertThat(a.raw().headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(rows()).as("nothing written for " + b.field()).isEqualTo(before);
        }
        assertThat(ops("GET", "/api/broadcasts/999999", null).status()).isEqualTo(404);
        assertThat(ops("GET", "/api/broadcasts/999999/deliveries", null).status()).isEqualTo(404);
        assertThat(ops("GET", "/api/nothing", null).status()).isEqualTo(404);
        Answer wrong = ops("DELETE", "/api/broadcasts/" + created, null);
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.raw().headers().firstValue("Allow")).hasValue("GET");
        assertThat(ops("GET", "/api/broadcasts/" + created + "/deliveries?status=lost", null).status()).isEqualTo(400);
    }

    @Test
    @Order(3)
    void answers401WithoutOrWithBadCredentialsAnd403WithoutTheRole() throws Exception {
        long before = rows();
        String body = "{\"text\": \"hello\", \"groups\": [\"nurses\"]}";
        Answer none = call("POST", "/api/broadcasts", body, "application/json", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.raw().headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"karaf\", charset=\"UTF-8\"");
        assertThat(call("GET", "/api/broadcasts", null, null, "ops", "wrong").status()).isEqualTo(401);
        assertThat(call("GET", "/api/broadcasts", null, null, "nobody", "secret").status()).isEqualTo(401);
        Answer viewer = call("POST", "/api/broadcasts", body, "application/json", "viewer", "secret");
        assertThat(viewer.status()).isEqualTo(403);
        assertThat(viewer.json().path("error").asText()).contains("mhero");
        assertThat(call("GET", "/api/broadcasts/" + created, null, null, "viewer", "secret").status()).isEqualTo(403);
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void cancelsAScheduledBroadcastOnceAnd409Afterwards() throws Exception {
        Answer a = ops("POST", "/api/broadcasts", "{\"text\": \"Meeting tomorrow\", \"groups\": [\"nurses\"], \"send_at\": \""
                + Instant.now().plusSeconds(3600) + "\"}");
        assertThat(a.status()).as(a.raw().body()).isEqualTo(201);
        assertThat(a.json().path("status").asText()).isEqualTo("scheduled");
        long id = a.json().path("id").asLong();
        Answer cancel = ops("POST", "/api/broadcasts/" + id + "/cancel", null);
        assertThat(cancel.status()).isEqualTo(200);
        assertThat(cancel.json().path("status").asText()).isEqualTo("cancelled");
        Answer again = ops("POST", "/api/broadcasts/" + id + "/cancel", null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("field").asText()).isEqualTo("status");
        assertThat(db.count("select count(*) from delivery where broadcast_id = " + id)).as("never resolved").isZero();
        assertThat(ops("POST", "/api/broadcasts/999999/cancel", null).status()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void listsEachRecipientsStatusWithMaskedNumbersPageByPage() throws Exception {
        Answer skipped = ops("GET", "/api/broadcasts/" + created + "/deliveries?status=skipped", null);
        assertThat(skipped.status()).isEqualTo(200);
        assertThat(skipped.json().path("deliveries")).singleElement().satisfies(d -> {
            assertThat(d.path("name").asText()).isEqualTo("Nurse 4");
            assertThat(d.path("reason").asText()).isNotBlank();
            assertThat(d.path("phone").asText()).isEqualTo("+231*******04");
        });
        Answer first = ops("GET", "/api/broadcasts/" + created + "/deliveries?limit=2", null);
        assertThat(first.json().path("deliveries")).hasSize(2);
        long next = first.json().path("next_after").asLong();
        assertThat(next).isPositive();
        Answer rest = ops("GET", "/api/broadcasts/" + created + "/deliveries?limit=2&after=" + next, null);
        assertThat(rest.json().path("deliveries")).hasSize(2);
        assertThat(rest.json().path("deliveries").findValuesAsText("status")).containsExactlyInAnyOrder("accepted", "skipped");
        for (Answer a : List.of(skipped, first, rest)) {
            assertThat(a.raw().body()).as("no full number").doesNotContainPattern("\\+2317700000\\d\\d");
        }
    }

    @Test
    @Order(6)
    void replaysDeadLettersBackIntoTheOutbox() throws Exception {
        db.count("with d as (update delivery set status = 'dead', reason = 'test' where id = (select min(id) from delivery where broadcast_id = "
                + created + " and status = 'accepted') returning 1) select count(*) from d");
        Answer none = ops("POST", "/api/broadcasts/" + created + "/replay?in_doubt=false", null);
        assertThat(none.status()).as(none.raw().body()).isEqualTo(200);
        assertThat(none.json().path("replayed").asInt()).isEqualTo(1);
        await("the replayed delivery handed over again", () -> db.count(
                "select count(*) from delivery where broadcast_id = " + created + " and status = 'accepted'") == 3);
        assertThat(rapidpro.broadcasts()).hasSize(2);
        Answer all = ops("POST", "/api/dead-letters/replay", null);
        assertThat(all.json().path("replayed").asInt()).isZero();
        assertThat(ops("POST", "/api/dead-letters/replay?in_doubt=maybe", null).status()).isEqualTo(400);
    }

    @Test
    @Order(7)
    void theInboxListsWhatCameInWithItsRouteAndReplaysFailedMessages() throws Exception {
        String intake = "http://127.0.0.1:" + port + "/inbound/kannel?token=change-me-kannel-inbound&to=1234&from=%2B231770000001";
        for (String[] m : List.of(new String[] {"k-1", "the+bridge+is+flooded"}, new String[] {"k-2", "HELP"})) {
            int status = http.send(HttpRequest.newBuilder(URI.create(intake + "&id=" + m[0] + "&text=" + m[1])).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            assertThat(status).isEqualTo(200);
        }
        await("both routed", () -> db.count("select count(*) from inbound_message where status in ('inbox', 'done')") == 2);

        assertThat(call("GET", "/api/inbox", null, null, null, null).status()).isEqualTo(401);
        Answer inbox = ops("GET", "/api/inbox?status=inbox&q=FLOODED", null);
        assertThat(inbox.status()).as(inbox.raw().body()).isEqualTo(200);
        assertThat(inbox.json().path("messages")).hasSize(1);
        JsonNode m = inbox.json().path("messages").get(0);
        assertThat(m.path("text").asText()).isEqualTo("the bridge is flooded");
        assertThat(m.path("route").asText()).isEqualTo("inbox");
        assertThat(m.path("outcome").asText()).isEqualTo("no keyword recognised");
        assertThat(m.path("name").asText()).isEqualTo("Nurse 1");
        assertThat(inbox.raw().body()).as("no full number").doesNotContain("+231770000001");
        Answer help = ops("GET", "/api/inbox?route=help", null);
        assertThat(help.json().path("messages").findValuesAsText("status")).containsExactly("done");
        assertThat(ops("GET", "/api/inbox?status=lost", null).status()).isEqualTo(400);
        assertThat(ops("GET", "/api/inbox?limit=0", null).status()).isEqualTo(400);

        long id = m.path("id").asLong();
        assertThat(ops("POST", "/api/inbox/" + id + "/replay", null).status()).as("not failed").isEqualTo(409);
        db.count("with u as (update inbound_message set status = 'failed', outcome = 'gave up' where id = " + id + " returning 1) select count(*) from u");
        Answer replayed = ops("POST", "/api/inbox/" + id + "/replay", null);
        assertThat(replayed.status()).as(replayed.raw().body()).isEqualTo(200);
        assertThat(replayed.json().path("replayed").asInt()).isEqualTo(1);
        await("routed again", () -> db.count("select count(*) from inbound_message where id = " + id + " and status = 'inbox'") == 1);
        assertThat(ops("GET", "/api/inbox/replay", null).status()).isEqualTo(405);
    }
}
