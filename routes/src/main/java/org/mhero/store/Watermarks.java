package org.mhero.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Watermarks of the walks that poll a peer ({@code sync_watermark}): the registry syncs, RapidPro runs and messages for
 * inbound reconciliation and the reports. A watermark only moves forward; a value that is not later writes nothing.
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

    /** Moves the watermark of {@code source} to {@code value}, unless it is already there or later. */
    public static void advance(DataSource ds, String source, Instant value) throws SQLException {
        try (Connection c = ds.getConnection()) {
            advance(c, source, value);
        }
    }

    /** The same in the caller's transaction (a sync commits the watermark with the data it covers). */
    public static void advance(Connection c, String source, Instant value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into sync_watermark (source, watermark) values (?, ?)
                on conflict (source) do update set watermark = excluded.watermark, updated_at = now()
                where sync_watermark.watermark < excluded.watermark""")) {
            ps.setString(1, source);
            ps.setTimestamp(2, Timestamp.from(value));
            ps.executeUpdate();
        }
    }
}
