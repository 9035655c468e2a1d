package org.mhero.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Watermarks of the walks that poll a peer ({@code sync_watermark}: RapidPro runs and messages for inbound
 * reconciliation and the reports). A watermark only moves forward.
 */
public final class Watermarks {
    private Watermarks() {}

    /** The watermark of {@code source}, or null before the first walk. */
    public static Instant read(DataSource ds, String source) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("select watermark from sync_watermark where source = ?")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getTimestamp(1).toInstant() : null;
            }
        }
    }

    /** Moves the watermark of {@code source} to {@code value}, unless it is already later. */
    public static void advance(DataSource ds, String source, Instant value) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into sync_watermark (source, watermark) values (?, ?)
                on conflict (source) do update set watermark = greatest(sync_watermark.watermark, excluded.watermark), updated_at = now()""")) {
            ps.setString(1, source);
            ps.setTimestamp(2, Timestamp.from(value));
            ps.executeUpdate();
        }
    }
}
