package org.mhero.rapidpro;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the RapidPro contact sync reads and writes in PostgreSQL: who to push, what was pushed, links of pulled contacts. */
public final class ContactStore {
    /**
     * A health worker due for a push, with what its contact carries; {@code readAt} is when this was read (the
     * database's clock), which becomes {@code pushed_at}: a change committed after the read makes the worker due again.
     */
    public record Pending(HealthWorkerContact contact, boolean sharedNumber, String pushedHash, String contactUuid, String pushedUrn,
                          OffsetDateTime readAt) {}

    /**
     * What one push did for a worker, to be recorded: pushed (or found unchanged: {@code uuid} null keeps the recorded
     * one) with {@code urn} and {@code hash}, or skipped with {@code skipReason}.
     */
    public record Outcome(long workerId, String uuid, String urn, String hash, String skipReason, OffsetDateTime readAt) {
        public static Outcome pushed(Pending p, String uuid, String urn, String hash) {
            return new Outcome(p.contact().mheroId(), uuid, urn, hash, null, p.readAt());
        }

        public static Outcome skipped(Pending p, String reason) {
            return new Outcome(p.contact().mheroId(), null, null, null, reason, p.readAt());
        }

        public boolean isSkip() { return skipReason != null; }
    }

    private final DataSource ds;

    public ContactStore(DataSource ds) { this.ds = ds; }

    /**
     * Active, not opted out, reviewed workers with a usable primary number, changed since their last push (or never
     * pushed), after {@code afterId} in id order: one keyset page.
     */
    public List<Pending> pending(long afterId, int limit) throws SQLException {
        // "order by id + 0": the worker's links are found through the health_worker_id index and then sorted. With
        // "order by id", before the tables are analyzed (just after a sync wrote them), the planner walked
        // source_link's primary key for each worker, every link of the table each time: 3.6 s for a page at 10,000.
        List<Pending> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select h.id, sl.registry, sl.source_id, h.display_name, p.e164, p.shared, f.name, d.name, r.name, h.cadre,
                       rc.pushed_hash, rc.contact_uuid, rc.urn, now()
                  from health_worker h
                  join lateral (select e164, shared from phone where health_worker_id = h.id and is_primary and e164 is not null
                                 order by shared, id limit 1) p on true
                  join lateral (select registry, source_id from source_link where health_worker_id = h.id and registry <> 'rapidpro'
                                 order by id + 0 limit 1) sl on true
                  left join location f on f.id = h.facility_id
                  left join location d on d.registry = f.registry and d.source_id = f.district_source_id and d.level = 'district'
                  left join location r on r.registry = f.registry and r.source_id = f.region_source_id and r.level = 'region'
                  left join rapidpro_contact rc on rc.health_worker_id = h.id
                 where h.active and not h.opted_out and h.review_reason is null
                   and (rc.pushed_at is null or h.updated_at > rc.pushed_at)
                   and h.id > ?
                 order by h.id
                 limit ?""")) {
            ps.setLong(1, afterId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Pending(new HealthWorkerContact(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            null, rs.getString(5), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10)),
                            rs.getBoolean(6), rs.getString(11), rs.getString(12), rs.getString(13), rs.getObject(14, OffsetDateTime.class)));
                }
            }
        }
        return out;
    }

    /** The contact now carries this payload (pushed, or found unchanged): due again only when the worker changes. */
    public void pushed(long workerId, String uuid, String urn, String hash) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into rapidpro_contact (health_worker_id, contact_uuid, urn, pushed_hash, pushed_at, skip_reason)
                values (?, ?, ?, ?, now(), null)
                on conflict (health_worker_id) do update set contact_uuid = coalesce(excluded.contact_uuid, rapidpro_contact.contact_uuid),
                  urn = excluded.urn, pushed_hash = excluded.pushed_hash, pushed_at = now(), skip_reason = null""")) {
            ps.setLong(1, workerId);
            ps.setString(2, uuid);
            ps.setString(3, urn);
            ps.setString(4, hash);
            ps.executeUpdate();
        }
    }

    /**
     * Records the outcomes of a page of pushes in one transaction (two batched statements), instead of a connection
     * and a commit per worker: the same rows {@link #pushed} and {@link #skipped} write, with {@code pushed_at} = when
     * the worker was read ({@link Pending#readAt()}, or now when unknown).
     */
    public void record(List<Outcome> outcomes) throws SQLException {
        if (outcomes.isEmpty()) return;
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement pushed = c.prepareStatement("""
                         insert into rapidpro_contact (health_worker_id, contact_uuid, urn, pushed_hash, pushed_at, skip_reason)
                         values (?, ?, ?, ?, coalesce(?, now()), null)
                         on conflict (health_worker_id) do update set contact_uuid = coalesce(excluded.contact_uuid, rapidpro_contact.contact_uuid),
                           urn = excluded.urn, pushed_hash = excluded.pushed_hash, pushed_at = excluded.pushed_at, skip_reason = null""");
                 PreparedStatement skipped = c.prepareStatement("""
                         insert into rapidpro_contact (health_worker_id, pushed_at, skip_reason) values (?, coalesce(?, now()), ?)
                         on conflict (health_worker_id) do update set pushed_at = excluded.pushed_at, skip_reason = excluded.skip_reason""")) {
                boolean anyPushed = false, anySkipped = false;
                for (Outcome o : outcomes) {
                    if (o.isSkip()) {
                        skipped.setLong(1, o.workerId());
                        skipped.setObject(2, o.readAt());
                        skipped.setString(3, o.skipReason());
                        skipped.addBatch();
                        anySkipped = true;
                    } else {
                        pushed.setLong(1, o.workerId());
                        pushed.setString(2, o.uuid());
                        pushed.setString(3, o.urn());
                        pushed.setString(4, o.hash());
                        pushed.setObject(5, o.readAt());
                        pushed.addBatch();
                        anyPushed = true;
                    }
                }
                if (anyPushed) pushed.executeBatch();
                if (anySkipped) skipped.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /** Not pushed, and why (until the worker changes again). */
    public void skipped(long workerId, String reason) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into rapidpro_contact (health_worker_id, pushed_at, skip_reason) values (?, now(), ?)
                on conflict (health_worker_id) do update set pushed_at = now(), skip_reason = excluded.skip_reason""")) {
            ps.setLong(1, workerId);
            ps.setString(2, reason);
            ps.executeUpdate();
        }
    }

    /**
     * Links pulled contacts we already know (pushed by us: their uuid is recorded, or they carry our {@code mheroid}
     * field) to their health worker before the store matches the rest; an existing link is left alone.
     */
    public void linkKnown(Collection<RapidProContact> contacts) throws SQLException {
        List<String> uuids = new ArrayList<>();
        List<Long> hints = new ArrayList<>();
        for (RapidProContact ct : contacts) {
            Long hint = null;
            String mheroid = ct.field("mheroid");
            if (mheroid != null && mheroid.matches("[0-9]{1,18}")) hint = Long.parseLong(mheroid);
            uuids.add(ct.uuid());
            hints.add(hint);
        }
        if (uuids.isEmpty()) return;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                with linked as (
                  insert into source_link (health_worker_id, registry, source_id, content_hash)
                  select coalesce(rc.health_worker_id, h.id), 'rapidpro', u.uuid, ''
                    from unnest(?::text[], ?::bigint[]) as u(uuid, hint)
                    left join rapidpro_contact rc on rc.contact_uuid = u.uuid
                    left join health_worker h on h.id = u.hint
                   where coalesce(rc.health_worker_id, h.id) is not null
                  on conflict (registry, source_id) do nothing
                  returning id, health_worker_id)
                insert into merge_decision (health_worker_id, source_link_id, rule, detail)
                select health_worker_id, id, 'rapidpro_contact', 'the contact mHero pushed for this worker' from linked""")) {
            Array a = c.createArrayOf("text", uuids.toArray());
            ps.setArray(1, a);
            ps.setArray(2, c.createArrayOf("bigint", hints.toArray()));
            ps.executeUpdate();
        }
    }

    /** The review reason of a worker known only from RapidPro, in {@code pull.unknown.contacts = review}. */
    public static final String BORN_IN_RAPIDPRO = "created in RapidPro, unknown to every registry: review before use";
    /** The start of the review reason of a worker whose registration in iHRIS failed (the reason follows). */
    public static final String NOT_REGISTERED = "created in RapidPro; not registered in iHRIS: ";

    /**
     * One keyset page of workers known only from RapidPro that may be registered in iHRIS: active, not opted out, and
     * either not under review or under review only for being born in RapidPro or a failed registration (a worker under
     * review for another reason, e.g. a tie between two registries' workers, waits for a person). Their numbers come
     * in rank order, E.164 when usable.
     */
    public List<UnknownContact> unregistered(long afterId, int limit) throws SQLException {
        List<long[]> rows = new ArrayList<>();
        List<String[]> texts = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    select h.id, s.id, s.source_id, h.display_name
                      from health_worker h
                      join lateral (select id, source_id from source_link where health_worker_id = h.id and registry = 'rapidpro'
                                     order by id limit 1) s on true
                     where h.active and not h.opted_out
                       and (h.review_reason is null or h.review_reason = ? or h.review_reason like ?)
                       and not exists (select 1 from source_link o where o.health_worker_id = h.id and o.registry <> 'rapidpro')
                       and h.id > ?
                     order by h.id
                     limit ?""")) {
                ps.setString(1, BORN_IN_RAPIDPRO);
                ps.setString(2, NOT_REGISTERED.replace("%", "\\%").replace("_", "\\_") + "%");
                ps.setLong(3, afterId);
                ps.setInt(4, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new long[] {rs.getLong(1), rs.getLong(2)});
                        texts.add(new String[] {rs.getString(3), rs.getString(4)});
                    }
                }
            }
            if (rows.isEmpty()) return List.of();
            Map<Long, List<String>> phones = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select source_link_id, coalesce(e164, raw_value) from phone
                     where source_link_id = any(?) and coalesce(e164, raw_value) is not null
                     order by source_link_id, rank, id""")) {
                ps.setArray(1, c.createArrayOf("bigint", rows.stream().map(r -> r[1]).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) phones.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
            List<UnknownContact> out = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                out.add(new UnknownContact(rows.get(i)[0], texts.get(i)[0], texts.get(i)[1],
                        phones.getOrDefault(rows.get(i)[1], List.of()).stream().distinct().toList()));
            }
            return out;
        }
    }

    /**
     * Records that the worker is now in iHRIS as {@code Practitioner/<practitionerId>}, in one transaction: an
     * {@code ihris} source link (no record yet, so the next ihris-sync stores the Practitioner on this worker rather
     * than creating another), its merge decision ({@code registered_in_ihris}), and the review flag cleared. When
     * ihris-sync already stored that Practitioner on another worker (it ran between the POST and this), the worker
     * stays under review with both ids, for a person to merge. Returns false in that case.
     */
    public boolean registered(long workerId, String contactUuid, String practitionerId) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                Long linkId = null;
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into source_link (health_worker_id, registry, source_id, content_hash) values (?, 'ihris', ?, '')
                        on conflict (registry, source_id) do nothing returning id""")) {
                    ps.setLong(1, workerId);
                    ps.setString(2, practitionerId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) linkId = rs.getLong(1);
                    }
                }
                Long owner = linkId != null ? Long.valueOf(workerId) : null;
                if (linkId == null) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "select health_worker_id from source_link where registry = 'ihris' and source_id = ?")) {
                        ps.setString(1, practitionerId);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) owner = rs.getLong(1);
                        }
                    }
                } else {
                    try (PreparedStatement ps = c.prepareStatement("""
                            insert into merge_decision (health_worker_id, source_link_id, rule, detail)
                            values (?, ?, 'registered_in_ihris', ?)""")) {
                        ps.setLong(1, workerId);
                        ps.setLong(2, linkId);
                        ps.setString(3, "created in iHRIS by mHero from RapidPro contact " + contactUuid);
                        ps.executeUpdate();
                    }
                }
                boolean mine = owner != null && owner == workerId;
                try (PreparedStatement ps = c.prepareStatement("update health_worker set review_reason = ? where id = ?")) {
                    ps.setString(1, mine ? null : "created in RapidPro and registered in iHRIS as Practitioner/" + practitionerId
                            + ", which ihris-sync stored as health worker " + owner + ": review (one person, two workers)");
                    ps.setLong(2, workerId);
                    ps.executeUpdate();
                }
                c.commit();
                return mine;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * The worker stays under review, with why its registration in iHRIS failed; it is tried again at the next pull.
     * Returns false when that was already the recorded reason (nothing written).
     */
    public boolean notRegistered(long workerId, String reason) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update health_worker set review_reason = ? where id = ? and review_reason is distinct from ?")) {
            String r = NOT_REGISTERED + reason;
            ps.setString(1, r);
            ps.setLong(2, workerId);
            ps.setString(3, r);
            return ps.executeUpdate() > 0;
        }
    }

    /** Workers known only from RapidPro (no registry has them): an operator decides before anyone messages them. */
    public int flagContactsBornInRapidPro() throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update health_worker h set review_reason = ?
                 where h.review_reason is null
                   and exists (select 1 from source_link s where s.health_worker_id = h.id and s.registry = 'rapidpro')
                   and not exists (select 1 from source_link s where s.health_worker_id = h.id and s.registry <> 'rapidpro')""")) {
            ps.setString(1, BORN_IN_RAPIDPRO);
            return ps.executeUpdate();
        }
    }

    /** The RapidPro status (active, stopped, blocked, archived) and modification time of the contacts we know. */
    public void recordStatus(Collection<RapidProContact> contacts) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update rapidpro_contact set status = ?, modified_on = ?
                 where contact_uuid = ? and (status is distinct from ? or modified_on is distinct from ?)""")) {
            for (RapidProContact ct : contacts) {
                String status = ct.status() == null ? "deleted" : ct.status().wire();
                Timestamp t = ct.modifiedOn() == null ? null : Timestamp.from(ct.modifiedOn());
                ps.setString(1, status);
                ps.setTimestamp(2, t);
                ps.setString(3, ct.uuid());
                ps.setString(4, status);
                ps.setTimestamp(5, t);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
