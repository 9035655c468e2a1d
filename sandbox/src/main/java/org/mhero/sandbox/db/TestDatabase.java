package org.mhero.sandbox.db;

import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A throwaway database on the real local PostgreSQL (started by scripts/postgres.sh, or .ci/run): created with a
 * unique name, dropped on close. Connection settings come from the mhero.test.pg.* system properties set by the POM.
 */
public final class TestDatabase implements AutoCloseable {
    private final String adminUrl = System.getProperty("mhero.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/postgres");
    private final String user = System.getProperty("mhero.test.pg.user", "mhero");
    private final String password = System.getProperty("mhero.test.pg.password", "mhero");
    /** Test databases are named {@code mhero_test_<creation second, base 36>_<random>}, so that their age shows. */
    static final String PREFIX = "mhero_test_";
    /** A test database this old was left behind by a run that never closed it (killed, or a bench's {@code --keep-db}). */
    static final long ABANDONED_AFTER_SECONDS = 24 * 3600;
    private final String name = PREFIX + Long.toString(System.currentTimeMillis() / 1000, 36) + "_"
            + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final PGSimpleDataSource ds = new PGSimpleDataSource();

    public TestDatabase() {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            dropAbandoned(s);
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("No PostgreSQL for tests at " + adminUrl + " as " + user
                    + ": run `bash scripts/postgres.sh` first (" + e.getMessage() + ")", e);
        }
        ds.setUrl(adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + name);
        ds.setUser(user);
        ds.setPassword(password);
    }

    /**
     * Drops the test databases created more than {@link #ABANDONED_AFTER_SECONDS} ago, by their name. Without force: a
     * database someone is connected to stays. Databases named the old way (no creation time) are left alone, since
     * nothing says whether a run still uses them.
     */
    static void dropAbandoned(Statement s) {
        long now = System.currentTimeMillis() / 1000;
        List<String> old = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("select datname from pg_database where datname like 'mhero\\_test\\_%'")) {
            while (rs.next()) {
                Long created = createdAt(rs.getString(1));
                if (created != null && now - created > ABANDONED_AFTER_SECONDS) old.add(rs.getString(1));
            }
        } catch (SQLException e) {
            return;   // not allowed to list: nothing to sweep
        }
        for (String db : old) {
            try {
                s.execute("drop database if exists " + db);
            } catch (SQLException e) {
                // in use, or not ours to drop: left as it is
            }
        }
    }

    /** The creation second encoded in a test database's name, or null for a name of another shape. */
    static Long createdAt(String name) {
        if (!name.startsWith(PREFIX)) return null;
        String[] parts = name.substring(PREFIX.length()).split("_");
        if (parts.length != 2 || !parts[0].matches("[0-9a-z]{1,12}") || !parts[1].matches("[0-9a-f]{8}")) return null;
        try {
            return Long.parseLong(parts[0], 36);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public DataSource dataSource() { return ds; }
    public String jdbcUrl() { return ds.getUrl(); }
    public String name() { return name; }
    public String user() { return user; }
    public String password() { return password; }

    public long count(String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public List<String> strings(String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) out.add(rs.getString(1));
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /**
     * A fingerprint of every row version of the registry tables: a transaction that writes a row (even with the same
     * values) gives it a new xmin, so an unchanged fingerprint proves nothing was written.
     */
    public String rowVersions() {
        return String.join(";", strings("""
                select string_agg(t || ':' || x, ',' order by t, x) from (
                  select 'hw' t, xmin::text x from health_worker union all
                  select 'sl', xmin::text from source_link union all
                  select 'ph', xmin::text from phone union all
                  select 'lo', xmin::text from location union all
                  select 'wm', xmin::text from sync_watermark union all
                  select 'md', xmin::text from merge_decision union all
                  select 'tr', xmin::text from training union all
                  select 'cg', xmin::text from contact_group union all
                  select 'gm', xmin::text from contact_group_member) v"""));
    }

    /**
     * Drops the database. Sessions still open (a context stopping after the test class) are terminated; when that is
     * not allowed or the drop races them, it is retried for a few seconds, then left behind with a warning: a test
     * database left over is harmless, a cleanup that fails a green test is not.
     */
    @Override
    public void close() {
        SQLException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
                s.execute("drop database if exists " + name + (attempt < 10 ? " with (force)" : ""));
                return;
            } catch (SQLException e) {
                last = e;
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        System.err.println("[TestDatabase] could not drop " + name + ": " + (last == null ? "interrupted" : last.getMessage()));
    }
}
