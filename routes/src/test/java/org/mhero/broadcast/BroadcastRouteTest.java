package org.mhero.broadcast;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mhero.sandbox.core.RecordedCall;
import org.mhero.sandbox.rapidpro.FlowDef;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.testing.IhrisRapidProRouteTest;
import org.mhero.testing.ShippedConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * broadcast through the RapidPro channel, end to end over real PostgreSQL and the RapidPro simulator: the outbox
 * resolution, 200 recipients per call, exactly one message per recipient, and the two ways a call can end without an
 * answer (processed but the answer lost; refused with a 500), both settled by asking RapidPro before anything is re-sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BroadcastRouteTest extends IhrisRapidProRouteTest {
    static final String FLOW = "9a7b0c4e-5d1f-4e2a-8b3c-6d7e8f901234";

    @Override
    protected int practitioners() { return 300; }

    @Override
    protected RapidProOptions rapidproOptions() {
        return RapidProOptions.defaults().rateLimit("500/1s").flow(FlowDef.survey(FLOW, "Validation", "phone_ok"));
    }

    @Override
    protected Map<String, String> rapidproSettings() {
        return Map.of("rate.limit", "400/1s", "http.request.timeout.ms", "1000");
    }

    @Override
    protected void peersStarted() {
        rapidpro.faults().timeoutMillis(2500);
    }

    @Override
    protected ShippedConfig configuration() {
        // one dispatch worker: the assertions count RapidPro calls per 200 recipients, and two workers claiming the
        // same broadcast at the same moment (SKIP LOCKED) can split a batch into two smaller calls
        return super.configuration()
                .pid("org.mhero.channel", Map.of("dispatch.poll.ms", "50", "dispatch.stale.seconds", "5", "schedule.poll.ms", "200",
                        "dispatch.concurrency", "1"));
    }

    BroadcastService service() { return context.getRegistry().lookupByNameAndType("broadcastService", BroadcastService.class); }

    static final Predicate<RecordedCall> BROADCAST_POST = c -> c.method().equals("POST") && c.path().endsWith("/broadcasts.json");

    BroadcastView awaitFinished(long id) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            BroadcastView v = service().get(id).orElseThrow();
            if (v.status().equals("completed") || v.status().equals("cancelled")) return v;
            Thread.sleep(50);
        }
        throw new AssertionError("broadcast " + id + " did not finish: " + service().get(id));
    }

    /** Messages RapidPro was asked to send per URN or contact with this text. */
    long messagesWithText(String text) {
        return rapidpro.outgoing().stream().filter(d -> text.equals(d.text())).count();
    }

    void assertEachContactGotExactlyOne(String text) {
        Map<String, Long> perContact = rapidpro.outgoing().stream().filter(d -> text.equals(d.text()))
                .collect(java.util.stream.Collectors.groupingBy(RapidProSimulator.Delivery::contactUuid, java.util.stream.Collectors.counting()));
        assertThat(perContact).isNotEmpty();
        assertThat(perContact.values()).as("one message per contact").containsOnly(1L);
    }

    @Test
    @Order(1)
    void broadcastsToAGroupOncePerWorkerInCallsOf200WithoutCreatingContacts() throws Exception {
        template.sendBody("direct:ihris-sync.run", null);
        template.sendBody("direct:rapidpro-contacts.push", null);
        long optedOut = db.count("""
                with u as (update health_worker set opted_out = true where id in (select min(health_worker_id) from contact_group_member m
                  join contact_group g on g.id = m.group_id where g.name = 'doctors') returning id) select count(*) from u""");
        assertThat(optedOut).isEqualTo(1);
        rapidpro.calls().clear();
        int contactsBefore = rapidpro.contactCount();

        BroadcastView v = service().create(new BroadcastRequest("measles", "Measles campaign starts Monday. Report to your DHO.", null, null,
                List.of("doctors", "bong-nurses-midwives"), null, null, null, null, null), "test");
        assertThat(v.status()).isEqualTo("sending");
        long members = db.count("""
                select count(distinct m.health_worker_id) from contact_group_member m join contact_group g on g.id = m.group_id
                 where g.name in ('doctors', 'bong-nurses-midwives')""");
        assertThat(v.recipients()).as("one delivery row per distinct member").isEqualTo((int) members);

        BroadcastView done = awaitFinished(v.id());
        assertThat(done.count("pending") + done.count("posting")).isZero();
        assertThat(done.count("skipped")).isGreaterThanOrEqualTo(1);
        assertThat(db.strings("select reason from delivery where broadcast_id = " + v.id() + " and status = 'skipped'")).contains("opted out");
        int accepted = done.count("accepted");
        assertThat(accepted).isEqualTo(done.recipients() - done.count("skipped")).isPositive();

        assertEachContactGotExactlyOne("Measles campaign starts Monday. Report to your DHO.");
        assertThat(messagesWithText("Measles campaign starts Monday. Report to your DHO.")).isEqualTo(accepted);
        List<RecordedCall> posts = rapidpro.calls().matching(BROADCAST_POST);
        assertThat(posts).hasSize((accepted + 199) / 200);
        assertThat(rapidpro.calls().count(c -> c.path().endsWith("/contacts.json"))).as("no contact call").isZero();
        long byUrnWithoutContact = db.count("select count(*) from delivery where broadcast_id = " + v.id()
                + " and status = 'accepted' and contact_uuid is null");
        assertThat(rapidpro.contactCount()).as("RapidPro itself made contacts only for recipients it did not know")
                .isEqualTo(contactsBefore + (int) byUrnWithoutContact);
        // the opted-out worker's contact got nothing
        String stoppedUuid = db.strings("""
                select rc.contact_uuid from delivery d join rapidpro_contact rc on rc.health_worker_id = d.health_worker_id
                 where d.broadcast_id = %d and d.reason = 'opted out'""".formatted(v.id())).get(0);
        assertThat(rapidpro.outgoingTo(stoppedUuid)).noneMatch(d -> d.text().startsWith("Measles"));
    }

    List<Long> someWorkers(int n) {
        return db.strings("""
                select distinct d.health_worker_id from delivery d where d.status = 'accepted' and d.contact_uuid is not null
                 order by d.health_worker_id limit %d""".formatted(n)).stream().map(Long::parseLong).toList();
    }

    @Test
    @Order(2)
    void aCallWhoseAnswerIsLostIsFoundInRapidProAndNotSentAgain() throws Exception {
        rapidpro.calls().clear();
        rapidpro.faults().forceLostResponse(1);
        String text = "Lost answer check " + System.nanoTime();
        BroadcastView v = service().create(new BroadcastRequest(null, text, null, null, null, null, someWorkers(5), null, null, null), "test");
        BroadcastView done = awaitFinished(v.id());
        assertThat(done.count("accepted")).isEqualTo(5);
        assertThat(rapidpro.calls().count(BROADCAST_POST)).as("posted once, never re-posted").isEqualTo(1);
        assertThat(rapidpro.calls().count(c -> c.method().equals("GET") && c.path().endsWith("/broadcasts.json")))
                .as("checked with RapidPro").isPositive();
        assertThat(messagesWithText(text)).isEqualTo(5);
        assertThat(db.strings("select status from delivery_batch where broadcast_id = " + v.id())).containsExactly("accepted");
    }

    @Test
    @Order(3)
    void a500IsCheckedWithRapidProThenSentExactlyOnce() throws Exception {
        rapidpro.calls().clear();
        rapidpro.faults().force5xx(1);
        String text = "Server error check " + System.nanoTime();
        BroadcastView v = service().create(new BroadcastRequest(null, text, null, null, null, null, someWorkers(4), null, null, null), "test");
        BroadcastView done = awaitFinished(v.id());
        assertThat(done.count("accepted")).isEqualTo(4);
        assertThat(rapidpro.calls().matching(BROADCAST_POST)).extracting(RecordedCall::status).containsExactly(500, 201);
        assertThat(messagesWithText(text)).isEqualTo(4);
        assertThat(db.strings("select status from delivery_batch where broadcast_id = " + v.id() + " order by id"))
                .containsExactly("not_created", "accepted");
    }

    @Test
    @Order(4)
    void startsAFlowWithParamsAndRefusesAnUnknownFlow() throws Exception {
        List<Long> workers = someWorkers(3);
        BroadcastView v = service().create(new BroadcastRequest("validation", null, FLOW, "{\"round\":\"2026-11\"}", null, null, workers,
                null, null, null), "test");
        assertThat(awaitFinished(v.id()).count("accepted")).isEqualTo(3);
        assertThat(rapidpro.flowStarts()).anySatisfy(s -> {
            assertThat(s.flowUuid()).isEqualTo(FLOW);
            assertThat(s.contacts()).hasSize(3);
        });
        long before = db.count("select count(*) from broadcast");
        assertThatThrownBy(() -> service().create(new BroadcastRequest(null, null, "00000000-0000-0000-0000-000000000000", null, null,
                null, workers, null, null, null), "test"))
                .isInstanceOfSatisfying(BroadcastRejected.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.field()).isEqualTo("flow");
                });
        assertThat(db.count("select count(*) from broadcast")).isEqualTo(before);
    }

    @Test
    @Order(5)
    void refusesBadRequestsWithTheFieldAndWritesNothing() {
        long broadcasts = db.count("select count(*) from broadcast");
        long deliveries = db.count("select count(*) from delivery");
        Instant past = Instant.now().minus(Duration.ofHours(2));
        Object[][] cases = {
                {BroadcastRequest.text("Hello", List.of("no-such-group")), "groups"},
                {BroadcastRequest.text("   ", List.of("doctors")), "text"},
                {BroadcastRequest.text("x".repeat(460), List.of("doctors")), "text"},
                {new BroadcastRequest(null, "Hello", null, null, List.of("doctors"), null, null, null, past, null), "send_at"},
                {new BroadcastRequest(null, "Hello", null, null, List.of("doctors"), null, null, null, null, "every monday"), "cron"},
                {new BroadcastRequest(null, "Hello", null, null, null, "cadre = = nurse", null, null, null, null), "rule"},
                {new BroadcastRequest(null, "Hello", null, null, null, null, List.of(999_999_999L), null, null, null), "workers"},
                {new BroadcastRequest(null, "Hello", null, null, null, null, null, null, null, null), "target"},
                {new BroadcastRequest(null, "Hello", null, null, List.of("doctors"), null, null, "pigeon", null, null), "channel"},
                {new BroadcastRequest(null, "Hello", null, null, null, "cadre = astronaut", null, null, null, null), "target"},
        };
        for (Object[] c : cases) {
            assertThatThrownBy(() -> service().create((BroadcastRequest) c[0], "test"))
                    .as("field %s", c[1])
                    .isInstanceOfSatisfying(BroadcastRejected.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.field()).isEqualTo(c[1]);
                        assertThat(e.getMessage()).isNotBlank();
                    });
        }
        assertThat(db.count("select count(*) from broadcast")).isEqualTo(broadcasts);
        assertThat(db.count("select count(*) from delivery")).isEqualTo(deliveries);
    }

    @Test
    @Order(6)
    void sendsAScheduledBroadcastWhenDueAndCancelsAnother() throws Exception {
        String text = "Scheduled " + System.nanoTime();
        BroadcastView later = service().create(new BroadcastRequest(null, text, null, null, List.of("doctors"), null, null, null,
                Instant.now().plusMillis(1500), null), "test");
        assertThat(later.status()).isEqualTo("scheduled");
        assertThat(later.recipients()).as("resolved when due, not before").isZero();
        BroadcastView never = service().create(new BroadcastRequest(null, "Never " + text, null, null, List.of("doctors"), null, null,
                null, Instant.now().plusSeconds(3600), null), "test");
        assertThat(service().cancel(never.id()).status()).isEqualTo("cancelled");
        assertThatThrownBy(() -> service().cancel(never.id())).isInstanceOfSatisfying(BroadcastRejected.class,
                e -> assertThat(e.status()).isEqualTo(409));

        BroadcastView done = awaitFinished(later.id());
        assertThat(done.status()).isEqualTo("completed");
        assertThat(done.count("accepted")).isPositive();
        assertThat(messagesWithText(text)).isEqualTo(done.count("accepted"));
        assertThat(messagesWithText("Never " + text)).isZero();
    }

    @Test
    @Order(7)
    void listsPerRecipientStatusWithMaskedNumbers() throws Exception {
        BroadcastView first = service().list(100).stream().filter(b -> "measles".equals(b.title())).findFirst().orElseThrow();
        List<DeliveryView> rows = service().deliveries(first.id(), null, 0, 1000);
        assertThat(rows).hasSize(first.recipients());
        assertThat(rows).filteredOn(r -> r.status().equals("accepted")).allSatisfy(r -> {
            assertThat(r.maskedPhone()).contains("*");
            assertThat(r.channel()).isEqualTo("rapidpro");
        });
        assertThat(service().deliveries(first.id(), "skipped", 0, 1000)).allSatisfy(r -> assertThat(r.reason()).isNotBlank());
        assertThatThrownBy(() -> service().deliveries(987_654, null, 0, 10)).isInstanceOfSatisfying(BroadcastRejected.class,
                e -> assertThat(e.status()).isEqualTo(404));
    }
}
