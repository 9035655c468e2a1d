package org.mhero.broadcast;

import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.core.RecordedCall;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.sms.AfricasTalkingSimulator;
import org.mhero.testing.ShippedConfig;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mhero.testing.Await.await;
import static org.mhero.broadcast.BroadcastFixtures.count;

/**
 * Broadcasts through the HTTP aggregator channel (active = http-aggregator) against the Africa's Talking simulator,
 * whose delivery reports (Sent, then Success or Failed, posted at once, racing the send's reply) come back over mHero's
 * HTTP port: exactly one message per accepted recipient, per-recipient refusals, a 429 retried without duplicates, a
 * timeout left in doubt and never re-sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AfricasTalkingBroadcastRouteTest extends CamelTestSupport {
    static final String TOKEN = "change-me-dlr-token"; // the shipped dlr.token
    static final String INVALID = "+254722000003";
    static final String ABSENT = "+254722000004";
    static final String GATEWAY_ERROR = "+254722000005";
    static int apiPort;
    static AfricasTalkingSimulator at;
    static TestDatabase db;

    @BeforeAll
    static void peers() {
        apiPort = ShippedConfig.freePort();
        at = AfricasTalkingSimulator.start(AfricasTalkingSimulator.options().credentials("sandbox", "atsk_sandbox_key")
                .dlrUrl("http://127.0.0.1:" + apiPort + "/dlr/africastalking?token=" + TOKEN)
                .reject(INVALID, 403).deliveryFailure(ABSENT, "AbsentSubscriber").reject(GATEWAY_ERROR, 501));
        db = new TestDatabase();
    }

    @AfterAll
    void stop() {
        context.stop();
        at.close();
        db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        ShippedConfig cfg = ShippedConfig.idle()
                .pid("org.mhero.api", Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(apiPort)))
                .pid("org.mhero.channel", Map.of("active", "http-aggregator", "http-aggregator.url", at.messagingUrl(),
                        "http-aggregator.request.timeout.ms", "700", "dispatch.poll.ms", "50", "dispatch.stale.seconds", "5"))
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "300"));
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(cfg.asMap());
        CamelContext camel = mhero.build();
        assertThat(mhero.getProblems()).isEmpty();
        return camel;
    }

    static Predicate<RecordedCall> postTo(List<String> numbers) {
        return c -> c.path().equals("/version1/messaging") && numbers.stream()
                .anyMatch(n -> URLDecoder.decode(c.body(), StandardCharsets.UTF_8).contains(n));
    }

    static String status(long broadcastId, String phone) {
        return db.strings("select status || ' ' || coalesce(reason, '') from delivery where broadcast_id = " + broadcastId
                + " and phone = '" + phone + "'").get(0);
    }

    @Test
    void sendsOnceToEachAcceptedNumberAndFollowsEachRecipientToItsEnd() throws Exception {
        List<String> ok = List.of("+254722000001", "+254722000002", "+254722000006");
        List<String> numbers = List.of(ok.get(0), ok.get(1), INVALID, ABSENT, GATEWAY_ERROR, ok.get(2));
        List<Long> workers = BroadcastFixtures.workers(db, numbers);
        BroadcastView b = BroadcastFixtures.broadcast(context, "Malaria RDT stock: reply with your count", workers);
        await(Duration.ofSeconds(20), "every delivery reached its end", () -> db.count("select count(*) from delivery where broadcast_id = "
                + b.id() + " and status in ('delivered', 'failed', 'dead')") == 6);

        for (String n : ok) {
            assertThat(at.log().textsTo(n)).containsExactly("Malaria RDT stock: reply with your count");
            assertThat(status(b.id(), n)).isEqualTo("delivered ");
        }
        assertThat(at.log().duplicates()).isEmpty();
        assertThat(db.strings("select distinct gateway_status from delivery where broadcast_id = " + b.id() + " and status = 'delivered'"))
                .containsExactly("Success");
        assertThat(db.count("select count(*) from delivery where broadcast_id = " + b.id() + " and channel_message_id like 'ATXid_%'"))
                .isEqualTo(4);
        // refused in the reply: final, with the aggregator's status
        assertThat(status(b.id(), INVALID)).startsWith("failed ").contains("InvalidPhoneNumber");
        assertThat(at.log().to(INVALID)).isEmpty();
        // accepted, then a Failed report with its failureReason
        assertThat(status(b.id(), ABSENT)).isEqualTo("failed Failed: AbsentSubscriber");
        // 501 GatewayError: retried for that number alone, then dead after the configured attempts (3 retries)
        assertThat(status(b.id(), GATEWAY_ERROR)).startsWith("dead gave up after 4 attempt(s)").contains("GatewayError");
        assertThat(at.calls().count(postTo(List.of(GATEWAY_ERROR)))).isEqualTo(4);
        for (String n : ok) assertThat(at.calls().count(postTo(List.of(n)))).as("the others went in one request only").isEqualTo(1);
        assertThat(at.log().dlrs()).as("every report answered 200").isNotEmpty().allSatisfy(d -> assertThat(d.httpStatus()).isEqualTo(200));
    }

    @Test
    void a429IsRetriedWithoutDuplicates() throws Exception {
        List<String> numbers = List.of("+254733000001", "+254733000002");
        List<Long> workers = BroadcastFixtures.workers(db, numbers);
        at.faults().force429(1);
        BroadcastView b = BroadcastFixtures.broadcast(context, "Training moved to Tuesday", workers);
        await(Duration.ofSeconds(20), "both are delivered", () -> count(db, b.id(), "delivered") == 2);
        assertThat(at.calls().count(c -> c.status() == 429)).isGreaterThanOrEqualTo(1);
        for (String n : numbers) assertThat(at.log().textsTo(n)).containsExactly("Training moved to Tuesday");
    }

    @Test
    void aTimeoutLeavesTheDeliveriesInDoubtAndNeverSendsThemAgain() throws Exception {
        List<String> numbers = List.of("+254744000001", "+254744000002");
        List<Long> workers = BroadcastFixtures.workers(db, numbers);
        at.faults().timeoutMillis(2500).timeoutRate(1.0);
        BroadcastView b;
        try {
            b = BroadcastFixtures.broadcast(context, "Did this go?", workers);
            await(Duration.ofSeconds(20), "the deliveries are in doubt", () -> count(db, b.id(), "in_doubt") == 2);
        } finally {
            at.faults().reset();
        }
        Thread.sleep(3000);
        for (String n : numbers) assertThat(at.calls().count(postTo(List.of(n)))).as("one request, never repeated").isEqualTo(1);
        assertThat(count(db, b.id(), "in_doubt")).isEqualTo(2);
    }

    @Test
    void reportIntakeAnswers401400AndIgnoresUnknownMessages() throws Exception {
        assertThat(post("token=" + TOKEN, "id=ATXid_unknown&status=Success")).isEqualTo(200);
        assertThat(post("token=wrong-token-1", "id=ATXid_unknown&status=Success")).isEqualTo(401);
        assertThat(post("", "id=ATXid_unknown&status=Success")).isEqualTo(401);
        assertThat(post("token=" + TOKEN, "status=Success")).isEqualTo(400);
        assertThat(post("token=" + TOKEN, "id=ATXid_unknown&status=Delivered")).isEqualTo(400);
    }

    int post(String query, String form) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/dlr/africastalking?" + query))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
