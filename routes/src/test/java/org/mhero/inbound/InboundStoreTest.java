package org.mhero.inbound;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mhero.config.ErrorSettings;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.sandbox.db.TestDatabase;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The inbound table on real PostgreSQL: dedupe, claims that never overlap, retries with backoff, failure and replay. */
class InboundStoreTest {
    static TestDatabase db;
    static InboundStore store;

    @BeforeAll
    static void database() {
        db = new TestDatabase();
        Flyway.configure().dataSource(db.dataSource()).load().migrate();
        store = new InboundStore(db.dataSource(), new PhoneNormalizer("LR"), new ErrorSettings(2, 0, 2.0, 0));
    }

    @AfterAll
    static void drop() { db.close(); }

    static Received kannel(String id, String from, String text) {
        return new Received("kannel", "get-url", id, null, from, null, null, text, null, null);
    }

    @Test
    void aRepeatedExternalIdIsADuplicateOfTheSameRowAndNationalNumbersAreStoredAsE164() throws Exception {
        InboundStore.Stored first = store.receive(kannel("dup-1", "0770100001", "hi"));
        InboundStore.Stored again = store.receive(kannel("dup-1", "0770100001", "hi"));
        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(db.strings("select sender from inbound_message where id = " + first.id())).containsExactly("+231770100001");
        InboundStore.Stored otherSource = store.receive(new Received("africastalking", "form", "dup-1", null, "+231770100001", null, null, "hi", null, null));
        assertThat(otherSource.duplicate()).as("ids are unique per source").isFalse();
    }

    @Test
    void concurrentPollersNeverClaimTheSameMessage() throws Exception {
        store.receive(kannel("fresh-1", "+231770100009", "x"));
        assertThat(store.claimDue(1000, Duration.ofMinutes(5))).as("a new message is the fast path's for a few seconds")
                .extracting(InboundMessage::externalId).doesNotContain("fresh-1");
        for (int i = 0; i < 300; i++) store.receive(kannel("claim-" + i, "+231770100009", "x"));
        db.count("with u as (update inbound_message set received_at = now() - interval '1 minute' where external_id like 'claim-%' returning 1)"
                + " select count(*) from u");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Callable<List<Long>> poller = () -> {
                List<Long> ids = new java.util.ArrayList<>();
                for (List<InboundMessage> got = store.claimDue(25, Duration.ofMinutes(5)); !got.isEmpty(); got = store.claimDue(25, Duration.ofMinutes(5))) {
                    got.forEach(m -> ids.add(m.id()));
                }
                return ids;
            };
            List<Future<List<Long>>> fs = List.of(pool.submit(poller), pool.submit(poller), pool.submit(poller), pool.submit(poller));
            Set<Long> seen = new HashSet<>();
            int total = 0;
            for (Future<List<Long>> f : fs) {
                for (long id : f.get()) {
                    total++;
                    seen.add(id);
                }
            }
            assertThat(total).as("every claim distinct").isEqualTo(seen.size());
            assertThat(db.count("select count(*) from inbound_message where external_id like 'claim-%' and status = 'received'")).isZero();
            assertThat(seen).hasSizeGreaterThanOrEqualTo(300);
            assertThat(store.claim(seen.iterator().next(), Duration.ofMinutes(5))).as("the fast path does not take a claimed one").isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingMessageIsRetriedThenFailedWithItsReasonAndReplayRoutesItAgain() throws Exception {
        long id = store.receive(kannel("fail-1", "+231770100010", "STOCK ORS 4")).id();
        for (int attempt = 1; attempt <= 3; attempt++) {
            InboundMessage m = store.claim(id, Duration.ofMinutes(5)).orElseGet(() -> {
                try {
                    return store.claimDue(1000, Duration.ofMinutes(5)).stream().filter(x -> x.id() == id).findFirst().orElseThrow();
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(m.attempts()).isEqualTo(attempt);
            store.retryLater(m, "HTTP 503 from DHIS2");
        }
        assertThat(db.strings("select status || ': ' || outcome from inbound_message where id = " + id))
                .containsExactly("failed: gave up after 3 attempt(s): HTTP 503 from DHIS2");
        assertThat(store.claimDue(1000, Duration.ofMinutes(5))).extracting(InboundMessage::id).doesNotContain(id);
        assertThat(store.inbox("failed", null, null, 0, 10, false)).extracting(InboundStore.InboxItem::id).contains(id);
        assertThat(store.replay(id)).isEqualTo(1);
        assertThat(store.replay(id)).as("only failed ones").isZero();
        assertThat(store.claim(id, Duration.ofMinutes(5))).isPresent();
    }

    @Test
    void anInterruptedRoutingIsTakenAgainOnceStale() throws Exception {
        long id = store.receive(kannel("stale-1", "+231770100011", "x")).id();
        assertThat(store.claim(id, Duration.ofSeconds(1))).isPresent();
        assertThat(store.claimDue(1000, Duration.ofMinutes(5))).extracting(InboundMessage::id).doesNotContain(id);
        db.count("with u as (update inbound_message set next_attempt_at = now() - interval '1 second' where id = " + id + " returning 1) select count(*) from u");
        assertThat(store.claimDue(1000, Duration.ofMinutes(5))).extracting(InboundMessage::id).contains(id);
    }
}
