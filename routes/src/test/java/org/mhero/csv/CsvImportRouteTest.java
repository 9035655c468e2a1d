package org.mhero.csv;

import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.mhero.boot.TestFlows;
import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.merge.Matcher;
import org.mhero.merge.Merger;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.store.SyncStore;
import org.mhero.testing.ShippedConfig;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * csv-import with the shipped etc/ defaults and a real PostgreSQL: files are dropped into a temporary import directory
 * and picked up by the file consumer, as in production. The shipped sample, a copy of it (skipped), the same rows in
 * another file (nothing written), a header without the id column and a file in another charset (.failed, nothing
 * written), a database error in the middle of a file (committed chunks stay, the retry completes it), a merge with an
 * iHRIS worker by national id, and 10,000 generated rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CsvImportRouteTest extends CamelTestSupport {
    static final Path SAMPLE = Path.of(System.getProperty("mhero.etc.dir", "../etc"), "samples", "health-workers.csv");
    static final String HEADER = "Employee Code,First Name,Last Name,Full Name,Phone,National ID,Gender,Active,Cadre,Job Title,Facility,District,County,Country";
    static TestDatabase db;
    static Path dir;
    TestFlows.Built built;

    @BeforeAll
    static void peers() throws IOException {
        db = new TestDatabase();
        dir = Files.createTempDirectory("mhero-csv-");
    }

    @AfterAll
    static void stopPeers() throws IOException {
        if (db != null) db.close();
        if (dir != null) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** Every shipped file, idle; the CSV flow watching the temporary directory. */
    static Map<String, Map<String, String>> config() {
        return ShippedConfig.idle()
                .pid(CsvSettings.PID, Map.of("import.enabled", "true", "import.directory", dir.toString(), "import.poll.ms", "100"))
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "10", "redelivery.max", "2"))
                .asMap();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        built = TestFlows.build(db.dataSource(), config(), new CsvFlow());
        return built.camel();
    }

    // ------------------------------------------------------------------ helpers

    /** Drops a file the way an operator's copy does (written elsewhere, then moved in) and waits for its import. */
    static Map<String, String> drop(String name, byte[] content) throws Exception {
        long before = db.count("select count(*) from csv_import");
        Path tmp = Files.createTempFile("mhero-csv-drop-", ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, dir.resolve(name));
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (!Files.exists(dir.resolve(name))
                    && db.count("select count(*) from csv_import where status <> 'running'") > before) {
                return lastImport();
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " was not imported within a minute");
    }

    static Map<String, String> drop(String name, String content) throws Exception {
        return drop(name, content.getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, String> lastImport() {
        String row = db.strings("""
                select concat_ws('|', id, file_name, status, rows, created, updated, unchanged, rejected, coalesce(error, ''),
                  coalesce(sync_run_id::text, ''))
                from csv_import order by id desc limit 1""").get(0);
        String[] v = row.split("\\|", 10);
        Map<String, String> m = new HashMap<>();
        String[] keys = {"id", "file", "status", "rows", "created", "updated", "unchanged", "rejected", "error", "run"};
        for (int i = 0; i < keys.length; i++) m.put(keys[i], v[i]);
        return m;
    }

    static List<String> filesIn(String sub) throws IOException {
        Path d = dir.resolve(sub);
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String generated(int n, String prefix) {
        StringBuilder sb = new StringBuilder(HEADER).append("\r\n");
        String[] counties = {"Montserrado", "Bong", "Lofa", "Nimba", "Margibi"};
        for (int i = 1; i <= n; i++) {
            String county = counties[i % counties.length];
            sb.append(String.format("%s-%05d,Given%d,\"Family, %d\",,077%07d,,%s,yes,Nurse,Registered Nurse,Clinic %d,District %d,%s,Liberia\r\n",
                    prefix, i, i, i, i, i % 2 == 0 ? "F" : "M", i % 40, i % 8, county));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void loadsTheShippedConfigurationAndBothRoutes() {
        assertThat(built.problems()).isEmpty();
        assertThat(built.flows()).contains("csv-import");
        assertThat(context.getRoutes()).extracting(r -> r.getRouteId()).contains("csv-import.poll", "csv-import.run");
    }

    @Test
    @Order(2)
    void theSampleFileLandsInPostgresWithItsRejectionsAndMovesToDone() throws Exception {
        Files.writeString(dir.resolve("readme.txt"), "not a spreadsheet");
        Map<String, String> r = drop("health-workers.csv", Files.readAllBytes(SAMPLE));
        assertThat(r).containsEntry("status", "ok").containsEntry("rows", "20").containsEntry("created", "18")
                .containsEntry("rejected", "2").containsEntry("unchanged", "0").containsEntry("error", "");
        assertThat(db.strings("select line || ': ' || reason from csv_rejection where import_id = " + r.get("id") + " order by line"))
                .containsExactly("7: no id (column 'Employee Code' is blank)",
                        "10: no name ('First Name', 'Last Name', 'Full Name' blank)");
        assertThat(db.strings("select status || ' ' || pages || ' ' || seen || ' ' || created || ' ' || unreachable from sync_run where id = " + r.get("run")))
                .containsExactly("ok 1 18 18 2");

        assertThat(db.count("select count(*) from source_link where registry = 'csv'")).isEqualTo(18);
        assertThat(db.count("select count(*) from health_worker")).isEqualTo(18);
        assertThat(db.strings("select level || '=' || count(*) from location where registry = 'csv' group by level order by level"))
                .containsExactly("country=1", "district=6", "facility=7", "region=6");
        assertThat(db.strings("""
                select concat_ws('|', h.display_name, h.cadre, h.gender, h.active, l.source_id, a.name,
                  (select string_agg(p.e164, ',' order by p.rank) from phone p where p.health_worker_id = h.id))
                from source_link s join health_worker h on h.id = s.health_worker_id
                left join location l on l.id = h.facility_id
                left join location a on a.registry = l.registry and a.source_id = l.region_source_id
                where s.source_id in ('LR-MOH-0003', 'LR-MOH-0011', 'LR-MOH-0012', 'LR-MOH-0020', 'LR-MOH-0005')
                order by s.source_id""")).containsExactly(
                "Fatu Kamara|Midwife|female|t|liberia/bong/suakoko/phebe-hospital|Bong|+231777234567,+231881234567",
                "Comfort Sirleaf|Nurse|female|f|liberia/montserrado/greater-monrovia/redemption-hospital|Montserrado|+231886001122",
                "Esther Tarpeh|Midwife|female|t|liberia/margibi/kakata/c-h-rennie-hospital|Margibi|+231881002003",
                "Moses Zinnah, Jr.|Doctor|male|t|liberia/grand-bassa/buchanan/liberian-government-hospital|Grand Bassa|+231777123987",
                "Korto Johnson|Midwife|female|t|liberia/grand-bassa/buchanan|Grand Bassa|+231884567890");
        assertThat(db.strings("select raw_value || ' ' || invalid_reason from phone where e164 is null")).containsExactly("07701 TOO_SHORT");

        assertThat(filesIn("")).doesNotContain("health-workers.csv").contains("readme.txt");
        assertThat(filesIn(".done")).singleElement().asString().matches("\\d{8}-\\d{6}-health-workers\\.csv");
        assertThat(filesIn(".failed")).isEmpty();
    }

    @Test
    @Order(3)
    void aCopyOfAnImportedFileIsSkippedAndWritesNothing() throws Exception {
        String before = db.rowVersions();
        long runs = db.count("select count(*) from sync_run");
        Map<String, String> r = drop("copy-of-health-workers.csv", Files.readAllBytes(SAMPLE));
        assertThat(r).containsEntry("status", "skipped").containsEntry("run", "");
        assertThat(db.rowVersions()).isEqualTo(before);
        assertThat(db.count("select count(*) from sync_run")).isEqualTo(runs);
        assertThat(filesIn(".done")).hasSize(2);
    }

    @Test
    @Order(4)
    void theSameRowsInAnotherFileWriteNothing() throws Exception {
        String before = db.rowVersions();
        String crlf = Files.readString(SAMPLE).replace("\n", "\r\n");
        Map<String, String> r = drop("health-workers-saved-on-windows.csv", crlf);
        assertThat(r).containsEntry("status", "ok").containsEntry("rows", "20").containsEntry("created", "0")
                .containsEntry("updated", "0").containsEntry("unchanged", "18").containsEntry("rejected", "2");
        assertThat(db.rowVersions()).isEqualTo(before);
    }

    @Test
    @Order(5)
    void aFileWithoutTheIdColumnGoesToFailedAndWritesNothing() throws Exception {
        String before = db.rowVersions();
        Map<String, String> r = drop("no-id.csv", Files.readString(SAMPLE).replace("Employee Code,", "Code,"));
        assertThat(r).containsEntry("status", "failed").containsEntry("rows", "0");
        assertThat(r.get("error")).contains("no id column 'Employee Code'", "column.id of org.mhero.csv");
        assertThat(db.strings("select status || ' ' || error from sync_run where id = " + r.get("run")))
                .singleElement().asString().startsWith("failed the header has no id column");
        assertThat(db.rowVersions()).isEqualTo(before);
        assertThat(filesIn(".failed")).containsExactly("no-id.csv");
    }

    @Test
    @Order(6)
    void aFileInAnotherCharsetGoesToFailedBeforeAnythingIsWritten() throws Exception {
        String before = db.rowVersions();
        String text = HEADER + "\nLR-W-1,Ren\u00e9e,Flomo,,0770123456,,F,yes,Nurse,,Phebe Hospital,Suakoko,Bong,Liberia\n"
                + "LR-W-2,Jos\u00e9,Toe,,0770123457,,M,yes,Nurse,,Phebe Hospital,Suakoko,Bong,Liberia\n";
        Map<String, String> r = drop("windows.csv", text.getBytes(Charset.forName("windows-1252")));
        assertThat(r).containsEntry("status", "failed");
        assertThat(r.get("error")).isEqualTo("line 2 is not valid UTF-8 (set charset in org.mhero.csv, e.g. windows-1252, or save the file as CSV UTF-8)");
        assertThat(db.rowVersions()).isEqualTo(before);
        assertThat(filesIn(".failed")).contains("windows.csv");
    }

    @Test
    @Order(7)
    void aDatabaseErrorMidFileKeepsTheCommittedChunksAndTheRetryCompletesIt() throws Exception {
        String file = generated(1200, "DBF");
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    create function fail_dbf_00700() returns trigger language plpgsql as $$
                    begin raise exception 'simulated database failure'; end $$""");
            s.execute("create trigger fail_dbf_00700 before insert on source_link for each row "
                    + "when (new.source_id = 'DBF-00700') execute function fail_dbf_00700()");
        }
        Map<String, String> failed;
        try {
            failed = drop("big.csv", file);
        } finally {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("drop trigger fail_dbf_00700 on source_link");
                s.execute("drop function fail_dbf_00700()");
            }
        }
        assertThat(failed).containsEntry("status", "failed").containsEntry("created", "500").containsEntry("rows", "500");
        assertThat(failed.get("error")).as("the database's reason, never the statement's values")
                .isEqualTo("database error (SQLState P0001): ERROR: simulated database failure");
        assertThat(db.count("select count(*) from source_link where source_id like 'DBF-%'")).as("the first chunk stays").isEqualTo(500);
        assertThat(filesIn(".failed")).contains("big.csv");

        // the operator fixes the database and moves the file back: only what is missing is written
        Path back = Files.createTempFile("mhero-csv-drop-", ".tmp");
        Files.move(dir.resolve(".failed/big.csv"), back, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> retried = drop("big.csv", Files.readAllBytes(back));
        Files.delete(back);
        assertThat(retried).containsEntry("status", "ok").containsEntry("rows", "1200").containsEntry("created", "700")
                .containsEntry("unchanged", "500");
        assertThat(db.count("select count(*) from source_link where source_id like 'DBF-%'")).isEqualTo(1200);
    }

    @Test
    @Order(8)
    void aCsvRowMergesIntoTheIhrisWorkerWithTheSameNationalId() throws Exception {
        SyncStore store = new SyncStore(db.dataSource(), new Matcher(0.85), new Merger(List.of("ihris", "dhis2", "csv", "rapidpro")));
        store.storePage(List.of(new HealthWorkerRecord("ihris", "ihris-pr-42", "1", null, "Jartu Kollie", "Kollie", "Jartu",
                "female", true, false, null, null, null, null, "NID-7777-0001", null, null,
                List.of(new HealthWorkerRecord.Phone("+231886555001", "+231886555001", null, 1, "mobile", true)))), "test", null);
        Map<String, String> r = drop("merge.csv", HEADER + "\nLR-CSV-42,Jartu,Kollie-Sumo,,0777555002,nid-7777-0001,F,yes,Midwife,"
                + "Certified Midwife,Phebe Hospital,Suakoko,Bong,Liberia\n");
        assertThat(r).containsEntry("status", "ok").containsEntry("created", "1");
        assertThat(db.strings("""
                select string_agg(s.registry || ':' || s.source_id, ',' order by s.registry)
                from source_link s join health_worker h on h.id = s.health_worker_id
                where h.national_id = 'NID-7777-0001' group by h.id""")).containsExactly("csv:LR-CSV-42,ihris:ihris-pr-42");
        assertThat(db.strings("select rule from merge_decision m join source_link s on s.id = m.source_link_id where s.source_id = 'LR-CSV-42'"))
                .containsExactly("national_id");
        assertThat(db.strings("""
                select h.display_name || '|' || h.cadre || '|' || (select count(*) from phone p where p.health_worker_id = h.id)
                from health_worker h where h.national_id = 'NID-7777-0001'""")).as("iHRIS names first; the CSV fills the cadre")
                .containsExactly("Jartu Kollie|Midwife|2");
    }

    @Test
    @Order(9)
    void tenThousandGeneratedRowsImportInChunks() throws Exception {
        long t0 = System.nanoTime();
        Map<String, String> r = drop("generated-10000.csv", generated(10_000, "GEN"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r).containsEntry("status", "ok").containsEntry("rows", "10000").containsEntry("created", "10000")
                .containsEntry("rejected", "0");
        assertThat(db.strings("select pages || ' ' || seen from sync_run where id = " + r.get("run"))).containsExactly("20 10000");
        assertThat(db.count("select count(*) from source_link where source_id like 'GEN-%'")).isEqualTo(10_000);
        System.out.println("csv-import of 10,000 rows took " + ms + " ms including the pick-up");
    }
}
