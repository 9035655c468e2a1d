package org.mhero.csv;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/** The {@code csv_import} and {@code csv_rejection} tables: what each file's import did, and the rows it did not store. */
final class CsvImportLog {
    /** A row not stored: its line and why (never its content). */
    record Rejection(long line, String reason) {}

    private final DataSource ds;

    CsvImportLog(DataSource ds) { this.ds = ds; }

    /** The last successful import of the same bytes read the same way, or null. */
    Long previousImport(String sha256, String reading) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select max(id) from csv_import where file_sha256 = ? and reading = ? and status = 'ok'")) {
            ps.setString(1, sha256);
            ps.setString(2, reading);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                return rs.wasNull() ? null : id;
            }
        }
    }

    long begin(String fileName, String sha256, String reading, Long syncRunId, String status) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into csv_import (file_name, file_sha256, reading, sync_run_id, status, finished_at)
                values (?, ?, ?, ?, ?, case when ? = 'running' then null else now() end) returning id""")) {
            ps.setString(1, fileName);
            ps.setString(2, sha256);
            ps.setString(3, reading);
            if (syncRunId == null) ps.setNull(4, Types.BIGINT);
            else ps.setLong(4, syncRunId);
            ps.setString(5, status);
            ps.setString(6, status);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    void reject(long importId, List<Rejection> rejections) throws SQLException {
        if (rejections.isEmpty()) return;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into csv_rejection (import_id, line, reason) values (?, ?, ?)")) {
            for (Rejection r : rejections) {
                ps.setLong(1, importId);
                ps.setLong(2, r.line());
                ps.setString(3, r.reason());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    void finish(long importId, String status, int rows, int created, int updated, int unchanged, int rejected, String error)
            throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update csv_import set finished_at = now(), status = ?, rows = ?, created = ?, updated = ?, unchanged = ?,
                  rejected = ?, error = ? where id = ?""")) {
            ps.setString(1, status);
            ps.setInt(2, rows);
            ps.setInt(3, created);
            ps.setInt(4, updated);
            ps.setInt(5, unchanged);
            ps.setInt(6, rejected);
            ps.setString(7, error == null ? null : error.length() > 1000 ? error.substring(0, 1000) : error);
            ps.setLong(8, importId);
            ps.executeUpdate();
        }
    }
}
