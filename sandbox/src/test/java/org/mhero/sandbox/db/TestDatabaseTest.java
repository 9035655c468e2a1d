package org.mhero.sandbox.db;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TestDatabaseTest {
    static final String URL = System.getProperty("mhero.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/postgres");
    static final String USER = System.getProperty("mhero.test.pg.user", "mhero");
    static final String PASSWORD = System.getProperty("mhero.test.pg.password", "mhero");

    static String named(long secondsAgo, String suffix) {
        return TestDatabase.PREFIX + Long.toString(System.currentTimeMillis() / 1000 - secondsAgo, 36) + "_" + suffix;
    }

    static String hex(int n) {
        return java.util.UUID.randomUUID().toString().replace("-", "").substring(0, n);
    }

    static List<String> databases() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select datname from pg_database")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    @Test
    void readsTheCreationTimeFromTheNameAndNothingFromOtherNames() {
        String fresh = named(0, "0123abcd");
        assertThat(TestDatabase.createdAt(fresh)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
        assertThat(TestDatabase.createdAt("mhero_test_1a2b3c4d5e6f")).as("the old shape").isNull();
        assertThat(TestDatabase.createdAt("mhero_demo")).isNull();
        assertThat(TestDatabase.createdAt("mhero_test_zz_0123abcd_x")).isNull();
        try (TestDatabase db = new TestDatabase()) {
            assertThat(TestDatabase.createdAt(db.name())).isNotNull();
        }
    }

    @Test
    void aNewTestDatabaseSweepsOnlyTheAbandonedOnes() throws Exception {
        // random suffixes: another run on the same PostgreSQL must not meet these names
        String abandoned = named(TestDatabase.ABANDONED_AFTER_SECONDS + 600, hex(8));
        String recent = named(3600, hex(8));
        String oldShape = "mhero_test_" + hex(12);
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
            for (String d : List.of(abandoned, recent, oldShape)) s.execute("create database " + d);
        }
        try {
            try (TestDatabase db = new TestDatabase()) {
                assertThat(databases()).contains(db.name());
            }
            assertThat(databases()).as("created a day and ten minutes ago").doesNotContain(abandoned)
                    .as("an hour old, perhaps a run still going").contains(recent)
                    .as("no creation time in its name").contains(oldShape);
        } finally {
            try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
                for (String d : List.of(abandoned, recent, oldShape)) s.execute("drop database if exists " + d);
            }
        }
    }
}
