package org.mhero.store;

import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.ihris.LocationHierarchy;
import org.mhero.ihris.TrainingMapper;
import org.mhero.merge.Candidate;
import org.mhero.merge.Matcher;
import org.mhero.merge.Merger;

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
import java.util.IdentityHashMap;
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
    private final Matcher matcher;
    private final Merger merger;

    public SyncStore(DataSource ds, Matcher matcher, Merger merger) {
        this.ds = ds;
        this.matcher = matcher;
        this.merger = merger;
    }

    public Instant watermark(String source) throws SQLException { return Watermarks.read(ds, source); }

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
     * Stores one page of records (all from one registry) and, in the same transaction, advances the watermark of
     * {@code watermarkSource} to {@code pageMaxUpdated} (only forward). Records seen before with the same content are
     * not written. A record not seen before is matched ({@link Matcher}) against the health workers of other
     * registries and linked to one, with the reason recorded in {@code merge_decision}, or becomes a new health worker.
     * The golden record of every touched worker is recomputed ({@link Merger}) and written only if it changed.
     * Facilities are resolved by (registry, source id), so a golden record may take its facility from any registry.
     */
    public PageResult storePage(List<HealthWorkerRecord> records, String watermarkSource, Instant pageMaxUpdated)
            throws SQLException {
        int created = 0, updated = 0, unchanged = 0, unreachable = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                pageSettings(c);
                Map<String, Link> existing = existingLinks(c, records);
                List<HealthWorkerRecord> fresh = new ArrayList<>();
                List<HealthWorkerRecord> changed = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                for (HealthWorkerRecord r : records) {
                    if (!seen.add(r.sourceId())) continue;   // the same resource twice in a page
                    if (!r.reachable()) unreachable++;
                    Link ex = existing.get(r.sourceId());
                    if (ex == null) fresh.add(r);
                    else if (!r.contentHash().equals(ex.hash())) changed.add(r);
                    else unchanged++;
                }
                // records are keyed by identity here and below: a record's own hashCode hashes every field and phone on
                // each lookup, and the list holds each source id once, so identity and equality pick the same entries
                Map<HealthWorkerRecord, long[]> links = new IdentityHashMap<>();   // record -> {link id, worker id}
                Set<Long> bornHere = new HashSet<>();                      // new workers, golden record already written
                List<Long> oldLinks = new ArrayList<>();
                for (HealthWorkerRecord r : changed) {
                    Link l = existing.get(r.sourceId());
                    links.put(r, new long[] {l.linkId(), l.workerId()});
                    oldLinks.add(l.linkId());
                }
                if (!fresh.isEmpty()) {
                    links.putAll(linkNewRecords(c, fresh, bornHere));
                    created = fresh.size();
                }
                if (!changed.isEmpty()) {
                    updateLinks(c, changed);
                    updated = changed.size();
                }
                if (!links.isEmpty()) {
                    replacePhones(c, links, oldLinks);
                    Set<Long> workers = new HashSet<>();
                    links.values().forEach(l -> workers.add(l[1]));
                    workers.removeAll(bornHere);
                    if (!workers.isEmpty()) recomputeGolden(c, workers);
                }
                if (pageMaxUpdated != null) Watermarks.advance(c, watermarkSource, pageMaxUpdated);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return new PageResult(created, updated, unchanged, unreachable);
    }

    /**
     * For this transaction only: no JIT compilation, no parallel workers, and no sequential scan where an index can
     * serve. A page reads and writes a few hundred rows through indexes, but while a full sync grows the tables faster
     * than autovacuum analyzes them, the planner misjudges its queries: it paid JIT compilation and parallel-worker
     * start-up (tens of milliseconds each) on every page, and it scanned every phone for the page's 200 numbers (the
     * candidates and the shared flags), so that a page of a first DHIS2 sync cost 20 ms more for every 2,000 phones
     * stored (measured: candidates 1–3 ms instead of 20–80 ms, shared flags 8–15 ms instead of 40–120 ms).
     */
    private static void pageSettings(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("set local jit = off; set local max_parallel_workers_per_gather = 0; set local enable_seqscan = off");
        }
    }

    /** A source record we have: its link row, its worker, and the content hash last stored. */
    private record Link(long linkId, long workerId, String hash) {}

    private Map<String, Link> existingLinks(Connection c, List<HealthWorkerRecord> records) throws SQLException {
        Map<String, Link> out = new HashMap<>();
        if (records.isEmpty()) return out;
        try (PreparedStatement ps = c.prepareStatement(
                "select source_id, id, health_worker_id, content_hash from source_link where registry = ? and source_id = any(?)")) {
            ps.setString(1, records.get(0).registry());
            ps.setArray(2, c.createArrayOf("text", records.stream().map(HealthWorkerRecord::sourceId).distinct().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), new Link(rs.getLong(2), rs.getLong(3), rs.getString(4)));
            }
        }
        return out;
    }

    /**
     * Matches, creates workers where needed, inserts the links and their merge decisions. Each step is a method of its
     * own, with its loop over the page in a small method: one large method whose loops run a thousand times per call
     * made the JIT compile it on the stack (OSR) twice during every full sync, 0.4 s of compiler time each on two cores.
     */
    private Map<HealthWorkerRecord, long[]> linkNewRecords(Connection c, List<HealthWorkerRecord> fresh, Set<Long> bornHere)
            throws SQLException {
        Map<HealthWorkerRecord, List<Candidate>> candidates = candidates(c, fresh.get(0).registry(), fresh);
        Map<HealthWorkerRecord, Matcher.Decision> decisions = new IdentityHashMap<>();
        List<HealthWorkerRecord> needWorker = decide(fresh, candidates, decisions);
        Map<HealthWorkerRecord, Long> workerIds = new IdentityHashMap<>();
        if (!needWorker.isEmpty()) insertWorkers(c, needWorker, decisions, workerIds, bornHere);
        for (HealthWorkerRecord r : fresh) if (decisions.get(r).workerId() != null) workerIds.put(r, decisions.get(r).workerId());
        Map<HealthWorkerRecord, long[]> links = insertLinks(c, fresh, workerIds);
        insertDecisions(c, fresh, decisions, links);
        return links;
    }

    /** Each record's match decision; returns the records that need a new worker. */
    private List<HealthWorkerRecord> decide(List<HealthWorkerRecord> fresh, Map<HealthWorkerRecord, List<Candidate>> candidates,
                                            Map<HealthWorkerRecord, Matcher.Decision> decisions) {
        List<HealthWorkerRecord> needWorker = new ArrayList<>();
        for (HealthWorkerRecord r : fresh) {
            Matcher.Decision d = matcher.decide(r, candidates.getOrDefault(r, List.of()));
            decisions.put(r, d);
            if (d.workerId() == null) needWorker.add(r);
        }
        return needWorker;
    }

    private static final String[] WORKER_TYPES = {"bigint", "text", "text", "text", "text", "bool", "bool", "text", "text", "text",
            "text", "text", "text", "text", "text", "text", "text", "text"};

    /**
     * New workers, one multi-row insert: a new worker's golden record is its only source record, written now and not
     * recomputed. The ids are taken from the sequence first, so that one statement writes the page's workers.
     */
    private void insertWorkers(Connection c, List<HealthWorkerRecord> needWorker, Map<HealthWorkerRecord, Matcher.Decision> decisions,
                               Map<HealthWorkerRecord, Long> workerIds, Set<Long> bornHere) throws SQLException {
        List<Long> ids = nextIds(c, "health_worker", needWorker.size());
        Object[][] cols = new Object[WORKER_TYPES.length][needWorker.size()];
        for (int i = 0; i < needWorker.size(); i++) {
            HealthWorkerRecord r = needWorker.get(i);
            workerRow(cols, i, ids.get(i), merger.merge(List.of(r)), decisions.get(r).reviewReason());
            workerIds.put(r, ids.get(i));
            bornHere.add(ids.get(i));
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into health_worker (id, display_name, family_name, given_names, gender, active, opted_out, facility_id,
                  job_code, job_title, cadre, national_id, employee_number, rapidpro_uuid, provenance, golden_hash, review_reason)
                select u.id, u.display_name, u.family_name, u.given_names, u.gender, u.active, u.opted_out, l.id,
                       u.job_code, u.job_title, u.cadre, u.national_id, u.employee_number, u.rapidpro_uuid,
                       u.provenance::jsonb, u.golden_hash, u.review_reason
                  from unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::boolean[], ?::text[],
                              ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                              ?::text[])
                       with ordinality as u(id, display_name, family_name, given_names, gender, active, opted_out, facility_registry,
                              facility_source_id, job_code, job_title, cadre, national_id, employee_number, rapidpro_uuid,
                              provenance, golden_hash, review_reason, ord)
                  left join location l on l.registry = u.facility_registry and l.source_id = u.facility_source_id
                 order by u.ord""")) {
            for (int k = 0; k < cols.length; k++) ps.setArray(k + 1, c.createArrayOf(WORKER_TYPES[k], cols[k]));
            ps.executeUpdate();
        }
    }

    private static void workerRow(Object[][] cols, int i, long id, Merger.Golden g, String reviewReason) {
        cols[0][i] = id;
        cols[1][i] = g.displayName();
        cols[2][i] = g.familyName();
        cols[3][i] = g.givenNames();
        cols[4][i] = g.gender();
        cols[5][i] = g.active();
        cols[6][i] = g.optedOut();
        cols[7][i] = g.facilityRegistry();
        cols[8][i] = g.facilitySourceId();
        cols[9][i] = g.jobCode();
        cols[10][i] = g.jobTitle();
        cols[11][i] = g.cadre();
        cols[12][i] = g.nationalId();
        cols[13][i] = g.employeeNumber();
        cols[14][i] = g.rapidproUuid();
        cols[15][i] = Records.toJson(g.provenance());
        cols[16][i] = g.hash();
        cols[17][i] = reviewReason;
    }

    /** The links, one multi-row insert; their ids come back with their source ids (unique in the registry). */
    private static Map<HealthWorkerRecord, long[]> insertLinks(Connection c, List<HealthWorkerRecord> fresh,
                                                               Map<HealthWorkerRecord, Long> workerIds) throws SQLException {
        Map<String, HealthWorkerRecord> bySourceId = new HashMap<>();
        Object[][] cols = new Object[7][fresh.size()];
        for (int i = 0; i < fresh.size(); i++) {
            HealthWorkerRecord r = fresh.get(i);
            bySourceId.put(r.sourceId(), r);
            linkRow(cols, i, workerIds.get(r), r);
        }
        Map<HealthWorkerRecord, long[]> links = new IdentityHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                insert into source_link (health_worker_id, registry, source_id, source_version, source_updated, content_hash, data)
                select u.worker, u.registry, u.source_id, u.version, u.updated::timestamptz, u.hash, u.data::jsonb
                  from unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                       with ordinality as u(worker, registry, source_id, version, updated, hash, data, ord)
                 order by u.ord
                returning id, source_id""")) {
            ps.setArray(1, c.createArrayOf("bigint", cols[0]));
            for (int k = 1; k < cols.length; k++) ps.setArray(k + 1, c.createArrayOf("text", cols[k]));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    HealthWorkerRecord r = bySourceId.get(rs.getString(2));
                    links.put(r, new long[] {rs.getLong(1), workerIds.get(r)});
                }
            }
        }
        return links;
    }

    private static void linkRow(Object[][] cols, int i, Long workerId, HealthWorkerRecord r) {
        cols[0][i] = workerId;
        cols[1][i] = r.registry();
        cols[2][i] = r.sourceId();
        cols[3][i] = r.sourceVersion();
        cols[4][i] = r.sourceUpdated() == null ? null : r.sourceUpdated().toString();   // ISO-8601 with Z: an instant
        cols[5][i] = r.contentHash();
        cols[6][i] = Records.toJson(r);
    }

    /** Why each link joined its worker, one multi-row insert. */
    private static void insertDecisions(Connection c, List<HealthWorkerRecord> fresh, Map<HealthWorkerRecord, Matcher.Decision> decisions,
                                        Map<HealthWorkerRecord, long[]> links) throws SQLException {
        Object[][] cols = new Object[5][fresh.size()];
        for (int i = 0; i < fresh.size(); i++) {
            HealthWorkerRecord r = fresh.get(i);
            decisionRow(cols, i, links.get(r), decisions.get(r));
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into merge_decision (health_worker_id, source_link_id, rule, score, detail)
                select * from unnest(?::bigint[], ?::bigint[], ?::text[], ?::float8[], ?::text[])""")) {
            ps.setArray(1, c.createArrayOf("bigint", cols[0]));
            ps.setArray(2, c.createArrayOf("bigint", cols[1]));
            ps.setArray(3, c.createArrayOf("text", cols[2]));
            ps.setArray(4, c.createArrayOf("float8", cols[3]));
            ps.setArray(5, c.createArrayOf("text", cols[4]));
            ps.executeUpdate();
        }
    }

    private static void decisionRow(Object[][] cols, int i, long[] link, Matcher.Decision d) {
        cols[0][i] = link[1];
        cols[1][i] = link[0];
        cols[2][i] = d.rule();
        cols[3][i] = d.score();
        cols[4][i] = d.reviewReason() != null ? d.reviewReason() : d.detail();
    }

    /** {@code count} ids from the sequence of {@code table}.id, ascending. */
    private static List<Long> nextIds(Connection c, String table, int count) throws SQLException {
        List<Long> ids = new ArrayList<>(count);
        try (PreparedStatement ps = c.prepareStatement(
                "select nextval(pg_get_serial_sequence(?, 'id')) from generate_series(1, ?)")) {
            ps.setString(1, table);
            ps.setInt(2, count);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getLong(1));
            }
        }
        ids.sort(null);
        return ids;
    }

    /** Workers of other registries that share an identifier or a phone number with one of the new records. */
    private Map<HealthWorkerRecord, List<Candidate>> candidates(Connection c, String registry, List<HealthWorkerRecord> fresh)
            throws SQLException {
        Set<String> ids = new HashSet<>(), phones = new HashSet<>();
        for (HealthWorkerRecord r : fresh) {
            if (r.nationalId() != null) ids.add(r.nationalId().toLowerCase());
            if (r.employeeNumber() != null) ids.add(r.employeeNumber().toLowerCase());
            for (HealthWorkerRecord.Phone p : r.phones()) if (p.e164() != null) phones.add(p.e164());
        }
        List<Candidate> all = new ArrayList<>();
        if (ids.isEmpty() && phones.isEmpty()) return Map.of();
        // The candidates are found through the identifier and number indexes only; each one is then looked up by
        // primary key and checked against its links (the lateral subquery, kept apart by "offset 0", runs once per
        // candidate). Written as joins, the planner hashed every worker, or every link of the registry, on each page
        // (its estimates lag behind tables that grow during a full sync), so a page cost grew with the tables.
        try (PreparedStatement ps = c.prepareStatement("""
                select c.id, h.display_name, h.national_id, h.employee_number, c.e164
                  from (select h.id, null::text as e164
                          from health_worker h
                         where lower(h.national_id) = any(?) or lower(h.employee_number) = any(?)
                        union all
                        select p.health_worker_id, p.e164 from phone p where p.e164 = any(?)) c
                  cross join lateral (
                        select h.display_name, h.national_id, h.employee_number
                          from health_worker h
                         where h.id = c.id
                           and not exists (select 1 from source_link s where s.health_worker_id = h.id and s.registry = ?)
                        offset 0) h
                 order by 1""")) {
            Array idArray = c.createArrayOf("text", ids.toArray());
            ps.setArray(1, idArray);
            ps.setArray(2, idArray);
            ps.setArray(3, c.createArrayOf("text", phones.toArray()));
            ps.setString(4, registry);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) all.add(new Candidate(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            }
        }
        if (all.isEmpty()) return Map.of();
        Map<HealthWorkerRecord, List<Candidate>> out = new IdentityHashMap<>();
        for (HealthWorkerRecord r : fresh) {
            List<Candidate> mine = new ArrayList<>();
            for (Candidate cand : all) {
                boolean id = cand.e164() == null && (eq(r.nationalId(), cand.nationalId()) || eq(r.employeeNumber(), cand.employeeNumber()));
                boolean phone = cand.e164() != null && r.phones().stream().anyMatch(p -> cand.e164().equals(p.e164()));
                if (id || phone) mine.add(cand);
            }
            if (!mine.isEmpty()) out.put(r, mine);
        }
        return out;
    }

    private static boolean eq(String a, String b) { return a != null && a.equalsIgnoreCase(b); }

    private void updateLinks(Connection c, List<HealthWorkerRecord> rs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update source_link set source_version = ?, source_updated = ?, content_hash = ?, data = ?::jsonb, synced_at = now()
                where registry = ? and source_id = ?""")) {
            for (HealthWorkerRecord r : rs) {
                ps.setString(1, r.sourceVersion());
                ps.setTimestamp(2, r.sourceUpdated() == null ? null : Timestamp.from(r.sourceUpdated()));
                ps.setString(3, r.contentHash());
                ps.setString(4, Records.toJson(r));
                ps.setString(5, r.registry());
                ps.setString(6, r.sourceId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Replaces the phones of the given source records, then recomputes the shared flag of every number touched. Only
     * {@code oldLinks} (links stored before this page) can have phones to delete; the new rows go in as one multi-row
     * insert.
     */
    private void replacePhones(Connection c, Map<HealthWorkerRecord, long[]> links, List<Long> oldLinks) throws SQLException {
        Set<String> touched = new HashSet<>();
        if (!oldLinks.isEmpty()) {
            try (PreparedStatement del = c.prepareStatement("delete from phone where source_link_id = any(?) returning e164")) {
                del.setArray(1, c.createArrayOf("bigint", oldLinks.toArray()));
                try (ResultSet r = del.executeQuery()) {
                    while (r.next()) if (r.getString(1) != null) touched.add(r.getString(1));
                }
            }
        }
        List<Object> worker = new ArrayList<>(), link = new ArrayList<>(), registry = new ArrayList<>(), raw = new ArrayList<>(),
                e164 = new ArrayList<>(), invalid = new ArrayList<>(), rank = new ArrayList<>(), use = new ArrayList<>(),
                primary = new ArrayList<>();
        for (var e : links.entrySet()) {
            HealthWorkerRecord r = e.getKey();
            for (HealthWorkerRecord.Phone p : r.phones()) {
                worker.add(e.getValue()[1]);
                link.add(e.getValue()[0]);
                registry.add(r.registry());
                raw.add(p.raw());
                e164.add(p.e164());
                invalid.add(p.invalidReason());
                rank.add(p.rank());
                use.add(p.use());
                primary.add(p.primary());
                if (p.e164() != null) touched.add(p.e164());
            }
        }
        if (!worker.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into phone (health_worker_id, source_link_id, registry, raw_value, e164, invalid_reason, rank, use, is_primary)
                    select * from unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::boolean[])""")) {
                ps.setArray(1, c.createArrayOf("bigint", worker.toArray()));
                ps.setArray(2, c.createArrayOf("bigint", link.toArray()));
                ps.setArray(3, c.createArrayOf("text", registry.toArray()));
                ps.setArray(4, c.createArrayOf("text", raw.toArray()));
                ps.setArray(5, c.createArrayOf("text", e164.toArray()));
                ps.setArray(6, c.createArrayOf("text", invalid.toArray()));
                ps.setArray(7, c.createArrayOf("int4", rank.toArray()));
                ps.setArray(8, c.createArrayOf("text", use.toArray()));
                ps.setArray(9, c.createArrayOf("bool", primary.toArray()));
                ps.executeUpdate();
            }
        }
        if (touched.isEmpty()) return;
        // p.e164 = any(?) too: the rows to update are read through the index, never by a scan of every phone
        try (PreparedStatement ps = c.prepareStatement("""
                update phone p set shared = s.shared
                from (select e164, count(distinct health_worker_id) > 1 as shared from phone
                      where e164 = any(?) group by e164) s
                where p.e164 = any(?) and p.e164 = s.e164 and p.shared <> s.shared""")) {
            Array numbers = c.createArrayOf("text", touched.toArray());
            ps.setArray(1, numbers);
            ps.setArray(2, numbers);
            ps.executeUpdate();
        }
    }

    /** Recomputes the golden record of each worker from all its source records; writes only what changed. */
    private void recomputeGolden(Connection c, Set<Long> workers) throws SQLException {
        Map<Long, List<HealthWorkerRecord>> byWorker = new HashMap<>();
        Map<Long, String> oldHash = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select s.health_worker_id, s.data::text, h.golden_hash from source_link s join health_worker h on h.id = s.health_worker_id
                where s.health_worker_id = any(?) and s.data is not null""")) {
            ps.setArray(1, c.createArrayOf("bigint", workers.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byWorker.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(Records.fromJson(rs.getString(2)));
                    oldHash.put(rs.getLong(1), rs.getString(3));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update health_worker set display_name = ?, family_name = ?, given_names = ?, gender = ?, active = ?,
                  opted_out = (? or exists (select 1 from opt_out o where o.health_worker_id = health_worker.id)),
                  facility_id = (select id from location where registry = ? and source_id = ?),
                  job_code = ?, job_title = ?, cadre = ?, national_id = ?, employee_number = ?, rapidpro_uuid = ?,
                  provenance = ?::jsonb, golden_hash = ?, updated_at = now()
                where id = ?""")) {
            int batched = 0;
            for (var e : byWorker.entrySet()) {
                Merger.Golden g = merger.merge(e.getValue());
                if (g.hash().equals(oldHash.get(e.getKey()))) continue;
                bindGolden(ps, g);
                ps.setLong(17, e.getKey());
                ps.addBatch();
                batched++;
            }
            if (batched > 0) ps.executeBatch();
        }
    }

    /**
     * Stores a page of trainings of already-synced practitioners, with the watermark, in one transaction; a training of
     * a practitioner we do not know is skipped (counted, and picked up by a full resync once the worker arrives).
     * Returns the number of trainings written.
     */
    public int storeTrainings(String registry, List<TrainingMapper.Training> trainings, String watermarkSource,
                              Instant pageMaxUpdated) throws SQLException {
        int written = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!trainings.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            insert into training (health_worker_id, registry, source_id, code, name, provider, start_date, end_date)
                            select s.health_worker_id, ?, ?, ?, ?, ?, ?, ? from source_link s where s.registry = ? and s.source_id = ?
                            on conflict (registry, source_id) do update set health_worker_id = excluded.health_worker_id,
                              code = excluded.code, name = excluded.name, provider = excluded.provider,
                              start_date = excluded.start_date, end_date = excluded.end_date
                            where (training.health_worker_id, training.code, training.name, training.provider, training.start_date, training.end_date)
                              is distinct from (excluded.health_worker_id, excluded.code, excluded.name, excluded.provider, excluded.start_date, excluded.end_date)""")) {
                        for (TrainingMapper.Training t : trainings) {
                            ps.setString(1, registry);
                            ps.setString(2, t.sourceId());
                            ps.setString(3, t.code());
                            ps.setString(4, t.name());
                            ps.setString(5, t.provider());
                            ps.setObject(6, t.start());
                            ps.setObject(7, t.end());
                            ps.setString(8, registry);
                            ps.setString(9, t.practitionerId());
                            ps.addBatch();
                        }
                        for (int n : ps.executeBatch()) written += Math.max(n, 0);
                    }
                }
                if (pageMaxUpdated != null) Watermarks.advance(c, watermarkSource, pageMaxUpdated);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return written;
    }

    /** Parameters 1..16 of the golden-record update. */
    private static void bindGolden(PreparedStatement ps, Merger.Golden g) throws SQLException {
        ps.setString(1, g.displayName());
        ps.setString(2, g.familyName());
        ps.setString(3, g.givenNames());
        ps.setString(4, g.gender());
        ps.setBoolean(5, g.active());
        ps.setBoolean(6, g.optedOut());
        ps.setString(7, g.facilityRegistry());
        ps.setString(8, g.facilitySourceId());
        ps.setString(9, g.jobCode());
        ps.setString(10, g.jobTitle());
        ps.setString(11, g.cadre());
        ps.setString(12, g.nationalId());
        ps.setString(13, g.employeeNumber());
        ps.setString(14, g.rapidproUuid());
        ps.setString(15, Records.toJson(g.provenance()));
        ps.setString(16, g.hash());
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
