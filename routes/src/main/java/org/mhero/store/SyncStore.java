package org.mhero.store;

import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.ihris.LocationHierarchy;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes what a registry sync read, one page per transaction: health workers, their phones and source links, and
 * the watermark in the same commit, so the watermark never passes data that is not stored. A record whose content
 * hash is unchanged is not written at all: a re-run without changes writes nothing.
 */
public final class SyncStore {
    /** What one page changed. */
    public record PageResult(int created, int updated, int unchanged, int unreachable) {}

    private final DataSource ds;

    public SyncStore(DataSource ds) { this.ds = ds; }

    public Instant watermark(String source) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("select watermark from sync_watermark where source = ?")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getTimestamp(1).toInstant() : null;
            }
        }
    }

    /** Upserts locations whose content changed; returns source id → location id for every location of the registry. */
    public Map<String, Long> storeLocations(String registry, List<LocationHierarchy.Node> nodes) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into location (registry, source_id, name, level, parent_source_id, path, country_source_id,
                                          region_source_id, district_source_id, content_hash)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    on conflict (registry, source_id) do update set
                      name = excluded.name, level = excluded.level, parent_source_id = excluded.parent_source_id,
                      path = excluded.path, country_source_id = excluded.country_source_id,
                      region_source_id = excluded.region_source_id, district_source_id = excluded.district_source_id,
                      content_hash = excluded.content_hash, updated_at = now()
                    where location.content_hash <> excluded.content_hash""")) {
                for (LocationHierarchy.Node n : nodes) {
                    ps.setString(1, registry);
                    ps.setString(2, n.sourceId());
                    ps.setString(3, n.name());
                    ps.setString(4, n.level());
                    ps.setString(5, n.parentSourceId());
                    ps.setString(6, n.path());
                    ps.setString(7, n.countryId());
                    ps.setString(8, n.regionId());
                    ps.setString(9, n.districtId());
                    ps.setString(10, n.contentHash());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            Map<String, Long> ids = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("select source_id, id from location where registry = ?")) {
                ps.setString(1, registry);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.put(rs.getString(1), rs.getLong(2));
                }
            }
            c.commit();
            return ids;
        }
    }

    /**
     * Stores one page of records and, in the same transaction, advances the watermark of {@code watermarkSource} to
     * {@code pageMaxUpdated} (only forward).
     */
    public PageResult storePage(List<HealthWorkerRecord> records, Map<String, Long> facilityIds, String watermarkSource,
                                Instant pageMaxUpdated) throws SQLException {
        int created = 0, updated = 0, unchanged = 0, unreachable = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, String[]> existing = existingLinks(c, records);
                List<HealthWorkerRecord> toCreate = new ArrayList<>();
                List<HealthWorkerRecord> toUpdate = new ArrayList<>();
                Map<HealthWorkerRecord, Long> workerIds = new HashMap<>();
                Set<String> seen = new HashSet<>();
                for (HealthWorkerRecord r : records) {
                    if (!seen.add(r.registry() + "\u0000" + r.sourceId())) continue;   // same resource twice in a page
                    if (!r.reachable()) unreachable++;
                    String[] ex = existing.get(r.sourceId());
                    String hash = r.contentHash();
                    if (ex == null) toCreate.add(r);
                    else if (!ex[1].equals(hash)) { toUpdate.add(r); workerIds.put(r, Long.parseLong(ex[0])); }
                    else unchanged++;
                }
                if (!toCreate.isEmpty()) {
                    insertWorkers(c, toCreate, facilityIds, workerIds);
                    insertLinks(c, toCreate, workerIds);
                    created = toCreate.size();
                }
                if (!toUpdate.isEmpty()) {
                    updateWorkers(c, toUpdate, facilityIds, workerIds);
                    updateLinks(c, toUpdate);
                    updated = toUpdate.size();
                }
                List<HealthWorkerRecord> changed = new ArrayList<>(toCreate);
                changed.addAll(toUpdate);
                if (!changed.isEmpty()) replacePhones(c, changed, workerIds);
                if (pageMaxUpdated != null) advanceWatermark(c, watermarkSource, pageMaxUpdated);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return new PageResult(created, updated, unchanged, unreachable);
    }

    private Map<String, String[]> existingLinks(Connection c, List<HealthWorkerRecord> records) throws SQLException {
        Map<String, String[]> out = new HashMap<>();
        if (records.isEmpty()) return out;
        String registry = records.get(0).registry();
        try (PreparedStatement ps = c.prepareStatement(
                "select source_id, health_worker_id, content_hash from source_link where registry = ? and source_id = any(?)")) {
            ps.setString(1, registry);
            Array ids = c.createArrayOf("text", records.stream().map(HealthWorkerRecord::sourceId).distinct().toArray());
            ps.setArray(2, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), new String[] {Long.toString(rs.getLong(2)), rs.getString(3)});
            }
        }
        return out;
    }

    private void insertWorkers(Connection c, List<HealthWorkerRecord> rs, Map<String, Long> facilities,
                               Map<HealthWorkerRecord, Long> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into health_worker (display_name, family_name, given_names, gender, active, opted_out, facility_id,
                  job_code, job_title, cadre, national_id, employee_number, rapidpro_uuid)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
            for (HealthWorkerRecord r : rs) {
                bindWorker(ps, r, facilities);
                ps.addBatch();
            }
            ps.executeBatch();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                int i = 0;
                while (keys.next()) ids.put(rs.get(i++), keys.getLong(1));
            }
        }
    }

    private void updateWorkers(Connection c, List<HealthWorkerRecord> rs, Map<String, Long> facilities,
                               Map<HealthWorkerRecord, Long> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update health_worker set display_name = ?, family_name = ?, given_names = ?, gender = ?, active = ?,
                  opted_out = ?, facility_id = ?, job_code = ?, job_title = ?, cadre = ?, national_id = ?,
                  employee_number = ?, rapidpro_uuid = ?, updated_at = now()
                where id = ?""")) {
            for (HealthWorkerRecord r : rs) {
                bindWorker(ps, r, facilities);
                ps.setLong(14, ids.get(r));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void bindWorker(PreparedStatement ps, HealthWorkerRecord r, Map<String, Long> facilities) throws SQLException {
        ps.setString(1, r.displayName());
        ps.setString(2, r.familyName());
        ps.setString(3, r.givenNames());
        ps.setString(4, r.gender());
        ps.setBoolean(5, r.active());
        ps.setBoolean(6, r.optedOut());
        Long facility = r.facilitySourceId() == null ? null : facilities.get(r.facilitySourceId());
        if (facility == null) ps.setNull(7, java.sql.Types.BIGINT); else ps.setLong(7, facility);
        ps.setString(8, r.jobCode());
        ps.setString(9, r.jobTitle());
        ps.setString(10, r.cadre());
        ps.setString(11, r.nationalId());
        ps.setString(12, r.employeeNumber());
        ps.setString(13, r.rapidproUuid());
    }

    private void insertLinks(Connection c, List<HealthWorkerRecord> rs, Map<HealthWorkerRecord, Long> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into source_link (health_worker_id, registry, source_id, source_version, source_updated, content_hash)
                values (?, ?, ?, ?, ?, ?)""")) {
            for (HealthWorkerRecord r : rs) {
                ps.setLong(1, ids.get(r));
                ps.setString(2, r.registry());
                ps.setString(3, r.sourceId());
                ps.setString(4, r.sourceVersion());
                ps.setTimestamp(5, r.sourceUpdated() == null ? null : Timestamp.from(r.sourceUpdated()));
                ps.setString(6, r.contentHash());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void updateLinks(Connection c, List<HealthWorkerRecord> rs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update source_link set source_version = ?, source_updated = ?, content_hash = ?, synced_at = now()
                where registry = ? and source_id = ?""")) {
            for (HealthWorkerRecord r : rs) {
                ps.setString(1, r.sourceVersion());
                ps.setTimestamp(2, r.sourceUpdated() == null ? null : Timestamp.from(r.sourceUpdated()));
                ps.setString(3, r.contentHash());
                ps.setString(4, r.registry());
                ps.setString(5, r.sourceId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Replaces the phones of changed workers, then recomputes the shared flag of every number they touched. */
    private void replacePhones(Connection c, List<HealthWorkerRecord> rs, Map<HealthWorkerRecord, Long> ids) throws SQLException {
        Set<String> touched = new HashSet<>();
        Long[] workerIds = rs.stream().map(ids::get).toArray(Long[]::new);
        try (PreparedStatement del = c.prepareStatement(
                "delete from phone where registry = ? and health_worker_id = any(?) returning e164")) {
            del.setString(1, rs.get(0).registry());
            del.setArray(2, c.createArrayOf("bigint", workerIds));
            try (ResultSet r = del.executeQuery()) {
                while (r.next()) if (r.getString(1) != null) touched.add(r.getString(1));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into phone (health_worker_id, registry, raw_value, e164, invalid_reason, rank, use, is_primary)
                values (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (HealthWorkerRecord r : rs) {
                for (HealthWorkerRecord.Phone p : r.phones()) {
                    ps.setLong(1, ids.get(r));
                    ps.setString(2, r.registry());
                    ps.setString(3, p.raw());
                    ps.setString(4, p.e164());
                    ps.setString(5, p.invalidReason());
                    ps.setInt(6, p.rank());
                    ps.setString(7, p.use());
                    ps.setBoolean(8, p.primary());
                    ps.addBatch();
                    if (p.e164() != null) touched.add(p.e164());
                }
            }
            ps.executeBatch();
        }
        if (touched.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("""
                update phone p set shared = s.shared
                from (select e164, count(distinct health_worker_id) > 1 as shared from phone
                      where e164 = any(?) group by e164) s
                where p.e164 = s.e164 and p.shared <> s.shared""")) {
            ps.setArray(1, c.createArrayOf("text", touched.toArray()));
            ps.executeUpdate();
        }
    }

    private void advanceWatermark(Connection c, String source, Instant wm) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into sync_watermark (source, watermark) values (?, ?)
                on conflict (source) do update set watermark = excluded.watermark, updated_at = now()
                where sync_watermark.watermark < excluded.watermark""")) {
            ps.setString(1, source);
            ps.setTimestamp(2, Timestamp.from(wm));
            ps.executeUpdate();
        }
    }

    public long startRun(String source) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("insert into sync_run (source) values (?) returning id")) {
            ps.setString(1, source);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public void finishRun(long runId, String status, int pages, int seen, int created, int updated, int unchanged,
                          int unreachable, String error) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     update sync_run set finished_at = now(), status = ?, pages = ?, seen = ?, created = ?, updated = ?,
                       unchanged = ?, unreachable = ?, error = ? where id = ?""")) {
            ps.setString(1, status);
            ps.setInt(2, pages);
            ps.setInt(3, seen);
            ps.setInt(4, created);
            ps.setInt(5, updated);
            ps.setInt(6, unchanged);
            ps.setInt(7, unreachable);
            ps.setString(8, error == null ? null : error.length() > 1000 ? error.substring(0, 1000) : error);
            ps.setLong(9, runId);
            ps.executeUpdate();
        }
    }
}
