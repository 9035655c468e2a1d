package org.mhero.dhis2;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mhero.boot.TestFlows;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Simulator;
import org.mhero.testing.ShippedConfig;
import org.mhero.testing.SyncRuns;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dhis2-sync stores the user pages read while its writer is busy together, in one transaction. Against the DHIS2
 * simulator and a real PostgreSQL (one database per run): the result is the one page-by-page storing gives, row for
 * row (golden records, provenance, merge reasons, phones and their shared flags), a transaction holds whole pages and
 * at most {@link Dhis2Sync#MAX_USERS_PER_WRITE} users, and a run that DHIS2 interrupts in the middle of the walk,
 * followed by a run once it is back, ends exactly where an uninterrupted run ends.
 */
class Dhis2BatchedWritesTest {
    static final int PAGE = 10;
    /** A held writer starts its first store once this user page is requested: the pages before it wait for it. */
    static final int WRITER_HELD_UNTIL_PAGE = 4;
    static Dhis2Simulator dhis2;

    @BeforeAll
    static void peer() {
        dhis2 = Dhis2Simulator.start(Dhis2Options.defaults().users(120));
    }

    @AfterAll
    static void stopPeer() {
        if (dhis2 != null) dhis2.close();
    }

    static int userPages() {
        long users = dhis2.model().users().stream().filter(u -> u.phoneNumber() != null).count();
        return (int) ((users + PAGE - 1) / PAGE);
    }

    /** How the test paces mHero's writer against its walk. */
    enum Writer {
        /** the writer's first store waits until {@link #WRITER_HELD_UNTIL_PAGE} is requested, so earlier pages wait for it */
        HELD,
        /** each user page is requested only once the writer is idle, so each page is handed over alone: one store per page */
        PAGE_BY_PAGE,
        /** the writer's first store waits until the walk itself waits for the writer: a full batch is waiting */
        HELD_UNTIL_FULL,
        /** no pacing */
        FREE
    }

    /** One mHero (dhis2-sync only, shipped defaults) on its own database; counts the writer's connections. */
    static final class Mhero implements AutoCloseable {
        final TestDatabase db = new TestDatabase();
        final AtomicInteger writerConnections = new AtomicInteger();
        final AtomicInteger pagesRequested = new AtomicInteger();
        /** users stored before each of the writer's transactions (read when it takes its connection) */
        final List<Long> storedBeforeEachWrite = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile Thread walker;
        final DefaultCamelContext camel;
        final ProducerTemplate template;
        volatile Writer pacing;
        volatile java.util.function.IntConsumer beforeUserPage = p -> { };

        Mhero(Writer initialPacing) throws Exception {
            this(initialPacing, dhis2, PAGE);
        }

        Mhero(Writer initialPacing, Dhis2Simulator server, int pageSize) throws Exception {
            pacing = initialPacing;
            DataSource ds = db.dataSource();
            DataSource counting = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("getConnection") && Thread.currentThread().getName().equals("dhis2-sync-writer")) {
                            storedBeforeEachWrite.add(db.count("select count(*) from source_link where registry = 'dhis2'"));
                            boolean first = writerConnections.incrementAndGet() == 1;
                            if (first && pacing == Writer.HELD) await(() -> pagesRequested.get() >= WRITER_HELD_UNTIL_PAGE);
                            if (first && pacing == Writer.HELD_UNTIL_FULL) await(() -> walker.getState() == Thread.State.WAITING);
                        }
                        try {
                            return method.invoke(ds, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            Map<String, Map<String, String>> config = ShippedConfig.idle()
                    .pid("org.mhero.dhis2", Map.of("base.url", server.baseUrl(), "page.size", Integer.toString(pageSize),
                            "sync.enabled", "false", "sync.on.start", "false"))
                    .pid("org.mhero.ihris", Map.of("base.url", "http://127.0.0.1:9/fhir", "sync.enabled", "false", "sync.on.start", "false"))
                    .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "10", "redelivery.max", "2"))
                    .asMap();
            camel = TestFlows.build(counting, config, new Dhis2Flow()).camel();
            camel.getCamelContextExtension().setName("mhero-batched-" + db.name());
            camel.start();
            template = camel.createProducerTemplate();
            AdviceWith.adviceWith(camel, "dhis2-sync.fetch-users", a -> a.weaveById("dhis2-sync.get-users").before()
                    .process(e -> {
                        if (pacing == Writer.PAGE_BY_PAGE) {
                            Dhis2Sync.Run run = e.getProperty(Dhis2Sync.RUN, Dhis2Sync.Run.class);
                            await(() -> !run.writes.busy());
                        }
                        beforeUserPage.accept(pagesRequested.incrementAndGet());
                    }));
        }

        Map<String, Object> run() {
            pagesRequested.set(0);
            writerConnections.set(0);
            storedBeforeEachWrite.clear();
            walker = Thread.currentThread();   // direct: the route runs on the caller's thread
            template.sendBody("direct:dhis2-sync.run", null);
            return SyncRuns.last(db);
        }

        /** Everything a sync decides per DHIS2 user, without database ids, in source id order. */
        List<String> stored() {
            return db.strings("""
                    select concat_ws('|', s.source_id, s.content_hash, h.display_name, h.active, coalesce(l.source_id, '-'),
                      h.provenance::text, coalesce(h.review_reason, ''), h.golden_hash, m.rule, m.score, coalesce(m.detail, ''),
                      coalesce((select string_agg(concat_ws(',', p.raw_value, p.e164, p.invalid_reason, p.rank, p.use, p.is_primary,
                                                            p.shared), ';' order by p.rank, p.raw_value)
                                from phone p where p.source_link_id = s.id and p.health_worker_id = h.id), ''))
                    from source_link s join health_worker h on h.id = s.health_worker_id
                    join merge_decision m on m.source_link_id = s.id and m.health_worker_id = h.id
                    left join location l on l.id = h.facility_id
                    where s.registry = 'dhis2' order by s.source_id""");
        }

        String watermark() {
            List<String> wm = db.strings("select watermark::text from sync_watermark where source like 'dhis2:users@%'");
            return wm.isEmpty() ? null : wm.get(0);
        }

        @Override
        public void close() throws Exception {
            try {
                template.close();
                camel.stop();
            } finally {
                db.close();
            }
        }
    }

    /** Polls {@code done} for up to 20 s (the writer and the walk run on other threads). */
    static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        org.mhero.testing.Await.await(java.time.Duration.ofSeconds(20), java.time.Duration.ofMillis(2), "the writer and the walk meet",
                done, null);
    }

    @Test
    void pagesReadWhileTheWriterIsBusyAreStoredTogetherAndGiveWhatPageByPageGives() throws Exception {
        int pages = userPages();
        assertThat(pages).isGreaterThan(WRITER_HELD_UNTIL_PAGE + 1);
        try (Mhero pageByPage = new Mhero(Writer.PAGE_BY_PAGE); Mhero batched = new Mhero(Writer.HELD)) {
            Map<String, Object> reference = pageByPage.run();
            assertThat(reference).containsEntry("status", "ok").containsEntry("pages", pages);
            assertThat(pageByPage.writerConnections.get()).as("one transaction per page").isEqualTo(pages);

            Map<String, Object> r = batched.run();
            assertThat(r).containsEntry("status", "ok").containsEntry("pages", pages)
                    .containsEntry("seen", reference.get("seen")).containsEntry("created", reference.get("created"));
            assertThat(batched.writerConnections.get()).as("pages stored together").isLessThan(pages).isPositive();

            List<String> expected = pageByPage.stored();
            assertThat(expected).hasSize((int) reference.get("created"));
            assertThat(expected).as("a shared number among them").anyMatch(row -> row.contains(",t;") || row.endsWith(",t"));
            assertThat(batched.stored()).isEqualTo(expected);
            assertThat(batched.db.count("select count(*) from health_worker")).isEqualTo(pageByPage.db.count("select count(*) from health_worker"));
            assertThat(batched.watermark()).isEqualTo(pageByPage.watermark()).isNotNull();

            String before = batched.db.rowVersions();
            batched.pacing = Writer.FREE;   // the re-run reads one page: nothing to hold the writer for
            assertThat(batched.run()).containsEntry("status", "ok").containsEntry("created", 0).containsEntry("updated", 0);
            assertThat(batched.db.rowVersions()).as("a re-run writes nothing").isEqualTo(before);
        }
    }

    @Test
    void aRunInterruptedMidWalkThenResumedEndsWhereAnUninterruptedRunEnds() throws Exception {
        int pages = userPages();
        int outageAt = 5;   // DHIS2 goes down before user page 5: pages 1-4 were read
        try (Mhero uninterrupted = new Mhero(Writer.FREE); Mhero interrupted = new Mhero(Writer.HELD)) {
            assertThat(uninterrupted.run()).containsEntry("status", "ok").containsEntry("pages", pages);

            interrupted.beforeUserPage = p -> { if (p == outageAt) dhis2.faults().down(true); };
            Map<String, Object> failed;
            try {
                failed = interrupted.run();
            } finally {
                dhis2.faults().down(false);
            }
            assertThat(failed).containsEntry("status", "failed").containsEntry("pages", outageAt - 1)
                    .containsEntry("created", (outageAt - 1) * PAGE);
            assertThat((String) failed.get("error")).contains("HTTP 503", "/api/users");
            assertThat(interrupted.db.count("select count(*) from source_link where registry = 'dhis2'"))
                    .as("every page read before the outage is stored, in whole pages").isEqualTo((outageAt - 1) * PAGE);
            assertThat(interrupted.watermark()).as("a failed run sets no watermark").isNull();

            interrupted.beforeUserPage = p -> { };
            Map<String, Object> resumed = interrupted.run();
            assertThat(resumed).containsEntry("status", "ok").containsEntry("pages", pages)
                    .containsEntry("created", (int) SyncRuns.last(uninterrupted.db).get("created") - (outageAt - 1) * PAGE)
                    .containsEntry("unchanged", (outageAt - 1) * PAGE).containsEntry("updated", 0);
            assertThat(interrupted.stored()).isEqualTo(uninterrupted.stored());
            assertThat(interrupted.db.count("select count(*) from health_worker"))
                    .isEqualTo(uninterrupted.db.count("select count(*) from health_worker"));
            assertThat(interrupted.watermark()).isEqualTo(uninterrupted.watermark());
        }
    }

    @Test
    void aTransactionNeverHoldsMoreThanAThousandUsersAndEveryPageIsWhole() throws Exception {
        try (Dhis2Simulator big = Dhis2Simulator.start(Dhis2Options.defaults().users(2500));
             Mhero mhero = new Mhero(Writer.HELD_UNTIL_FULL, big, 200)) {
            long users = big.model().users().stream().filter(u -> u.phoneNumber() != null).count();
            Map<String, Object> r = mhero.run();
            assertThat(r).containsEntry("status", "ok").containsEntry("created", (int) users);
            List<Long> before = new java.util.ArrayList<>(mhero.storedBeforeEachWrite);
            before.add(users);
            List<Long> batches = new java.util.ArrayList<>();
            for (int i = 1; i < before.size(); i++) batches.add(before.get(i) - before.get(i - 1));
            assertThat(batches).as("users per transaction").allSatisfy(n -> assertThat(n).isBetween(1L, (long) Dhis2Sync.MAX_USERS_PER_WRITE))
                    .contains((long) Dhis2Sync.MAX_USERS_PER_WRITE)
                    .allSatisfy(n -> assertThat(n % 200 == 0 || n % 200 == users % 200).as("whole pages: %d users", n).isTrue());
            assertThat(batches.stream().mapToLong(Long::longValue).sum()).isEqualTo(users);
        }
    }
}
