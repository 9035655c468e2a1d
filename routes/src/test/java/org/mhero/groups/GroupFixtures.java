package org.mhero.groups;

import org.flywaydb.core.Flyway;
import org.mhero.sandbox.db.TestDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Hand-made data for the SQL tests: Liberia as two registries see it, and five workers.
 *
 * <pre>
 * ihris   LR Liberia ─ R-BONG Bong ─ D-GB Gbarnga ─ F-PH "Phebe Hospital"
 *                    └ R-LOFA Lofa ─ D-VO Voinjama ─ F-VO "Voinjama Health Center"
 * dhis2   LR Liberia ─ R-BONG BONG ─ D-GB Salala  ─ F-SAL "Salala Clinic"      (same source ids, other names:
 *                                                                               joins must stay in one registry)
 *
 * ann  nurse,   Phebe (ihris), active, primary usable phone, training imnci          source ihris
 * ben  doctor,  Voinjama (ihris), job 2221-1D, only an unusable phone                  sources ihris + dhis2
 * cia  midwife, Salala Clinic (dhis2), opted out, usable phone that is not primary     source dhis2
 * dan  no cadre, Phebe (ihris), job 1342-1A Health Services Manager, inactive, no phone source csv
 * eve  nurse, no facility, primary usable phone, training ebola-ipc                    source rapidpro
 * </pre>
 */
final class GroupFixtures {
    private GroupFixtures() {}

    static TestDatabase migratedDatabase() {
        TestDatabase db = new TestDatabase();
        Flyway.configure().dataSource(db.dataSource()).load().migrate();
        return db;
    }

    static void load(TestDatabase db) throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            location(c, "ihris", "LR", "Liberia", "country", null, "/LR", "LR", null, null);
            location(c, "ihris", "R-BONG", "Bong", "region", "LR", "/LR/R-BONG", "LR", "R-BONG", null);
            location(c, "ihris", "R-LOFA", "Lofa", "region", "LR", "/LR/R-LOFA", "LR", "R-LOFA", null);
            location(c, "ihris", "D-GB", "Gbarnga", "district", "R-BONG", "/LR/R-BONG/D-GB", "LR", "R-BONG", "D-GB");
            location(c, "ihris", "D-VO", "Voinjama", "district", "R-LOFA", "/LR/R-LOFA/D-VO", "LR", "R-LOFA", "D-VO");
            location(c, "ihris", "F-PH", "Phebe Hospital", "facility", "D-GB", "/LR/R-BONG/D-GB/F-PH", "LR", "R-BONG", "D-GB");
            location(c, "ihris", "F-VO", "Voinjama Health Center", "facility", "D-VO", "/LR/R-LOFA/D-VO/F-VO", "LR", "R-LOFA", "D-VO");
            location(c, "dhis2", "LR", "Liberia", "country", null, "/LR", "LR", null, null);
            location(c, "dhis2", "R-BONG", "BONG", "region", "LR", "/LR/R-BONG", "LR", "R-BONG", null);
            location(c, "dhis2", "D-GB", "Salala", "district", "R-BONG", "/LR/R-BONG/D-GB", "LR", "R-BONG", "D-GB");
            location(c, "dhis2", "F-SAL", "Salala Clinic", "facility", "D-GB", "/LR/R-BONG/D-GB/F-SAL", "LR", "R-BONG", "D-GB");

            long ann = worker(c, "Ann Kollie", "nurse", "2230-1B", "Nurse", true, false, "ihris", "F-PH");
            long ben = worker(c, "Ben Flomo", "doctor", "2221-1D", "Medical Doctor", true, false, "ihris", "F-VO");
            long cia = worker(c, "Cia Kpoto", "midwife", "2222-1A", "Midwife", true, true, "dhis2", "F-SAL");
            long dan = worker(c, "Dan Weah", null, "1342-1A", "Health Services Manager", false, false, "ihris", "F-PH");
            long eve = worker(c, "Eve Doe", "nurse", "2230-1B", "Nurse", true, false, null, null);

            link(c, ann, "ihris", "P1");
            link(c, ben, "ihris", "P2");
            link(c, ben, "dhis2", "u2");
            link(c, cia, "dhis2", "u3");
            link(c, dan, "csv", "row-4");
            link(c, eve, "rapidpro", "c5");

            phone(c, ann, "+231770000001", true);
            phone(c, ben, null, true);
            phone(c, cia, "+231770000003", false);
            phone(c, eve, "+231770000005", true);

            training(c, ann, "T1", "imnci", "Integrated Management of Childhood Illness");
            training(c, eve, "T5", "ebola-ipc", "Infection Prevention and Control (Ebola)");
        }
    }

    static void location(Connection c, String registry, String id, String name, String level, String parent, String path,
                         String country, String region, String district) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into location (registry, source_id, name, level, parent_source_id, path, country_source_id,
                  region_source_id, district_source_id, content_hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'h')""")) {
            ps.setString(1, registry);
            ps.setString(2, id);
            ps.setString(3, name);
            ps.setString(4, level);
            ps.setString(5, parent);
            ps.setString(6, path);
            ps.setString(7, country);
            ps.setString(8, region);
            ps.setString(9, district);
            ps.executeUpdate();
        }
    }

    static long worker(Connection c, String name, String cadre, String jobCode, String jobTitle, boolean active,
                       boolean optedOut, String facilityRegistry, String facility) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into health_worker (display_name, cadre, job_code, job_title, active, opted_out, facility_id)
                values (?, ?, ?, ?, ?, ?, (select id from location where registry = ? and source_id = ?)) returning id""")) {
            ps.setString(1, name);
            ps.setString(2, cadre);
            ps.setString(3, jobCode);
            ps.setString(4, jobTitle);
            ps.setBoolean(5, active);
            ps.setBoolean(6, optedOut);
            ps.setString(7, facilityRegistry);
            ps.setString(8, facility);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static void link(Connection c, long worker, String registry, String sourceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into source_link (health_worker_id, registry, source_id, content_hash) values (?, ?, ?, 'h')")) {
            ps.setLong(1, worker);
            ps.setString(2, registry);
            ps.setString(3, sourceId);
            ps.executeUpdate();
        }
    }

    static void phone(Connection c, long worker, String e164, boolean primary) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into phone (health_worker_id, registry, raw_value, e164, invalid_reason, is_primary)
                values (?, 'ihris', ?, ?, ?, ?)""")) {
            ps.setLong(1, worker);
            ps.setString(2, e164 == null ? "12" : e164);
            ps.setString(3, e164);
            ps.setString(4, e164 == null ? "TOO_SHORT" : null);
            ps.setBoolean(5, primary);
            ps.executeUpdate();
        }
    }

    static void training(Connection c, long worker, String id, String code, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into training (health_worker_id, registry, source_id, code, name) values (?, 'ihris', ?, ?, ?)")) {
            ps.setLong(1, worker);
            ps.setString(2, id);
            ps.setString(3, code);
            ps.setString(4, name);
            ps.executeUpdate();
        }
    }

    static void execute(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
