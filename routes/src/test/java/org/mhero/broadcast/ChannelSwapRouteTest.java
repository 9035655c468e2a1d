package org.mhero.broadcast;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mhero.boot.MheroContext;
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
 * Swapping the live channel as a {@code .cfg} edit does it: in Karaf an edit of {@code org.mhero.channel} stops mHero's
 * context and builds a new one from the new values (blueprint {@code update-strategy="reload"}); here the same happens on
 * one database. A broadcast in flight on RapidPro when {@code active} becomes {@code kannel} finishes through Kannel,
 * nobody gets it twice, and the old context stops after the hand-over in progress instead of sending the rest through
 * the old channel; the next broadcast goes through Kannel only; a {@code kannel.url} edit moves the next one to another
 * Kannel. Proven from the simulators' own records.
 */
class ChannelSwapRouteTest {
    static RapidProSimulator rapidpro;
    static KannelSimulator kannelA;
    static KannelSimulator kannelB;
    static TestDatabase db;
    MheroContext running;
    CamelContext camel;

    @BeforeAll
    static void peers() {
        rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit("500/1s"));
        rapidpro.faults().latency(250); // a call takes a while, so the edit lands while the broadcast is being sent
        kannelA = KannelSimulator.start(KannelOptions.defaults());
        kannelB = KannelSimulator.start(KannelOptions.defaults());
        db = new TestDatabase();
    }

    @AfterAll
    static void stopPeers() {
        rapidpro.close();
        kannelA.close();
        kannelB.close();
        db.close();
    }

    @AfterEach
    void stopContext() {
        if (running != null) running.stop();
        running = null;
    }

    /** Builds and starts mHero with the shipped configuration and these {@code org.mhero.channel} values, as a reload does. */
    void start(Map<String, String> channel) throws Exception {
        if (running != null) running.stop();
        Map<String, String> c = new HashMap<>(Map.of("rapidpro.batch.size", "10", "dispatch.poll.ms", "50", "dispatch.stale.seconds", "5"));
        c.putAll(channel);
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(ShippedConfig.idle()
                .pid("org.mhero.rapidpro", Map.of("api.url", rapidpro.baseUrl(), "api.token", rapidpro.token(), "rate.limit", "400/1s",
                        "push.enabled", "false", "pull.enabled", "false", "sync.on.start", "false"))
                .pid("org.mhero.channel", c)
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "10"))
                .asMap());
        mhero.start();
        assertThat(mhero.getProblems()).isEmpty();
        running = mhero;
        camel = mhero.getCamelContext();
    }

    static Map<String, String> kannelAt(KannelSimulator k) { return Map.of("active", "kannel", "kannel.url", k.sendsmsUrl()); }

    /** Messages with this text a Kannel simulator accepted for this number. */
    static long kannelTo(KannelSimulator k, String number, String text) {
        return k.log().textsTo(number).stream().filter(text::equals).count();
    }

    /** Deliveries of the broadcast a channel took (accepted, or further along with delivery reports). */
    static long viaChannel(long broadcast, String channel) {
        return db.count("select count(*) from delivery where broadcast_id = " + broadcast + " and channel = '" + channel
                + "' and status in ('accepted', 'sent', 'delivered')");
    }

    static long taken(long broadcast) {
        return count(db, broadcast, "accepted") + count(db, broadcast, "sent") + count(db, broadcast, "delivered");
    }

    @Test
    void anEditOfActiveMovesTheRestOfABroadcastInFlightAndTheNextOnesToKannelWithoutSendingAnythingTwice() throws Exception {
        start(Map.of("active", "rapidpro"));
        List<String> numbers = BroadcastFixtures.numbers("+23177700", 120);
        List<Long> workers = BroadcastFixtures.workers(db, numbers);
        String text = "Cholera alert: report cases to the DHO today";
        long id = BroadcastFixtures.broadcast(camel, text, workers).id();
        await(Duration.ofSeconds(30), "the first batches are accepted by RapidPro", () -> count(db, id, "accepted") >= 20);

        // the edit: active = kannel (the context in place stops, a new one starts from the new values)
        start(kannelAt(kannelA));
        long viaRapidPro = viaChannel(id, "rapidpro");
        assertThat(viaRapidPro).as("RapidPro took part of it before the edit").isGreaterThanOrEqualTo(20);
        assertThat(viaRapidPro).as("the old context stopped after the hand-over in progress, not after the whole outbox")
                .isLessThan(numbers.size());
        assertThat(db.count("select count(*) from delivery where broadcast_id = " + id + " and status = 'posting'"))
                .as("nothing was left half handed over").isZero();

        await(Duration.ofSeconds(30), "the rest is delivered through Kannel",
                () -> taken(id) == numbers.size());
        for (String n : numbers) {
            assertThat(BroadcastFixtures.rapidproMessages(rapidpro, n, text) + kannelTo(kannelA, n, text)).as("messages to %s", n).isEqualTo(1);
        }
        assertThat(numbers.stream().mapToLong(n -> BroadcastFixtures.rapidproMessages(rapidpro, n, text)).sum()).isEqualTo(viaRapidPro);
        assertThat(numbers.stream().mapToLong(n -> kannelTo(kannelA, n, text)).sum()).isEqualTo(viaChannel(id, "kannel"))
                .isEqualTo(numbers.size() - viaRapidPro);
        assertThat(db.strings("select distinct channel from delivery_batch where broadcast_id = " + id + " order by 1"))
                .containsExactly("kannel", "rapidpro");

        // the next broadcast goes through Kannel only
        String next = "Cholera alert: ORS stock arrives Thursday";
        long second = BroadcastFixtures.broadcast(camel, next, workers.subList(0, 30)).id();
        await(Duration.ofSeconds(30), "the next broadcast is delivered", () -> count(db, second, "delivered") == 30);
        for (String n : numbers.subList(0, 30)) assertThat(kannelTo(kannelA, n, next)).isEqualTo(1);
        assertThat(rapidpro.outgoing()).noneMatch(d -> next.equals(d.text()));

        // a kannel.url edit: the next broadcast goes to the other Kannel
        start(kannelAt(kannelB));
        String third = "Cholera alert: the Gbarnga treatment unit is open";
        long thirdId = BroadcastFixtures.broadcast(camel, third, workers.subList(0, 30)).id();
        await(Duration.ofSeconds(30), "the third broadcast is delivered", () -> count(db, thirdId, "delivered") == 30);
        for (String n : numbers.subList(0, 30)) {
            assertThat(kannelTo(kannelB, n, third)).isEqualTo(1);
            assertThat(kannelTo(kannelA, n, third)).isZero();
        }
    }
}
