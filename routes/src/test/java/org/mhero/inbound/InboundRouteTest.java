package org.mhero.inbound;

import static org.mhero.testing.Await.await;
import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.rapidpro.FlowDef;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;
import org.mhero.testing.ShippedConfig;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inbound messages end to end on real PostgreSQL: the Kannel simulator's MO get-url, the RapidPro simulator's flow
 * webhook, and Africa's Talking and External API forms posted by the test reach mHero's HTTP port, are stored before
 * the answer, and are routed by the keyword table and flow mapping; replies and flow starts go out through the outbox
 * (the active channel here is Kannel; flow starts always go to RapidPro).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InboundRouteTest extends CamelTestSupport {
    static final String FLOW = "0f3c5f6b-2a4d-4b4e-9c47-5d1b0c6a7e21"; // shipped: trigger.VALIDATE and flow.<uuid> = record-update
    static final String UNMAPPED_FLOW = "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    static final String KANNEL_TOKEN = "change-me-kannel-inbound";
    static final String RAPIDPRO_TOKEN = "change-me-rapidpro-inbound";
    static final String AT_TOKEN = "change-me-africastalking-inbound";
    static final String ALICE = "+231770100001";
    static final String BOB = "+231770100002";
    static final String CAROL = "+231770100003";
    static final String STRANGER = "+231770199999";
    static final String DAVE = "+231770100004";
    static final String ERIN = "+231770100005";

    static TestDatabase db;
    static KannelSimulator kannel;
    static RapidProSimulator rapidpro;
    static final AtomicBoolean databaseDown = new AtomicBoolean();
    static int port;
    static String base;
    final HttpClient http = HttpClient.newHttpClient();
    long alice, bob, carol, dave, erin;

    @BeforeAll
    static void peers() {
        db = new TestDatabase();
        port = ShippedConfig.freePort();
        base = "http://127.0.0.1:" + port;
        kannel = KannelSimulator.start(KannelOptions.defaults().moGetUrl(base + "/inbound/kannel?token=" + KANNEL_TOKEN
                + "&from=%p&to=%P&text=%a&time=%t&smsc=%i&id=%I"));
        rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit("500/1s")
                .webhookTarget(base + "/inbound/rapidpro/webhook?token=" + RAPIDPRO_TOKEN)
                .flow(FlowDef.survey(FLOW, "Validation", "phone_ok"))
                .flow(FlowDef.survey(UNMAPPED_FLOW, "Feedback", "comment")));
    }

    @AfterAll
    void stop() {
        context.stop();
        kannel.close();
        rapidpro.close();
        db.close();
    }

    /** The test database, unless {@link #databaseDown}: then every new connection is refused, as when PostgreSQL is down. */
    static DataSource switchable(DataSource real) {
        return (DataSource) Proxy.newProxyInstance(InboundRouteTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, a) -> {
            if (m.getName().equals("getConnection") && databaseDown.get()) throw new SQLException("Connection refused", "08001");
            try {
                return m.invoke(real, a);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        ShippedConfig cfg = ShippedConfig.idle()
                .pid("org.mhero.api", Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port)))
                .pid("org.mhero.channel", Map.of("active", "kannel", "kannel.url", kannel.sendsmsUrl(), "dlr.base.url", base,
                        "dispatch.poll.ms", "50"))
                .pid("org.mhero.rapidpro", Map.of("api.url", rapidpro.baseUrl(), "api.token", rapidpro.token(), "rate.limit", "400/1s"))
                .pid("org.mhero.inbound", Map.of("route.poll.ms", "200", "max.body.bytes", "2048"))
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "10"));
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(switchable(db.dataSource()));
        mhero.setConfiguration(cfg.asMap());
        CamelContext camel = mhero.build();
        assertThat(mhero.getProblems()).isEmpty();
        assertThat(mhero.getLoadedFlows()).contains("inbound");
        return camel;
    }

    @Override
    protected void doPostSetup() throws Exception {
        if (alice == 0) {
            alice = worker("Alice", ALICE);
            bob = worker("Bob", BOB);
            carol = worker("Carol", CAROL);
            dave = worker("Dave", DAVE);
            erin = worker("Erin", ERIN);
        }
    }

    long worker(String name, String phone) throws SQLException {
        return org.mhero.testing.TestWorkers.insert(db.dataSource(), name, phone, null);
    }

    String routeOf(String source, String externalId) {
        List<String> r = db.strings("select status || ' ' || coalesce(route, '-') from inbound_message where source = '" + source
                + "' and external_id = '" + externalId + "'");
        return r.isEmpty() ? null : r.get(0);
    }

    String lastMoId() { return kannel.log().mos().get(kannel.log().mos().size() - 1).id(); }

    HttpResponse<String> post(String path, String contentType, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String form(Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return b.toString();
    }

    @Test
    void stopOptsOutEverywhereRepliesOnceAndLaterBroadcastsSkipTheWorker() throws Exception {
        assertThat(kannel.sendMo(ALICE, "1234", "  Stop. ")).isEqualTo(200);
        String id = lastMoId();
        await("STOP routed", () -> "done opt-out".equals(routeOf("kannel", id)));
        assertThat(db.strings("select opted_out::text from health_worker where id = " + alice)).containsExactly("true");
        assertThat(db.count("select count(*) from opt_out where health_worker_id = " + alice)).isEqualTo(1);
        await("the STOP confirmation reached Alice", () -> kannel.log().textsTo(ALICE).stream().anyMatch(t -> t.startsWith("You will get no more")));

        // a later broadcast to her is skipped as opted out
        var store = context.getRegistry().lookupByNameAndType("broadcastStore", org.mhero.broadcast.BroadcastStore.class);
        var b = store.create(new org.mhero.broadcast.BroadcastRequest("t", "Clinic day moved", null, null, null, null, List.of(alice, bob),
                null, null, null), "test");
        assertThat(db.strings("select reason from delivery where broadcast_id = " + b.id() + " and health_worker_id = " + alice))
                .containsExactly("opted out");

        // START lifts it
        assertThat(kannel.sendMo(ALICE, "1234", "start")).isEqualTo(200);
        String id2 = lastMoId();
        await("START routed", () -> "done opt-in".equals(routeOf("kannel", id2)));
        assertThat(db.strings("select opted_out::text from health_worker where id = " + alice)).containsExactly("false");
        assertThat(db.count("select count(*) from opt_out where health_worker_id = " + alice)).isZero();
    }

    @Test
    void aRepeatedMessageIsAcknowledgedOnceAndRepliedToOnce() throws Exception {
        String url = base + "/inbound/kannel?token=" + KANNEL_TOKEN + "&from=%2B231770100002&to=1234&text=HELP&id=kannel-help-1";
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).as("Kannel would send a non-empty answer to the phone").isEmpty();
        }
        assertThat(db.count("select count(*) from inbound_message where external_id = 'kannel-help-1'")).isEqualTo(1);
        await("HELP answered", () -> kannel.log().textsTo(BOB).stream().anyMatch(t -> t.startsWith("mHero: send STOCK")));
        Thread.sleep(500); // give a wrong second reply the time to show
        assertThat(kannel.log().textsTo(BOB).stream().filter(t -> t.startsWith("mHero: send STOCK")).count()).isEqualTo(1);
        assertThat(db.count("select count(*) from broadcast where origin like 'inbound:%:reply' and created_by = 'inbound'"
                + " and target->'workers'->>0 = '" + bob + "'")).isEqualTo(1);
    }

    @Test
    void aTriggerWordStartsTheFlowForTheSenderThroughRapidPro() throws Exception {
        assertThat(kannel.sendMo(CAROL, "1234", "validate")).isEqualTo(200);
        String id = lastMoId();
        await("trigger routed", () -> "done trigger".equals(routeOf("kannel", id)));
        await("the flow start reached RapidPro", () -> rapidpro.flowStarts().stream()
                .anyMatch(s -> s.flowUuid().equals(FLOW) && s.urns().stream().anyMatch(u -> u.endsWith(CAROL.substring(1)))));
    }

    @Test
    void anUnknownSenderAndAnUnrecognisedTextLandInTheInboxWithoutAReplyToStrangers() throws Exception {
        assertThat(kannel.sendMo(STRANGER, "1234", "STOP")).isEqualTo(200);
        String strangerId = lastMoId();
        assertThat(kannel.sendMo(BOB, "1234", "the road to the clinic is flooded")).isEqualTo(200);
        String bobId = lastMoId();
        await("both routed", () -> "inbox inbox".equals(routeOf("kannel", strangerId)) && "inbox inbox".equals(routeOf("kannel", bobId)));
        assertThat(db.strings("select outcome from inbound_message where external_id = '" + strangerId + "'").get(0)).startsWith("unknown sender");
        assertThat(db.strings("select outcome from inbound_message where external_id = '" + bobId + "'")).containsExactly("no keyword recognised");
        var store = context.getRegistry().lookupByNameAndType("inboundStore", InboundStore.class);
        var inbox = store.inbox("inbox", null, "flooded", 0, 10, false);
        assertThat(inbox).hasSize(1);
        assertThat(inbox.get(0).sender()).as("masked").doesNotContain("770100002");
        assertThat(inbox.get(0).worker()).isEqualTo("Bob");
    }

    @Test
    void rapidProWebhooksAreRoutedByTheirFlowAndUnmappedFlowsLandInTheInbox() throws Exception {
        int mark = rapidpro.webhookCalls().size();
        rapidpro.injectInbound("tel:" + ALICE, "yes", FLOW, null);
        rapidpro.injectInbound("tel:" + BOB, "more nurses please", UNMAPPED_FLOW, null);
        await("both runs routed", () -> db.count("select count(*) from inbound_message where source = 'rapidpro-run'"
                + " and (results ? 'phone_ok' or results ? 'comment') and status in ('inbox', 'done') and health_worker_id in (" + alice + ", " + bob + ")") == 2);
        assertThat(rapidpro.webhookCalls().subList(mark, rapidpro.webhookCalls().size())).extracting(c -> c.status()).containsOnly(200);
        assertThat(db.strings("select route || ': ' || outcome from inbound_message where flow_uuid = '" + UNMAPPED_FLOW + "'").get(0))
                .startsWith("inbox: flow " + UNMAPPED_FLOW + " is not mapped");
        assertThat(db.strings("select results->'phone_ok'->>'value' from inbound_message where flow_uuid = '" + FLOW + "' and results ? 'phone_ok' and health_worker_id = " + alice))
                .containsExactly("yes");
        assertThat(db.strings("select health_worker_id::text from inbound_message where flow_uuid = '" + FLOW + "' and results ? 'phone_ok' and intake = 'webhook' and health_worker_id <> " + dave))
                .containsExactly(Long.toString(alice));
    }

    @Test
    void refusesWhatItCannotTakeWithAClearStatusAndStoresNothing() throws Exception {
        long before = db.count("select count(*) from inbound_message");
        String webhook = "/inbound/rapidpro/webhook";
        String good = "{\"contact\":{\"uuid\":\"c-1\",\"urn\":\"tel:" + ALICE + "\"},\"flow\":{\"uuid\":\"" + FLOW + "\"},\"run\":{\"uuid\":\"r-refuse\"},\"results\":{}}";
        Map<String, String> auth = Map.of("Authorization", "Token " + RAPIDPRO_TOKEN);
        assertThat(post(webhook, "application/json", good, Map.of()).statusCode()).as("no token").isEqualTo(401);
        assertThat(post(webhook, "application/json", good, Map.of("Authorization", "Token nope-nope-nope")).statusCode()).isEqualTo(401);
        HttpResponse<String> missingRun = post(webhook, "application/json", good.replace(",\"run\":{\"uuid\":\"r-refuse\"}", ""), auth);
        assertThat(missingRun.statusCode()).isEqualTo(400);
        assertThat(missingRun.body()).contains("run.uuid is missing");
        assertThat(post(webhook, "application/json", "{\"contact\":", auth).statusCode()).isEqualTo(400);
        assertThat(post(webhook, "text/xml", good, auth).statusCode()).isEqualTo(415);
        assertThat(post(webhook, "application/json; charset=klingon", good, auth).statusCode()).isEqualTo(415);
        assertThat(post(webhook, "application/json", "{\"pad\":\"" + "x".repeat(3000) + "\"}", auth).statusCode()).isEqualTo(413);
        HttpResponse<byte[]> latin = http.send(HttpRequest.newBuilder(URI.create(base + webhook)).header("Content-Type", "application/json")
                .header("Authorization", "Token " + RAPIDPRO_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(good.replace("c-1", "c-\u00e9").getBytes(StandardCharsets.ISO_8859_1))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(latin.statusCode()).as("Latin-1 bytes sent as UTF-8").isEqualTo(400);
        HttpResponse<String> noSender = post("/inbound/africastalking?token=" + AT_TOKEN, "application/x-www-form-urlencoded",
                form(Map.of("text", "STOCK ORS 4", "id", "at-1")), Map.of());
        assertThat(noSender.statusCode()).isEqualTo(400);
        assertThat(noSender.body()).contains("from (the sender) is missing");
        assertThat(post("/inbound/external/receive?token=x", "application/x-www-form-urlencoded", form(Map.of("from", ALICE, "text", "hi")), Map.of())
                .statusCode()).as("external is off as shipped").isEqualTo(404);
        assertThat(db.count("select count(*) from inbound_message")).isEqualTo(before);

        // the good one, and text that tries SQL and expression injection, is stored as it came and routed as text
        assertThat(post(webhook, "application/json", good, auth).statusCode()).isEqualTo(200);
        String evil = "'; drop table inbound_message; -- ${header.foo} #{1+1} <script>";
        HttpResponse<String> at = post("/inbound/africastalking?token=" + AT_TOKEN, "application/x-www-form-urlencoded",
                form(Map.of("from", BOB, "to", "1234", "text", evil, "id", "at-evil", "date", "2026-11-22 10:00:00")), Map.of());
        assertThat(at.statusCode()).isEqualTo(200);
        await("the injection attempt routed", () -> "inbox inbox".equals(routeOf("africastalking", "at-evil")));
        assertThat(db.strings("select text from inbound_message where external_id = 'at-evil'")).containsExactly(evil);
    }

    @Test
    void answers503WhileTheDatabaseIsDownSoTheSenderRetriesAndNothingIsLost() throws Exception {
        databaseDown.set(true);
        int status;
        try {
            status = kannel.sendMo(BOB, "1234", "HELP");
        } finally {
            databaseDown.set(false);
        }
        assertThat(status).isEqualTo(503);
        String id = lastMoId();
        assertThat(routeOf("kannel", id)).isNull();
        // Kannel (or its operator) sends it again: taken now
        String url = base + "/inbound/kannel?token=" + KANNEL_TOKEN + "&from=%2B231770100002&to=1234&text=HELP&id=" + id;
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        await("routed after the retry", () -> "done help".equals(routeOf("kannel", id)));
    }

    @Test
    void reconciliationStoresTheRunsAndInboxMessagesWebhooksMissedOnce() throws Exception {
        Reconciler reconciler = context.getRegistry().lookupByNameAndType("inboundReconciler", Reconciler.class);
        databaseDown.set(true);
        try {
            rapidpro.injectInbound("tel:" + DAVE, "no", FLOW, null); // its webhook gets 503: RapidPro does not retry
        } finally {
            databaseDown.set(false);
        }
        assertThat(rapidpro.webhookCalls().get(rapidpro.webhookCalls().size() - 1).status()).isEqualTo(503);
        assertThat(db.count("select count(*) from inbound_message where health_worker_id = " + dave)).isZero();
        rapidpro.injectInbound("tel:" + ERIN, "help"); // a free-text reply: RapidPro's inbox, no webhook at all

        reconciler.reconcile();
        await("both routed", () -> db.count("select count(*) from inbound_message where health_worker_id in (" + dave + ", " + erin + ")"
                + " and status in ('done', 'inbox')") == 2);
        assertThat(db.strings("select intake || ' ' || (results->'phone_ok'->>'value') from inbound_message where health_worker_id = " + dave))
                .containsExactly("poll-runs no");
        assertThat(db.strings("select intake || ' ' || route from inbound_message where health_worker_id = " + erin)).containsExactly("poll-inbox help");
        await("Erin's HELP answered", () -> kannel.log().textsTo(ERIN).size() == 1);

        long total = db.count("select count(*) from inbound_message");
        Reconciler.Result again = reconciler.reconcile();
        assertThat(again.stored()).as("nothing new; webhook-delivered runs are not stored twice").isZero();
        assertThat(db.count("select count(*) from inbound_message")).isEqualTo(total);
    }
}
