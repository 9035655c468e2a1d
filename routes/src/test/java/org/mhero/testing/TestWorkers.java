package org.mhero.testing;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Health workers written straight into the database for route tests: a nurse with one primary phone (E.164). */
public final class TestWorkers {
    private TestWorkers() {}

    /** Inserts the worker (at {@code facility}, a location id, when not null) and returns its id. */
    public static long insert(DataSource ds, String name, String phone, Long facility) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement hw = c.prepareStatement("insert into health_worker (display_name, cadre, facility_id) values (?, 'nurse', ?) returning id");
             PreparedStatement ph = c.prepareStatement(
                     "insert into phone (health_worker_id, registry, raw_value, e164, is_primary) values (?, 'csv', ?, ?, true)")) {
            hw.setString(1, name);
            if (facility == null) hw.setNull(2, java.sql.Types.BIGINT); else hw.setLong(2, facility);
            long id;
            try (ResultSet rs = hw.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            ph.setLong(1, id);
            ph.setString(2, phone);
            ph.setString(3, phone);
            ph.executeUpdate();
            return id;
        }
    }
}
