package org.mhero.inbound.stock;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;

/** The {@code stock_report} table (V10) and the sender's facility. One row per inbound message, settled once. */
public final class StockStore {
    /** A worker's facility as stored: its registry ({@code dhis2}, {@code ihris}, {@code csv}), id there and name. */
    public record Facility(String registry, String sourceId, String name) {}

    /** A report whose outcome is recorded: how the message was settled and what was answered. */
    public record Settled(String status, String handledStatus, String outcome, String reply) {}

    /** What one routing of a report came to (status 'sending': a post that failed technically, to be retried). */
    public record Row(long inboundId, Long healthWorkerId, String origin, String orgUnit, String period, String dataSet,
                      String itemsJson, String problemsJson, String status, Integer httpStatus, String importStatus,
                      String importCountJson, String conflictsJson, String handledStatus, String outcome, String reply) {}

    private final DataSource ds;

    public StockStore(DataSource ds) { this.ds = ds; }

    /** The recorded outcome of the message's report (if settled) and the worker's facility (if any), in one round trip. */
    public record Lookup(Optional<Settled> settled, Optional<Facility> facility) {}

    public Lookup lookup(long inboundId, long healthWorkerId) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select s.status, s.handled_status, s.outcome, s.reply, l.registry, l.source_id, l.name
                  from health_worker h
                  left join location l on l.id = h.facility_id
                  left join stock_report s on s.inbound_id = ? and s.status <> 'sending'
                 where h.id = ?""")) {
            ps.setLong(1, inboundId);
            ps.setLong(2, healthWorkerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return new Lookup(settled(inboundId), Optional.empty());
                Optional<Settled> settled = rs.getString(1) == null ? Optional.empty()
                        : Optional.of(new Settled(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                Optional<Facility> facility = rs.getString(5) == null ? Optional.empty()
                        : Optional.of(new Facility(rs.getString(5), rs.getString(6), rs.getString(7)));
                return new Lookup(settled, facility);
            }
        }
    }

    public Optional<Facility> facility(long healthWorkerId) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select l.registry, l.source_id, l.name from health_worker h join location l on l.id = h.facility_id where h.id = ?""")) {
            ps.setLong(1, healthWorkerId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Facility(rs.getString(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        }
    }

    /** The recorded outcome of this message's report, unless there is none yet or its post is still in doubt. */
    public Optional<Settled> settled(long inboundId) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select status, handled_status, outcome, reply from stock_report where inbound_id = ? and status <> 'sending'")) {
            ps.setLong(1, inboundId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Settled(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                        : Optional.empty();
            }
        }
    }

    /**
     * Writes the row of one routing's outcome: inserted the first time, overwritten while it is 'sending' (a post that
     * failed technically and is retried), never once settled. Every write after a post ({@code posted}) counts an attempt
     * and its time; {@code lastError} (no message content) is kept while the report is 'sending'. False when the row was
     * already settled (a concurrent routing of the same message).
     */
    public boolean save(Row r, boolean posted, String lastError) throws SQLException {
        boolean sending = r.status().equals("sending");
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into stock_report as s (inbound_id, health_worker_id, origin, org_unit, period, data_set, items, problems, status,
                       http_status, import_status, import_count, conflicts, handled_status, outcome, reply, attempts, last_error,
                       posted_at, answered_at)
                values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, case when ? then now() end,
                        case when ? then null else now() end)
                on conflict (inbound_id) do update set
                       org_unit = excluded.org_unit, period = excluded.period, data_set = excluded.data_set, items = excluded.items,
                       problems = excluded.problems, status = excluded.status, http_status = coalesce(excluded.http_status, s.http_status),
                       import_status = excluded.import_status, import_count = excluded.import_count, conflicts = excluded.conflicts,
                       handled_status = excluded.handled_status, outcome = excluded.outcome, reply = excluded.reply,
                       attempts = s.attempts + excluded.attempts, last_error = coalesce(excluded.last_error, s.last_error),
                       posted_at = coalesce(excluded.posted_at, s.posted_at), answered_at = excluded.answered_at
                 where s.status = 'sending'""")) {
            int k = 1;
            ps.setLong(k++, r.inboundId());
            if (r.healthWorkerId() == null) ps.setNull(k++, Types.BIGINT); else ps.setLong(k++, r.healthWorkerId());
            ps.setString(k++, r.origin());
            ps.setString(k++, r.orgUnit());
            ps.setString(k++, r.period());
            ps.setString(k++, r.dataSet());
            ps.setString(k++, r.itemsJson() == null ? "[]" : r.itemsJson());
            ps.setString(k++, r.problemsJson());
            ps.setString(k++, r.status());
            if (r.httpStatus() == null) ps.setNull(k++, Types.INTEGER); else ps.setInt(k++, r.httpStatus());
            ps.setString(k++, r.importStatus());
            ps.setString(k++, r.importCountJson());
            ps.setString(k++, r.conflictsJson());
            ps.setString(k++, r.handledStatus());
            ps.setString(k++, truncate(r.outcome(), 1000));
            ps.setString(k++, r.reply());
            ps.setInt(k++, posted ? 1 : 0);
            ps.setString(k++, truncate(lastError, 900));
            ps.setBoolean(k++, posted);
            ps.setBoolean(k, sending);
            return ps.executeUpdate() == 1;
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
