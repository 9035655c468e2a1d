package org.mhero.broadcast;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A message to one health worker (a reply, a quiz question, a flow started by a trigger word) written into the outbox
 * as a one-recipient broadcast inside the caller's transaction. {@code origin} names what caused it
 * ({@code inbound:<id>:reply}, {@code quiz:<enrolment>:<question>}); it is unique, so writing it again is a no-op and
 * nothing is ever sent twice. The dispatcher sends it like any broadcast: active channel, retries, delivery reports.
 */
public final class DirectMessage {
    private DirectMessage() {}

    /**
     * Writes it unless its origin exists; returns the broadcast id, or -1 when it was already there. {@code phone} is
     * the number to use (E.164; null = the worker's first usable number). A reply goes even to an opted-out worker when
     * {@code evenIfOptedOut} (it answers what they just sent, STOP included); otherwise an opted-out worker's delivery is
     * written as skipped.
     */
    public static long write(Connection c, long workerId, String phone, String text, String flowUuid, String title, String origin,
                             boolean evenIfOptedOut) throws SQLException {
        long broadcastId;
        try (PreparedStatement ps = c.prepareStatement("""
                insert into broadcast (title, kind, text, flow_uuid, target, status, created_by, started_at, recipients, origin)
                values (?, ?, ?, ?, jsonb_build_object('workers', jsonb_build_array(?::bigint)), 'sending', ?, now(), 1, ?)
                on conflict (origin) do nothing returning id""")) {
            ps.setString(1, title);
            ps.setString(2, flowUuid != null ? "flow" : "text");
            ps.setString(3, flowUuid != null ? null : text);
            ps.setString(4, flowUuid);
            ps.setLong(5, workerId);
            ps.setString(6, origin.substring(0, origin.indexOf(':')));
            ps.setString(7, origin);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return -1;
                broadcastId = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into delivery (broadcast_id, health_worker_id, phone, contact_uuid, status, reason)
                select ?, h.id, ph.e164, rc.contact_uuid,
                       case when ph.e164 is null and rc.contact_uuid is null then 'skipped'
                            when h.opted_out and not ? then 'skipped' else 'pending' end,
                       case when ph.e164 is null and rc.contact_uuid is null then 'no valid phone number'
                            when h.opted_out and not ? then 'opted out' end
                  from health_worker h
                  left join rapidpro_contact rc on rc.health_worker_id = h.id
                  left join lateral (select coalesce(?, (select e164 from phone p where p.health_worker_id = h.id and p.e164 is not null
                                                         order by p.is_primary desc, p.rank, p.id limit 1)) as e164) ph on true
                 where h.id = ?""")) {
            ps.setLong(1, broadcastId);
            ps.setBoolean(2, evenIfOptedOut);
            ps.setBoolean(3, evenIfOptedOut);
            ps.setString(4, phone);
            ps.setLong(5, workerId);
            if (ps.executeUpdate() == 0) throw new SQLException("health worker " + workerId + " vanished");
        }
        // a broadcast whose only delivery is skipped is complete at once
        try (PreparedStatement ps = c.prepareStatement("""
                update broadcast set status = 'completed', finished_at = now()
                 where id = ? and not exists (select 1 from delivery where broadcast_id = ? and status = 'pending')""")) {
            ps.setLong(1, broadcastId);
            ps.setLong(2, broadcastId);
            ps.executeUpdate();
        }
        return broadcastId;
    }
}
