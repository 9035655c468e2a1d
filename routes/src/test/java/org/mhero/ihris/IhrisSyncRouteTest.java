package org.mhero.ihris;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.testing.ShippedConfig;
import org.mhero.testing.SyncRuns;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ihris-sync against a real HAPI FHIR R4 server (the sandbox iHRIS, in-process on loopback) and a real PostgreSQL,
 * with the shipped etc/ defaults: full sync page by page, a re-run that writes nothing, an incremental run, a role
 * change, and iHRIS going down in the middle of a sync.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IhrisSyncRouteTest extends CamelTestSupport {
    static final int PRACTITIONERS = 450;
    static final int PAGE = 50;
    static IhrisSandbox ihris;
    static TestDatabase db;
    MheroContext mhero;

    @BeforeAll
    static void peers() {
        ihris = IhrisSandbox.start(IhrisOptions.defaults(PRACTITIONERS));
        db = new TestDatabase();
    }

    @AfterAll
    static void stopPeers() {
        if (ihris != null) ihris.close();
        if (db != null) db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(ShippedConfig.idle()
                .pid("org.mhero.ihris", Map.of("base.url", ihris.baseUrl(), "page.size", Integer.toString(PAGE),
                        "sync.on.start", "false"))
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "10", "redelivery.max", "2"))
                .asMap());
        return mhero.build();
    }

    Map<String, Object> run() {
        template.sendBody("direct:ihris-sync.run", null);
        return SyncRuns.last(db);
    }

    @Test
    @Order(1)
    void loadsTheShippedConfigurationAndEveryIhrisRoute() {
        assertThat(mhero.getProblems()).isEmpty();
        assertThat(mhero.getLoadedFlows()).contains("ihris-sync", "dhis2-sync", "rapidpro-contacts", "groups");
        assertThat(context.getRoutes()).extracting(r -> r.getRouteId()).contains("ihris-sync.trigger", "ihris-sync.run",
                "ihris-sync.fetch-locations", "ihris-sync.fetch-job-codes", "ihris-sync.fetch-practitioners",
                "ihris-sync.fetch-changed-roles", "ihris-sync.next-page");
        // the test starts every run itself: the shipped schedule (every quarter hour) must not start one in the middle
        assertThat(context.getRouteController().getRouteStatus("ihris-sync.trigger").isStarted()).isFalse();
        assertThat(context.getRouteController().getRouteStatus("ihris-sync.on-start").isStarted()).isFalse();
    }

    @Test
    @Order(2)
    void fullSyncStoresEveryPractitionerPageByPage() {
        Map<String, Object> r = run();
        assertThat(r).containsEntry("status", "ok").containsEntry("created", PRACTITIONERS).containsEntry("seen", PRACTITIONERS);
        assertThat((int) r.get("pages")).isGreaterThanOrEqualTo(PRACTITIONERS / PAGE);
        assertThat(db.count("select count(*) from health_worker")).isEqualTo(PRACTITIONERS);
        assertThat(db.count("select count(distinct source_id) from source_link where registry = 'ihris'")).isEqualTo(PRACTITIONERS);
        assertThat(db.count("select count(*) from health_worker where facility_id is not null")).isGreaterThan(PRACTITIONERS * 8 / 10);
        assertThat(db.count("select count(*) from health_worker where cadre is not null")).isGreaterThan(PRACTITIONERS / 2);
        assertThat(db.count("select count(*) from location where level = 'facility' and district_source_id is not null")).isGreaterThan(0);
        assertThat(db.count("select count(*) from phone where e164 is not null and e164 !~ '^\\+[0-9]{8,15}$'"))
                .as("every usable number is E.164").isZero();
        assertThat(db.count("select count(*) from phone where invalid_reason is not null")).as("unusable numbers kept").isPositive();
        assertThat(db.count("select count(*) from phone where shared")).as("shared numbers flagged").isPositive();
        assertThat(db.count("select count(*) from health_worker where not active")).as("inactive workers kept").isPositive();
        assertThat(db.count("select count(*) from sync_watermark where source like 'ihris:Practitioner@%'")).isEqualTo(1);
        assertThat(db.count("select count(*) from training")).as("in-service trainings of the synced workers")
                .isEqualTo(ihris.store().trainingCount());
        assertThat(db.count("select count(*) from merge_decision where rule = 'new'")).isEqualTo(PRACTITIONERS);
        assertThat(db.count("select count(*) from contact_group")).as("the shipped groups").isEqualTo(4);
        assertThat(db.count("select count(*) from contact_group where member_count > 0")).as("recomputed after the sync").isPositive();
        assertThat(db.count("select sum(member_count) from contact_group"))
                .isEqualTo(db.count("select count(*) from contact_group_member"));
    }

    @Test
    @Order(3)
    void reRunWithoutChangesWritesNothing() {
        String before = db.rowVersions();
        Map<String, Object> r = run();
        assertThat(r).containsEntry("status", "ok").containsEntry("created", 0).containsEntry("updated", 0);
        assertThat((int) r.get("seen")).as("only the watermark boundary is re-read").isLessThan(PAGE);
        assertThat(db.rowVersions()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void incrementalSyncStoresOnlyTheChangedPractitioners() {
        List<String> touched = ihris.store().touchPractitioners(7);
        Map<String, Object> r = run();
        assertThat(r).containsEntry("status", "ok").containsEntry("created", 0).containsEntry("updated", 7);
        assertThat((int) r.get("seen")).isLessThan(PAGE);
        String ids = "'" + String.join("','", touched) + "'";
        assertThat(db.count("select count(*) from source_link where source_id in (" + ids + ") and source_version <> '1'")).isEqualTo(7);
    }

    @Test
    @Order(5)
    void aSourceGoingDownMidSyncFailsTheRunKeepsCommittedPagesAndTheNextRunCatchesUp() throws Exception {
        int changed = PAGE * 4;
        ihris.store().touchPractitioners(changed);
        AtomicInteger nextPages = new AtomicInteger();
        AdviceWith.adviceWith(context, "ihris-sync.next-page", a -> a.weaveById("ihris-sync.load-next-page").before()
                .process(e -> {
                    Bundle page = e.getIn().getBody(Bundle.class);
                    boolean practitioners = page.getEntry().stream().anyMatch(x -> x.getResource() instanceof Practitioner);
                    if (practitioners && nextPages.incrementAndGet() == 2) ihris.faults().down(true);   // after 2 pages
                }));
        try {
            Map<String, Object> failed = run();
            assertThat(failed).containsEntry("status", "failed");
            int committed = (int) failed.get("updated");
            assertThat(committed).as("the pages before the outage are stored").isPositive().isLessThan(changed);
            assertThat((int) failed.get("pages")).isEqualTo(2);
        } finally {
            ihris.faults().down(false);
        }
        Map<String, Object> recovered = run();
        assertThat(recovered).containsEntry("status", "ok");
        assertThat(db.count("select count(*) from source_link where source_version = '1'"))
                .as("every changed practitioner stored by one run or the other")
                .isLessThanOrEqualTo(PRACTITIONERS - changed);
        assertThat(db.count("select count(*) from health_worker")).isEqualTo(PRACTITIONERS);
    }
}
