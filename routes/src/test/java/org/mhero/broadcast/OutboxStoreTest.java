package org.mhero.broadcast;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mhero.config.ErrorSettings;
import org.mhero.sandbox.db.TestDatabase;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox's bookkeeping on real PostgreSQL: claims never overlap, retries back off then dead-letter, reports only move forward. */
class OutboxStoreTest {
    static TestDatabase db;
    static OutboxStore outbox;
    long broadcast;

    @BeforeAll
    static void database() {
        db = new TestDatabase();
        Flyway.configure().dataSource(db.dataSource()).load().migrate();
        outbox = new OutboxStore(db.dataSource(), new ErrorSettings(2, 0, 2.0, 0));
    }

    @AfterAll
    static void drop() { db.close(); }

    @BeforeEach
    void broadcastOfTenPending() {
        broadcast = db.count("""
                with b as (insert into broadcast (kind, text, target, status) values ('text', 'hi', '{}', 'sending') returning id),
                     w as (insert into health_worker (display_name) select 'w' || g from generate_series(1, 10) g returning id),
                     d as (insert into delivery (broadcast_id, health_worker_id, phone, status)
                           select b.id, w.id, '+2317700000' || (w.id % 10), 'pending' from b, w returning broadcast_id)
                select min(broadcast_id) from d""");
    }

    Map<String, Integer> statuses() {
        var rows = db.strings("select status || '=' || count(*) from delivery where broadcast_id = " + broadcast + " group by status");
        var out = new java.util.TreeMap<String, Integer>();
        rows.forEach(r -> out.put(r.split("=")[0], Integer.parseInt(r.split("=")[1])));
        return out;
    }

    @Test
    void twoClaimsNeverShareADelivery() throws Exception {
        Batch a = outbox.claim(broadcast, "kannel", 6).orElseThrow();
        Batch b = outbox.claim(broadcast, "kannel", 6).orElseThrow();
        assertThat(a.size()).isEqualTo(6);
        assertThat(b.size()).isEqualTo(4);
        assertThat(a.recipients()).extracting(Recipient::deliveryId).doesNotContainAnyElementsOf(b.recipients().stream().map(Recipient::deliveryId).toList());
        assertThat(outbox.claim(broadcast, "kannel", 6)).isEmpty();
        assertThat(db.strings("select status from delivery_batch where broadcast_id = " + broadcast)).containsOnly("posting");
    }

    @Test
    void retriesBackOffThenDeadLetterWithTheReason() throws Exception {
        for (int attempt = 1; attempt <= 3; attempt++) {
            Batch b = outbox.claim(broadcast, "kannel", 10).orElseThrow();
            outbox.settle(b, SendResult.retry("HTTP 503 Temporal failure"));
        }
        assertThat(statuses()).isEqualTo(Map.of("dead", 10));
        assertThat(db.strings("select distinct reason from delivery where broadcast_id = " + broadcast))
                .containsExactly("gave up after 3 attempt(s): HTTP 503 Temporal failure");
        assertThat(db.strings("select status from broadcast where id = " + broadcast)).containsExactly("completed");
    }

    @Test
    void perRecipientAnswersAndReportsMoveOnlyForward() throws Exception {
        Batch b = outbox.claim(broadcast, "http-aggregator", 10).orElseThrow();
        long first = b.recipients().get(0).deliveryId();
        long second = b.recipients().get(1).deliveryId();
        long third = b.recipients().get(2).deliveryId();
        outbox.settle(b, new SendResult(SendResult.Outcome.ACCEPTED, null, null, Map.of(
                first, new SendResult.RecipientResult(SendResult.Outcome.ACCEPTED, "ATXid_1", null),
                second, new SendResult.RecipientResult(SendResult.Outcome.FAILED, null, "403 InvalidPhoneNumber"),
                third, new SendResult.RecipientResult(SendResult.Outcome.NOT_SENT, null, null))));
        assertThat(statuses()).isEqualTo(Map.of("accepted", 8, "failed", 1, "pending", 1));
        assertThat(db.count("select attempts from delivery where id = " + third)).as("a left-out recipient's attempt does not count").isZero();

        assertThat(outbox.reportByMessageId("http-aggregator", "ATXid_1", DeliveryState.DELIVERED, "Success", null)).isTrue();
        assertThat(outbox.reportByMessageId("http-aggregator", "ATXid_1", DeliveryState.SENT, "Sent", null)).as("late").isFalse();
        assertThat(outbox.reportByMessageId("kannel", "ATXid_1", DeliveryState.FAILED, "2", null)).as("other channel").isFalse();
        assertThat(db.strings("select status || ' ' || gateway_status from delivery where id = " + first)).containsExactly("delivered Success");
        assertThat(outbox.report(second, DeliveryState.DELIVERED, "1", null)).as("failed is final").isFalse();
        assertThat(outbox.report(987654321L, DeliveryState.DELIVERED, "1", null)).as("unknown id").isFalse();
    }

    @Test
    void anUnansweredBatchIsReconciledAndWhenNobodyCanTellItEndsInDoubtNotResent() throws Exception {
        Batch b = outbox.claim(broadcast, "kannel", 10).orElseThrow();
        outbox.settle(b, SendResult.inDoubt("timed out"));
        assertThat(statuses()).isEqualTo(Map.of("posting", 10));
        assertThat(outbox.unsettled(Duration.ofHours(1), 10)).as("not stale yet").isEmpty();
        db.count("with u as (update delivery_batch set started_at = now() - interval '2 minutes' where id = " + b.id() + " returning 1) select count(*) from u");
        List<Batch> unsettled = outbox.unsettled(Duration.ofSeconds(60), 10);
        assertThat(unsettled).hasSize(1);
        assertThat(unsettled.get(0).recipients()).hasSize(10);
        outbox.reconciled(unsettled.get(0), new Channel.ReconcileResult(Channel.Reconciliation.CANNOT_TELL, null));
        assertThat(statuses()).isEqualTo(Map.of("in_doubt", 10));
        assertThat(outbox.claim(broadcast, "kannel", 10)).as("never re-sent on its own").isEqualTo(Optional.empty());
        // a delivery report proves it was taken
        assertThat(outbox.report(b.recipients().get(0).deliveryId(), DeliveryState.DELIVERED, "1", null)).isTrue();
        assertThat(statuses()).isEqualTo(Map.of("in_doubt", 9, "delivered", 1));
    }
    @Test
    void twoWorkersSettlingTheLastTwoBatchesAtOnceCompleteTheBroadcast() throws Exception {
        // Each round: the broadcast's two batches are settled by two threads released together. Before the broadcast
        // row was locked, each settle could see the other's deliveries still 'posting' and neither completed it.
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 40; round++) {
                if (round > 0) broadcastOfTenPending();
                Batch a = outbox.claim(broadcast, "kannel", 5).orElseThrow();
                Batch b = outbox.claim(broadcast, "kannel", 5).orElseThrow();
                var start = new java.util.concurrent.CyclicBarrier(2);
                var fa = pool.submit(() -> { start.await(); outbox.settle(a, SendResult.accepted("x")); return null; });
                var fb = pool.submit(() -> { start.await(); outbox.settle(b, SendResult.accepted("y")); return null; });
                fa.get();
                fb.get();
                assertThat(statuses()).isEqualTo(Map.of("accepted", 10));
                assertThat(db.strings("select status from broadcast where id = " + broadcast)).as("round " + round).containsExactly("completed");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
