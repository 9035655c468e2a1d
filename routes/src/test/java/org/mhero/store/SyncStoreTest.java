package org.mhero.store;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.ihris.LocationHierarchy;
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
        store = new SyncStore(db.dataSource());
        facilities = store.storeLocations("ihris", List.of(
                new LocationHierarchy.Node("F1", "Clinic 1", "facility", "D1", "/LR/R1/D1/F1", "LR", "R1", "D1", "h1")));
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    static HealthWorkerRecord worker(String id, String version, String name, String... e164) {
        List<HealthWorkerRecord.Phone> phones = new java.util.ArrayList<>();
        for (int i = 0; i < e164.length; i++) phones.add(new HealthWorkerRecord.Phone(e164[i], e164[i], null, 0, "mobile", i == 0));
        return new HealthWorkerRecord("ihris", id, version, Instant.parse("2026-11-01T00:00:00Z"), name, name, null, "female", true,
                false, "F1", "2230-1B", "Nurse", "nurse", null, null, null, phones);
    }

    @Test
    void storesOnlyWhatChangedAndAdvancesTheWatermarkWithThePage() throws Exception {
        Instant t1 = Instant.parse("2026-11-01T00:00:00Z");
        var first = store.storePage(List.of(worker("S1", "1", "Ann", "+231770000001"), worker("S2", "1", "Bea", "+231770000002")),
                facilities, "test:A", t1);
        assertThat(first).isEqualTo(new SyncStore.PageResult(2, 0, 0, 0));
        assertThat(store.watermark("test:A")).isEqualTo(t1);
        assertThat(db.count("select count(*) from health_worker h join location l on l.id = h.facility_id where l.source_id = 'F1'"))
                .isGreaterThanOrEqualTo(2);

        String before = db.rowVersions();
        var again = store.storePage(List.of(worker("S1", "2", "Ann", "+231770000001"), worker("S2", "1", "Bea", "+231770000002")),
                facilities, "test:A", t1);
        assertThat(again).isEqualTo(new SyncStore.PageResult(0, 0, 2, 0));
        assertThat(db.rowVersions()).as("nothing written when nothing changed").isEqualTo(before);

        var changed = store.storePage(List.of(worker("S1", "3", "Ann B.", "+231770000009")), facilities, "test:A",
                t1.plusSeconds(60));
        assertThat(changed).isEqualTo(new SyncStore.PageResult(0, 1, 0, 0));
        assertThat(db.strings("select p.e164 from phone p join source_link s on s.health_worker_id = p.health_worker_id where s.source_id = 'S1'"))
                .containsExactly("+231770000009");
        assertThat(store.watermark("test:A")).isEqualTo(t1.plusSeconds(60));

        store.storePage(List.of(), facilities, "test:A", t1);
        assertThat(store.watermark("test:A")).as("the watermark only moves forward").isEqualTo(t1.plusSeconds(60));
    }

    @Test
    void flagsANumberSharedByTwoWorkersOnBothAndNeverMovesIt() throws Exception {
        store.storePage(List.of(worker("X1", "1", "Xena", "+231881111111"), worker("X2", "1", "Xavier", "+231881111111")),
                facilities, "test:B", Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(db.count("select count(*) from phone where e164 = '+231881111111' and shared")).isEqualTo(2);
        assertThat(db.count("select count(distinct health_worker_id) from phone where e164 = '+231881111111'")).isEqualTo(2);

        store.storePage(List.of(worker("X2", "2", "Xavier", "+231882222222")), facilities, "test:B",
                Instant.parse("2026-11-02T00:00:00Z"));
        assertThat(db.count("select count(*) from phone where e164 = '+231881111111' and shared")).as("no longer shared").isZero();
    }

    @Test
    void keepsUnusableNumbersWithTheirReason() throws Exception {
        HealthWorkerRecord r = new HealthWorkerRecord("ihris", "U1", "1", Instant.now(), "Una", "Una", null, null, true, false,
                null, null, null, null, null, null, null,
                List.of(new HealthWorkerRecord.Phone("N/A", null, "NOT_A_NUMBER", 0, null, false)));
        var res = store.storePage(List.of(r), facilities, "test:C", Instant.now());
        assertThat(res.unreachable()).isEqualTo(1);
        assertThat(db.strings("select invalid_reason from phone where raw_value = 'N/A'")).containsExactly("NOT_A_NUMBER");
    }

    @Test
    void aFailingPageWritesNothingAndKeepsTheWatermark() throws Exception {
        Instant t = Instant.parse("2026-11-05T00:00:00Z");
        store.storePage(List.of(worker("F1w", "1", "Fay", "+231770000101")), facilities, "test:D", t);
        String before = db.rowVersions();
        HealthWorkerRecord broken = new HealthWorkerRecord("ihris", "F2w", "1", Instant.now(), "Bad", "Bad", null, null, true,
                false, null, null, null, null, null, null, null,
                List.of(new HealthWorkerRecord.Phone("x", null, null, 0, null, false)));   // violates the phone check
        assertThatThrownBy(() -> store.storePage(List.of(worker("F3w", "1", "Gil", "+231770000102"), broken), facilities,
                "test:D", t.plusSeconds(10))).isInstanceOf(java.sql.SQLException.class);
        assertThat(db.rowVersions()).isEqualTo(before);
        assertThat(store.watermark("test:D")).isEqualTo(t);
        assertThat(db.count("select count(*) from source_link where source_id = 'F3w'")).isZero();
    }
}
