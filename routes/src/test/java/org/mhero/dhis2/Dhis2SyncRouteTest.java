package org.mhero.dhis2;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.mhero.boot.TestFlows;
import org.mhero.sandbox.core.RecordedCall;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.dhis2.Dhis2Model;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Options.UserFormat;
import org.mhero.sandbox.dhis2.Dhis2Simulator;
import org.mhero.testing.ShippedConfig;
import org.mhero.testing.SyncRuns;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dhis2-sync against the DHIS2 simulator (in-process on loopback) and a real PostgreSQL, with the shipped etc/ defaults:
 * full sync of organisation units and users page by page, a re-run that writes nothing, the legacy user format giving
 * the same workers, an incremental run, DHIS2 going down in the middle of the user walk, and a wrong token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Dhis2SyncRouteTest extends CamelTestSupport {
    static final int PAGE = 10;
    static Dhis2Simulator dhis2;
    static TestDatabase db;
    TestFlows.Built built;

    @BeforeAll
    static void peers() {
        dhis2 = Dhis2Simulator.start(Dhis2Options.defaults());
        db = new TestDatabase();
    }

    @AfterAll
    static void stopPeers() {
        if (dhis2 != null) dhis2.close();
        if (db != null) db.close();
    }

    /** The shipped files, every flow idle; iHRIS pointed nowhere. */
    static Map<String, Map<String, String>> config(Map<String, String> dhis2Overrides) {
        Map<String, String> d = new HashMap<>(Map.of("base.url", dhis2.baseUrl(), "page.size", Integer.toString(PAGE),
                "sync.enabled", "false", "sync.on.start", "false"));
        d.putAll(dhis2Overrides);
        return ShippedConfig.idle()
                .pid("org.mhero.dhis2", d)
                .pid("org.mhero.ihris", Map.of("base.url", "http://127.0.0.1:9/fhir", "sync.enabled", "false", "sync.on.start", "false"))
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "10", "redelivery.max", "2"))
                .asMap();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        built = TestFlows.build(db.dataSource(), config(Map.of()), new Dhis2Flow());
        return built.camel();
    }

    Map<String, Object> run() {
        template.sendBody("direct:dhis2-sync.run", null);
        return SyncRuns.last(db);
    }

    static List<Dhis2Model.User> usersWithPhone() {
        return dhis2.model().users().stream().filter(u -> u.phoneNumber() != null).toList();
    }

    /** Per DHIS2 user: name, active, facility, usable numbers; what a sync should leave in the database. */
    static Map<String, String> workers(TestDatabase on) {
        Map<String, String> out = new TreeMap<>();
        for (String row : on.strings("""
                select concat_ws('|', s.source_id, h.display_name, h.active, coalesce(l.source_id, '-'),
                  coalesce((select string_agg(p.e164, ',' order by p.e164) from phone p
                            where p.source_link_id = s.id and p.e164 is not null), ''))
                from source_link s join health_worker h on h.id = s.health_worker_id
                left join location l on l.id = h.facility_id
                where s.registry = 'dhis2'""")) {
            out.put(row.substring(0, row.indexOf('|')), row);
        }
        return out;
    }

    static String watermark() {
        List<String> wm = db.strings("select watermark::text from sync_watermark where source like 'dhis2:users@%'");
        return wm.isEmpty() ? null : wm.get(0);
    }

    /** The deepest of the user's units by level; the smallest id among equally deep ones. */
    static String deepest(Dhis2Model.User u) {
        return u.orgUnitIds().stream().map(id -> dhis2.model().orgUnit(id))
                .max(Comparator.<Dhis2Model.OrgUnit>comparingInt(Dhis2Model.OrgUnit::level)
                        .thenComparing(Dhis2Model.OrgUnit::id, Comparator.reverseOrder()))
                .map(Dhis2Model.OrgUnit::id).orElse("-");
    }

    @Test
    @Order(1)
    void loadsTheShippedConfigurationAndEveryDhis2Route() {
        assertThat(built.problems()).isEmpty();
        assertThat(built.flows()).contains("dhis2-sync");
        assertThat(context.getRoutes()).extracting(r -> r.getRouteId()).contains("dhis2-sync.trigger", "dhis2-sync.on-start",
                "dhis2-sync.run", "dhis2-sync.fetch-org-units", "dhis2-sync.fetch-users");
    }

    @Test
    @Order(2)
    void fullSyncStoresTheHierarchyAndEveryUserWithAPhonePageByPage() {
        List<Dhis2Model.User> users = usersWithPhone();
        Map<String, Object> r = run();
        assertThat(r).containsEntry("status", "ok").containsEntry("created", users.size()).containsEntry("seen", users.size());
        assertThat((int) r.get("pages")).isEqualTo((users.size() + PAGE - 1) / PAGE);

        assertThat(db.count("select count(*) from location where registry = 'dhis2'")).isEqualTo(dhis2.model().orgUnits().size());
        assertThat(db.count("select count(*) from location where registry = 'dhis2' and level = 'facility'"
                + " and district_source_id is not null and region_source_id is not null and country_source_id is not null"))
                .isEqualTo(dhis2.model().orgUnitsAtLevel(4).size());
        assertThat(db.strings("select distinct level from location where registry = 'dhis2' order by 1"))
                .containsExactly("country", "district", "facility", "region");

        Map<String, String> stored = workers(db);
        assertThat(stored).hasSize(users.size());
        for (Dhis2Model.User u : users) {
            String[] w = stored.get(u.id()).split("\\|", -1);
            assertThat(w[1]).as("name of %s", u.id()).isEqualTo(u.firstName() + " " + u.surname());
            assertThat(w[2]).as("active of %s", u.id()).isEqualTo(u.disabled() ? "f" : "t");
            assertThat(w[3]).as("facility of %s", u.id()).isEqualTo(deepest(u));
            assertThat(w[4]).as("numbers of %s", u.id()).isEqualTo(String.join(",", SimulatorNumbers.usable(SimulatorNumbers.numbers(u))));
        }
        long rejected = users.stream().mapToLong(u -> SimulatorNumbers.rejected(SimulatorNumbers.numbers(u)).size()).sum();
        assertThat(db.count("select count(*) from phone where invalid_reason = 'INVALID_FOR_REGION'")).isEqualTo(rejected);
        assertThat(db.count("select count(*) from phone where invalid_reason = 'EMPTY'")).as("blank phoneNumber kept")
                .isEqualTo(users.stream().filter(u -> u.phoneNumber().isBlank()).count());
        assertThat(db.count("select count(*) from phone where shared")).as("a number held by two users").isPositive();
        assertThat(watermark()).isNotNull();

        List<RecordedCall> calls = dhis2.calls().all();
        assertThat(calls).isNotEmpty().allSatisfy(c -> {
            assertThat(c.method()).isEqualTo("GET");
            assertThat(c.status()).isEqualTo(200);
        });
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
    void theLegacyUserFormatGivesTheSameHealthWorkers() throws Exception {
        Map<String, String> flattened = workers(db);
        String before = db.rowVersions();
        dhis2.userFormat(UserFormat.LEGACY);
        try (TestDatabase legacyDb = new TestDatabase()) {
            TestFlows.Built legacy = TestFlows.build(legacyDb.dataSource(), config(Map.of()), new Dhis2Flow());
            DefaultCamelContext camel = legacy.camel();
            camel.getCamelContextExtension().setName("mhero-legacy");
            camel.start();
            try (ProducerTemplate t = camel.createProducerTemplate()) {
                t.sendBody("direct:dhis2-sync.run", null);
            } finally {
                camel.stop();
            }
            assertThat(SyncRuns.last(legacyDb)).containsEntry("status", "ok").containsEntry("created", usersWithPhone().size());
            assertThat(workers(legacyDb)).isEqualTo(flattened);
            // the same server switching format (an upgrade or a downgrade) changes no stored record
            assertThat(run()).containsEntry("status", "ok").containsEntry("updated", 0).containsEntry("created", 0);
            assertThat(db.rowVersions()).isEqualTo(before);
        } finally {
            dhis2.userFormat(UserFormat.FLATTENED);
        }
    }

    @Test
    @Order(5)
    void incrementalSyncStoresOnlyTheChangedUsers() {
        List<Dhis2Model.User> changed = usersWithPhone().subList(0, 3);
        for (Dhis2Model.User u : changed) dhis2.model().updateUser(u.id(), x -> x.withDisabled(!x.disabled()));
        String wmBefore = watermark();
        Map<String, Object> r = run();
        assertThat(r).containsEntry("status", "ok").containsEntry("created", 0).containsEntry("updated", 3);
        assertThat((int) r.get("seen")).isLessThan(PAGE);
        Map<String, String> stored = workers(db);
        for (Dhis2Model.User u : changed) assertThat(stored.get(u.id()).split("\\|")[2]).isEqualTo(u.disabled() ? "t" : "f");
        assertThat(watermark()).isGreaterThan(wmBefore);
    }

    @Test
    @Order(6)
    void anOutageMidWalkFailsTheRunKeepsTheWatermarkAndTheNextRunCatchesUp() throws Exception {
        int changed = PAGE * 3;
        List<Dhis2Model.User> users = usersWithPhone().subList(5, 5 + changed);
        for (Dhis2Model.User u : users) dhis2.model().updateUser(u.id(), x -> x.withDisabled(!x.disabled()));
        String wmBefore = watermark();
        AtomicInteger userPages = new AtomicInteger();
        AdviceWith.adviceWith(context, "dhis2-sync.fetch-users", a -> a.weaveById("dhis2-sync.get-users").before()
                .process(e -> { if (userPages.incrementAndGet() == 2) dhis2.faults().down(true); }));   // after 1 page
        int updatedBefore;
        try {
            Map<String, Object> failed = run();
            assertThat(failed).containsEntry("status", "failed").containsEntry("pages", 1);
            assertThat((String) failed.get("error")).contains("HTTP 503", "/api/users");
            updatedBefore = (int) failed.get("updated");
            assertThat(updatedBefore).as("the page before the outage is stored").isPositive().isLessThan(changed);
            assertThat(watermark()).as("a failed run keeps the watermark").isEqualTo(wmBefore);
        } finally {
            dhis2.faults().down(false);
        }
        Map<String, Object> recovered = run();
        assertThat(recovered).containsEntry("status", "ok").containsEntry("updated", changed - updatedBefore);
        assertThat(watermark()).isGreaterThan(wmBefore);
        Map<String, String> stored = workers(db);
        for (Dhis2Model.User u : users) {
            assertThat(stored.get(u.id()).split("\\|")[2]).isEqualTo(dhis2.model().user(u.id()).disabled() ? "f" : "t");
        }
    }

    @Test
    @Order(7)
    void aWrongTokenFailsTheRunWith401AndWritesNothing() throws Exception {
        String before = db.rowVersions();
        TestFlows.Built wrong = TestFlows.build(db.dataSource(),
                config(Map.of("auth.token", "d2pat_notTheRightToken000000000000001234567890")), new Dhis2Flow());
        DefaultCamelContext camel = wrong.camel();
        camel.getCamelContextExtension().setName("mhero-401");
        camel.start();
        try (ProducerTemplate t = camel.createProducerTemplate()) {
            t.sendBody("direct:dhis2-sync.run", null);
        } finally {
            camel.stop();
        }
        Map<String, Object> r = SyncRuns.last(db);
        assertThat(r).containsEntry("status", "failed").containsEntry("pages", 0);
        assertThat((String) r.get("error")).contains("HTTP 401", "/api/organisationUnits", "auth.token", "org.mhero.dhis2")
                .doesNotContain("d2pat_");
        assertThat(db.rowVersions()).isEqualTo(before);
        List<RecordedCall> last = new ArrayList<>(dhis2.calls().all());
        assertThat(last.get(last.size() - 1).status()).as("a 401 is not retried").isEqualTo(401);
        assertThat(last.stream().filter(c -> c.status() == 401).count()).isEqualTo(1);
    }
}
