package org.mhero.bench;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time PostgreSQL spent serving one database: the user + system time of the server processes connected to it
 * ({@code pg_stat_activity}, then {@code /proc/<pid>/stat}), counted from construction. Processes that end in between
 * are lost, so use it with a pool whose connections live through the measurement. Linux only; 0 elsewhere.
 */
final class PgCpu {
    private final DataSource ds;
    private final String database;
    private final Map<Integer, Long> start;

    PgCpu(DataSource ds, String database) throws Exception {
        this.ds = ds;
        this.database = database;
        this.start = ticks();
    }

    /** CPU seconds since construction. */
    double seconds() throws Exception {
        long t = 0;
        for (Map.Entry<Integer, Long> e : ticks().entrySet()) t += e.getValue() - start.getOrDefault(e.getKey(), 0L);
        return t / 100.0;   // USER_HZ
    }

    private Map<Integer, Long> ticks() throws Exception {
        Map<Integer, Long> out = new HashMap<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("select pid from pg_stat_activity where datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int pid = rs.getInt(1);
                    try {
                        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        out.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));   // utime, stime (fields 14, 15)
                    } catch (Exception ignored) {
                        // not readable here
                    }
                }
            }
        }
        return out;
    }
}
