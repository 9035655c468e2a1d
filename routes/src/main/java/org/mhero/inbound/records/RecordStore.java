package org.mhero.inbound.records;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * mHero's side of record updates: the worker's Practitioners and facility in iHRIS (from the last iHRIS sync), facility
 * and job answers resolved against the same copy, the audit ({@code record_update}) and the opt-out tags mHero set
 * ({@code ihris_opt_out}).
 */
public final class RecordStore implements RecordMapping.Resolver {
    /** An opt-out tag row: the Practitioner and whether mHero put the tag there. */
    public record Tag(String practitionerId, boolean ours) {}

    private final DataSource ds;

    public RecordStore(DataSource ds) {
        this.ds = ds;
    }

    /** The ids of the worker's Practitioners in iHRIS. */
    public List<String> practitioners(long workerId) throws SQLException {
        return strings("select source_id from source_link where health_worker_id = ? and registry = 'ihris' order by id", workerId);
    }

    /** The id of the worker's facility in iHRIS, or null. */
    public String facility(long workerId) throws SQLException {
        List<String> l = strings("""
                select l.source_id from health_worker h join location l on l.id = h.facility_id
                 where h.id = ? and l.registry = 'ihris'""", workerId);
        return l.isEmpty() ? null : l.get(0);
    }

    @Override
    public List<Match> facilities(String answer) throws SQLException {
        List<Match> byId = matches("select source_id, name from location where registry = 'ihris' and level = 'facility'"
                + " and lower(source_id) = lower(?) order by source_id limit 5", answer);
        if (!byId.isEmpty()) return byId;
        return matches("select source_id, name from location where registry = 'ihris' and level = 'facility'"
                + " and lower(regexp_replace(trim(name), '\\s+', ' ', 'g')) = lower(regexp_replace(trim(?), '\\s+', ' ', 'g'))"
                + " order by source_id limit 5", answer);
    }

    @Override
    public List<Match> jobs(String answer) throws SQLException {
        List<Match> byCode = matches("select job_code, max(job_title) from health_worker where job_code is not null"
                + " and lower(job_code) = lower(?) group by job_code order by job_code limit 5", answer);
        if (!byCode.isEmpty()) return byCode;
        return matches("select job_code, max(job_title) from health_worker where job_code is not null"
                + " and lower(regexp_replace(trim(job_title), '\\s+', ' ', 'g')) = lower(regexp_replace(trim(?), '\\s+', ' ', 'g'))"
                + " group by job_code order by job_code limit 5", answer);
    }

    /**
     * Writes audit rows. A row for the same message, resource and field is kept as it is, unless it recorded a failure
     * (a replayed message that now succeeds replaces it).
     */
    public void audit(long inboundId, Long workerId, List<RecordPlan.Audit> rows) throws SQLException {
        if (rows.isEmpty()) return;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into record_update (inbound_id, health_worker_id, resource_type, resource_id, practitioner_id, field, old_value,
                                           new_value, status, error, version_before, version_after, attempts)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (inbound_id, resource_type, resource_id, field) do update
                   set old_value = excluded.old_value, new_value = excluded.new_value, status = excluded.status, error = excluded.error,
                       version_before = excluded.version_before, version_after = excluded.version_after,
                       attempts = record_update.attempts + excluded.attempts, created_at = now()
                 where record_update.status = 'failed'""")) {
            for (RecordPlan.Audit a : rows) {
                ps.setLong(1, inboundId);
                if (workerId == null) ps.setNull(2, java.sql.Types.BIGINT);
                else ps.setLong(2, workerId);
                ps.setString(3, a.resourceType());
                ps.setString(4, a.resourceId());
                ps.setString(5, a.practitionerId());
                ps.setString(6, a.field().key());
                ps.setString(7, a.oldValue());
                ps.setString(8, a.newValue());
                ps.setString(9, a.status());
                ps.setString(10, a.error() == null ? null : a.error().length() > 1000 ? a.error().substring(0, 999) + "…" : a.error());
                ps.setString(11, a.versionBefore());
                ps.setString(12, a.versionAfter());
                ps.setInt(13, a.attempts());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The opt-out tag rows of a worker. */
    public List<Tag> tags(long workerId) throws SQLException {
        List<Tag> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("select practitioner_id, ours from ihris_opt_out where health_worker_id = ? order by practitioner_id")) {
            ps.setLong(1, workerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Tag(rs.getString(1), rs.getBoolean(2)));
            }
        }
        return out;
    }

    /** Records that the Practitioner carries the tag; {@code ours}: mHero is about to add it (written before the call). */
    public void tagged(long workerId, String practitionerId, boolean ours, long inboundId) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into ihris_opt_out (health_worker_id, practitioner_id, ours, inbound_id) values (?, ?, ?, ?)
                on conflict (health_worker_id, practitioner_id) do nothing""")) {
            ps.setLong(1, workerId);
            ps.setString(2, practitionerId);
            ps.setBoolean(3, ours);
            ps.setLong(4, inboundId);
            ps.executeUpdate();
        }
    }

    /** Forgets a tag row (after mHero removed its tag, or when START leaves a tag iHRIS set). */
    public void untagged(long workerId, String practitionerId) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("delete from ihris_opt_out where health_worker_id = ? and practitioner_id = ?")) {
            ps.setLong(1, workerId);
            ps.setString(2, practitionerId);
            ps.executeUpdate();
        }
    }

    /**
     * After mHero removed every opt-out tag of the worker it had set: an iHRIS sync that saw those tags recorded the
     * opt-out as iHRIS's ({@code provenance.optedOut = ihris}, and in the synced record of those Practitioners); that is
     * forgotten, so that START lifts it and a later merge does not bring it back from the stored record.
     */
    public void forgetIhrisOptOut(long workerId, List<String> practitionerIds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("""
                        update source_link set data = jsonb_set(data, '{optedOut}', 'false'::jsonb)
                         where health_worker_id = ? and registry = 'ihris' and source_id = any(?) and (data->>'optedOut')::boolean""")) {
                    ps.setLong(1, workerId);
                    ps.setArray(2, c.createArrayOf("text", practitionerIds.toArray()));
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "update health_worker set provenance = provenance - 'optedOut' where id = ? and provenance->>'optedOut' = 'ihris'")) {
                    ps.setLong(1, workerId);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private List<String> strings(String sql, long id) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    private List<Match> matches(String sql, String answer) throws SQLException {
        List<Match> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, answer);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Match(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }
}
