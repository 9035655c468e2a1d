package org.mhero.store;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.ihris.LocationHierarchy;
import org.mhero.merge.Matcher;
import org.mhero.merge.Merger;
import org.mhero.sandbox.db.TestDatabase;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyncStoreTest {
    static TestDatabase db;
    static SyncStore store;
    static Map<String, Long> facilities;

    @BeforeAll
    static void setUp() throws Exception {
        db = new TestDatabase();
        Flyway.configure().dataSource(db.dataSource()).load().migrate();
        store = new SyncStore(db.dataSource(), new Matcher(0.85), new Merger(List.of("ihris", "dhis2", "csv")));
        facilities = store.storeLocations("ihris", List.of(
                new LocationHierarchy.Node("F1", "Clinic 1", "facility", "D1", "/LR/R1/D1/F1", "LR", "R1", "D1", "h1")));
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    static HealthWorkerRecord worker(String id, String version, String name, String... e164) {
        return from("ihris", id, version, name, null, e164);
    }

    static HealthWorkerRecord from(String registry, String id, String version, String name, String nationalId, String... e164) {
        List<HealthWorkerRecord.Phone> phones = new java.util.ArrayList<>();
        for (int i = 0; i < e164.length; i++) phones.add(new HealthWorkerRecord.Phone(e164[i], e164[i], null, 0, "mobile", i == 0));
        return new HealthWorkerRecord(registry, id, version, Instant.parse("2026-11-01T00:00:00Z"), name, name, null,
                registry.equals("ihris") ? "female" : null, true, false, registry.equals("ihris") ? "F1" : null,
                registry.equals("ihris") ? "2230-1B" : null, registry.equals("ihris") ? "Nurse" : null,
                registry.equals("ihris") ? "nurse" : null, nationalId, null, null, phones);
    }

    @Test
    void storesOnlyWhatChangedAndAdvancesTheWatermarkWithThePage() throws Exception {
        Instant t1 = Instant.parse("2026-11-01T00:00:00Z");
        var first = store.storePage(List.of(worker("S1", "1", "Ann", "+231770000001"), worker("S2", "1", "Bea", "+231770000002")),
                "test:A", t1);
        assertThat(first).isEqualTo(new SyncStore.PageResult(2, 0, 0, 0));
        assertThat(store.watermark("test:A")).isEqualTo(t1);
        assertThat(db.count("select count(*) from health_worker h join location l on l.id = h.facility_id where l.source_id = 'F1'"))
                .isGreaterThanOrEqualTo(2);

        String before = db.rowVersions();
        var again = store.storePage(List.of(worker("S1", "2", "Ann", "+231770000001"), worker("S2", "1", "Bea", "+231770000002")),
                "test:A", t1);
        assertThat(again).isEqualTo(new SyncStore.PageResult(0, 0, 2, 0));
        assertThat(db.rowVersions()).as("nothing written when nothing changed").isEqualTo(before);

        var changed = store.storePage(List.of(worker("S1", "3", "Ann B.", "+231770000009")), "test:A",
                t1.plusSeconds(60));
        assertThat(changed).isEqualTo(new SyncStore.PageResult(0, 1, 0, 0));
        assertThat(db.strings("select p.e164 from phone p join source_link s on s.health_worker_id = p.health_worker_id where s.source_id = 'S1'"))
                .containsExactly("+231770000009");
        assertThat(store.watermark("test:A")).isEqualTo(t1.plusSeconds(60));

        store.storePage(List.of(), "test:A", t1);
        assertThat(store.watermark("test:A")).as("the watermark only moves forward").isEqualTo(t1.plusSeconds(60));
    }

    @Test
    void flagsANumberSharedByTwoWorkersOnBothAndNeverMovesIt() throws Exception {
        store.storePage(List.of(worker("X1", "1", "Xena", "+231881111111"), worker("X2", "1", "Xavier", "+231881111111")),
                "test:B", Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(db.count("select count(*) from phone where e164 = '+231881111111' and shared")).isEqualTo(2);
        assertThat(db.count("select count(distinct health_worker_id) from phone where e164 = '+231881111111'")).isEqualTo(2);

        store.storePage(List.of(worker("X2", "2", "Xavier", "+231882222222")), "test:B",
                Instant.parse("2026-11-02T00:00:00Z"));
        assertThat(db.count("select count(*) from phone where e164 = '+231881111111' and shared")).as("no longer shared").isZero();
    }

    @Test
    void anOptOutAskedForBySmsSurvivesALaterChangeFromTheRegistry() throws Exception {
        store.storePage(List.of(worker("O1", "1", "Olive", "+231883333333")), "test:O", Instant.parse("2026-11-01T00:00:00Z"));
        long id = db.count("select health_worker_id from source_link where source_id = 'O1'");
        db.count("with o as (insert into opt_out (health_worker_id, channel) values (" + id + ", 'kannel') returning 1),"
                + " u as (update health_worker set opted_out = true where id = " + id + " returning 1) select count(*) from o, u");
        var changed = store.storePage(List.of(worker("O1", "2", "Olive K.", "+231883333333")), "test:O", Instant.parse("2026-11-02T00:00:00Z"));
        assertThat(changed.updated()).isEqualTo(1);
        assertThat(db.strings("select display_name || ' ' || opted_out from health_worker where id = " + id)).containsExactly("Olive K. true");
    }

    @Test
    void keepsUnusableNumbersWithTheirReason() throws Exception {
        HealthWorkerRecord r = new HealthWorkerRecord("ihris", "U1", "1", Instant.now(), "Una", "Una", null, null, true, false,
                null, null, null, null, null, null, null,
                List.of(new HealthWorkerRecord.Phone("N/A", null, "NOT_A_NUMBER", 0, null, false)));
        var res = store.storePage(List.of(r), "test:C", Instant.now());
        assertThat(res.unreachable()).isEqualTo(1);
        assertThat(db.strings("select invalid_reason from phone where raw_value = 'N/A'")).containsExactly("NOT_A_NUMBER");
    }

    @Test
    void aFailingPageWritesNothingAndKeepsTheWatermark() throws Exception {
        Instant t = Instant.parse("2026-11-05T00:00:00Z");
        store.storePage(List.of(worker("F1w", "1", "Fay", "+231770000101")), "test:D", t);
        String before = db.rowVersions();
        HealthWorkerRecord broken = new HealthWorkerRecord("ihris", "F2w", "1", Instant.now(), "Bad", "Bad", null, null, true,
                false, null, null, null, null, null, null, null,
                List.of(new HealthWorkerRecord.Phone("x", null, null, 0, null, false)));   // violates the phone check
        assertThatThrownBy(() -> store.storePage(List.of(worker("F3w", "1", "Gil", "+231770000102"), broken), "test:D", t.plusSeconds(10))).isInstanceOf(java.sql.SQLException.class);
        assertThat(db.rowVersions()).isEqualTo(before);
        assertThat(store.watermark("test:D")).isEqualTo(t);
        assertThat(db.count("select count(*) from source_link where source_id = 'F3w'")).isZero();
    }

    @Test
    void mergesTheSamePersonFromTwoRegistriesByNationalIdWithProvenanceAndReason() throws Exception {
        store.storePage(List.of(from("ihris", "M1", "1", "Comfort Kollie", "NID-42", "+231770000301")), "test:E", Instant.now());
        store.storePage(List.of(from("dhis2", "uidM1", "1", "Kollie Comfort", "NID-42", "+231880000301")), "test:F", Instant.now());
        assertThat(db.count("select count(distinct health_worker_id) from source_link where source_id in ('M1', 'uidM1')")).isEqualTo(1);
        assertThat(db.strings("select rule from merge_decision d join source_link s on s.id = d.source_link_id where s.source_id = 'uidM1'"))
                .containsExactly("national_id");
        assertThat(db.strings("select (provenance->>'cadre') || ',' || (provenance->>'displayName') from health_worker h "
                + "join source_link s on s.health_worker_id = h.id where s.source_id = 'M1'")).containsExactly("ihris,ihris");
        assertThat(db.strings("select p.registry || ' ' || p.e164 from phone p join source_link s on s.health_worker_id = p.health_worker_id "
                + "where s.source_id = 'M1' order by 1")).as("phones of both registries")
                .containsExactly("dhis2 +231880000301", "ihris +231770000301");
    }

    @Test
    void mergesByPhoneWhenNamesAreAlikeButKeepsAPhoneSharedByDifferentPeopleApart() throws Exception {
        store.storePage(List.of(from("ihris", "Q1", "1", "Musu Flomo", null, "+231770000401"),
                from("ihris", "Q2", "1", "Joseph Tarr", null, "+231770000402")), "test:G", Instant.now());
        store.storePage(List.of(from("dhis2", "uQ1", "1", "Musu  FLOMO", null, "+231770000401"),
                from("dhis2", "uQ2", "1", "Patience Kpoto", null, "+231770000402")), "test:H", Instant.now());
        assertThat(db.count("select count(distinct health_worker_id) from source_link where source_id in ('Q1', 'uQ1')")).isEqualTo(1);
        assertThat(db.strings("select rule from merge_decision d join source_link s on s.id = d.source_link_id where s.source_id = 'uQ1'"))
                .containsExactly("phone_and_name");
        assertThat(db.count("select count(distinct health_worker_id) from source_link where source_id in ('Q2', 'uQ2')"))
                .as("same number, another person: never moved onto the first worker").isEqualTo(2);
        assertThat(db.count("select count(*) from phone where e164 = '+231770000402' and shared")).isEqualTo(2);
    }

    @Test
    void neverMergesTwoRecordsOfTheSameRegistry() throws Exception {
        store.storePage(List.of(from("ihris", "R1", "1", "Ann Doe", "NID-77", "+231770000501")), "test:I", Instant.now());
        store.storePage(List.of(from("ihris", "R2", "1", "Ann Doe", "NID-77", "+231770000501")), "test:I", Instant.now());
        assertThat(db.count("select count(distinct health_worker_id) from source_link where source_id in ('R1', 'R2')")).isEqualTo(2);
    }

    static HealthWorkerRecord ids(String registry, String id, String name, String nationalId, String employeeNumber) {
        return new HealthWorkerRecord(registry, id, "1", Instant.parse("2026-11-01T00:00:00Z"), name, name, null, null, true,
                false, null, null, null, null, nationalId, employeeNumber, null, List.of());
    }

    @Test
    void conflictingIdentifiersAskForReviewInsteadOfMerging() throws Exception {
        store.storePage(List.of(ids("ihris", "C1", "Ama One", "NID-91", null), ids("ihris", "C2", "Ama Two", null, "EMP-92")),
                "test:J", Instant.now());
        store.storePage(List.of(ids("dhis2", "uC", "Ama", "NID-91", "EMP-92")), "test:K", Instant.now());
        assertThat(db.count("select count(distinct health_worker_id) from source_link where source_id in ('C1', 'C2', 'uC')"))
                .as("a third, separate worker").isEqualTo(3);
        assertThat(db.strings("select h.review_reason from health_worker h join source_link s on s.health_worker_id = h.id where s.source_id = 'uC'"))
                .singleElement().asString().contains("different health workers");
    }

    @Test
    void mergesByEmployeeNumberWhenThereIsNoNationalId() throws Exception {
        store.storePage(List.of(ids("ihris", "E1", "Kebeh Sumo", null, "EMP-501")), "test:N", Instant.now());
        store.storePage(List.of(ids("csv", "row-9", "K. Sumo", null, "emp-501")), "test:O", Instant.now());
        assertThat(db.count("select count(distinct health_worker_id) from source_link where source_id in ('E1', 'row-9')")).isEqualTo(1);
        assertThat(db.strings("select rule from merge_decision d join source_link s on s.id = d.source_link_id where s.source_id = 'row-9'"))
                .containsExactly("employee_number");
    }

    @Test
    void aReSyncOfMergedRecordsWritesNothing() throws Exception {
        List<HealthWorkerRecord> a = List.of(from("ihris", "Z1", "1", "Zoe Kerkula", "NID-55", "+231770000701"));
        List<HealthWorkerRecord> b = List.of(from("dhis2", "uZ1", "1", "Zoe Kerkula", "NID-55", "+231770000701"));
        store.storePage(a, "test:L", Instant.parse("2026-01-01T00:00:00Z"));
        store.storePage(b, "test:M", Instant.parse("2026-01-01T00:00:00Z"));
        String before = db.rowVersions();
        store.storePage(a, "test:L", Instant.parse("2026-01-01T00:00:00Z"));
        store.storePage(b, "test:M", Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(db.rowVersions()).isEqualTo(before);
    }

    @Test
    void aMergeDecisionMustNameItsLinksWorkerAndGoesWithTheWorker() throws Exception {
        store.storePage(List.of(worker("V1", "1", "Vera One", "+231770000801"), worker("V2", "1", "Vic Two", "+231770000802")),
                "test:V", Instant.now());
        long link1 = db.count("select id from source_link where registry = 'ihris' and source_id = 'V1'");
        long worker1 = db.count("select health_worker_id from source_link where id = " + link1);
        long worker2 = db.count("select health_worker_id from source_link where registry = 'ihris' and source_id = 'V2'");
        assertThat(db.count("select count(*) from merge_decision where source_link_id = " + link1)).as("before: the link's decision").isEqualTo(1);
        assertThat(db.count("select count(*) from phone where health_worker_id = " + worker1)).as("before: its phone").isEqualTo(1);
        try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("insert into merge_decision (health_worker_id, source_link_id, rule) values ("
                    + worker2 + ", " + link1 + ", 'national_id')"))
                    .as("a decision whose worker is not its link's worker").hasMessageContaining("merge_decision_source_link_worker_fkey");
            st.execute("delete from health_worker where id = " + worker1);
        }
        assertThat(db.count("select count(*) from source_link where id = " + link1)).isZero();
        assertThat(db.count("select count(*) from merge_decision where source_link_id = " + link1)).as("through the link").isZero();
        assertThat(db.count("select count(*) from phone where health_worker_id = " + worker1)).isZero();
        assertThat(db.count("select count(*) from merge_decision where health_worker_id = " + worker2)).isEqualTo(1);
    }
}
