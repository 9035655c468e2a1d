package org.mhero.broadcast;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mhero.boot.MheroContext;
import org.mhero.config.Pid;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;
import org.mhero.testing.ShippedConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mhero.testing.Await.await;
import static org.mhero.broadcast.BroadcastFixtures.count;

/**
 * Failover through the circuit breaker, end to end: the active channel is Kannel, the configured {@code failover} is
 * RapidPro, and Kannel answers 503 (bearerbox down) or does not listen at all. With the shipped
 * {@code failover.after.failures} and retry policy, the circuit opens and the broadcast goes out through RapidPro, one
 * message per recipient, nothing through Kannel, nothing dead-lettered; also for a broadcast of a single batch, whose own
 * retries are all the failures the circuit gets to see.
 */
class FailoverRouteTest {
    static RapidProSimulator rapidpro;
    static KannelSimulator kannel;
    static TestDatabase db;
    MheroContext running;
    CamelContext camel;

    @BeforeAll
    static void peers() {
        rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit("500/1s"));
        kannel = KannelSimulator.start(KannelOptions.defaults());
        db = new TestDatabase();
    }

    @AfterAll
    static void stopPeers() {
        rapidpro.close();
        kannel.close();
        db.close();
    }

    @AfterEach
    void stopContext() {
        if (running != null) running.stop();
        running = null;
        kannel.bearerboxUp(true);
    }

    static Map<String, Map<String, String>> config(Map<String, String> channel) {
        Map<String, String> c = new HashMap<>(Map.of("active", "kannel", "failover", "rapidpro", "kannel.max.recipients", "10",
                "kannel.request.timeout.ms", "1000", "dispatch.poll.ms", "50", "dispatch.stale.seconds", "5"));
        c.putAll(channel);
        return ShippedConfig.idle()
                .pid("org.mhero.rapidpro", Map.of("api.url", rapidpro.baseUrl(), "api.token", rapidpro.token(), "rate.limit", "400/1s",
                        "push.enabled", "false", "pull.enabled", "false", "sync.on.start", "false"))
                .pid("org.mhero.channel", c)
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "20")) // the shipped attempts, with short waits
                .asMap();
    }

    void start(Map<String, String> channel) throws Exception {
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(config(channel));
        mhero.start();
        assertThat(mhero.getProblems()).isEmpty();
        running = mhero;
        camel = mhero.getCamelContext();
    }

    void assertWentOutThroughRapidProOnceEach(long id, List<String> numbers, String text) {
        for (String n : numbers) {
            assertThat(BroadcastFixtures.rapidproMessages(rapidpro, n, text)).as("RapidPro messages to %s", n).isEqualTo(1);
            assertThat(kannel.log().textsTo(n)).as("Kannel took nothing for %s", n).doesNotContain(text);
        }
        assertThat(db.strings("select distinct status || ' ' || channel from delivery where broadcast_id = " + id))
                .containsExactly("accepted rapidpro");
        assertThat(db.strings("select status from broadcast where id = " + id)).containsExactly("completed");
    }

    @Test
    void whileKannelAnswers503TheCircuitOpensAndTheBroadcastGoesOutThroughTheFailover() throws Exception {
        start(Map.of("kannel.url", kannel.sendsmsUrl()));
        List<String> numbers = BroadcastFixtures.numbers("+23177801", 60);
        List<Long> workers = BroadcastFixtures.workers(db, numbers);
        kannel.bearerboxUp(false); // smsbox answers 503 Temporal failure
        String text = "Measles vaccination days moved to next week";
        long id = BroadcastFixtures.broadcast(camel, text, workers).id();
        await(Duration.ofSeconds(30), "every recipient is accepted", () -> count(db, id, "accepted") == numbers.size());

        assertWentOutThroughRapidProOnceEach(id, numbers, text);
        long refused = kannel.calls().count(c -> c.status() == 503);
        assertThat(refused).as("Kannel was tried until the circuit opened").isPositive();
        assertThat(db.count("select count(*) from delivery_batch where broadcast_id = " + id + " and channel = 'kannel'"))
                .isEqualTo(refused);
    }

    @Test
    void aOneBatchBroadcastFailsOverBeforeItsRetriesRunOutWhenKannelIsDown() throws Exception {
        start(Map.of("kannel.url", "http://127.0.0.1:" + ShippedConfig.freePort() + "/cgi-bin/sendsms")); // nobody listens
        List<String> numbers = BroadcastFixtures.numbers("+23177802", 3);
        List<Long> workers = BroadcastFixtures.workers(db, numbers);
        String text = "Bring your vaccination register on Friday";
        long id = BroadcastFixtures.broadcast(camel, text, workers).id();
        await(Duration.ofSeconds(30), "the broadcast is finished", () -> count(db, id, "pending") + count(db, id, "posting") == 0
                && db.count("select count(*) from broadcast where status = 'completed' and id = " + id) == 1);

        assertThat(count(db, id, "dead")).as("nothing dead-lettered while a failover was there").isZero();
        assertWentOutThroughRapidProOnceEach(id, numbers, text);
        assertThat(db.strings("select distinct channel from delivery_batch where broadcast_id = " + id + " order by 1"))
                .containsExactly("kannel", "rapidpro");
    }

    @Test
    void aFailoverThatCouldNeverOpenBeforeDeliveriesAreDeadLetteredIsAConfigurationProblem() throws Exception {
        Map<String, Map<String, String>> cfg = new HashMap<>(config(Map.of("kannel.url", kannel.sendsmsUrl(), "failover.after.failures", "4")));
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(cfg);
        mhero.build();
        assertThat(mhero.getProblems()).extracting(Pid.Problem::toString).singleElement().asString()
                .contains("org.mhero.channel").contains("failover.after.failures").contains("redelivery.max");
        assertThat(mhero.getLoadedFlows()).doesNotContain("broadcast");

        // without a failover the same value is harmless
        cfg = new HashMap<>(config(Map.of("kannel.url", kannel.sendsmsUrl(), "failover.after.failures", "4", "failover", "")));
        mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(cfg);
        mhero.build();
        assertThat(mhero.getProblems()).isEmpty();
    }
}
