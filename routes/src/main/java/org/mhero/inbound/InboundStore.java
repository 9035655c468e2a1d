package org.mhero.inbound;

import org.mhero.config.ErrorSettings;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.phone.PhoneResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The inbound messages table: persist first (a repeated external id is a harmless duplicate), claim for routing with
 * {@code FOR UPDATE SKIP LOCKED} (the fast path claims one by id, the poller the due ones), settle in one transaction
 * with whatever is sent back, retry technical failures with backoff from {@code org.mhero.errors}.
 */
public final class InboundStore {
    /** The outcome of an intake: the row's id, and whether it was already there (a retry or a replay of the sender). */
    public record Stored(long id, boolean duplicate) {}

    /** One message for the inbox review. {@code sender} is masked unless asked for in full. */
    public record InboxItem(long id, String source, String intake, Instant receivedAt, String sender, Long healthWorkerId,
                            String worker, String text, String flowUuid, String status, String route, String outcome, int attempts) {}

    /** How long a new message is left to the fast path before the poller takes it. */
    static final int FAST_PATH_SECONDS = 3;

    private final DataSource ds;
    private final PhoneNormalizer phones;
    private final ErrorSettings retry;

    public InboundStore(DataSource ds, PhoneNormalizer phones, ErrorSettings retry) {
        this.ds = ds;
        this.phones = phones;
        this.retry = retry;
    }

    /** Stores a message unless its source already gave one with this external id. */
    public Stored receive(Received r) throws SQLException {
        String sender = r.sender();
        if (sender != null) {
            List<PhoneResult> n = phones.normalize(sender);
            if (!n.isEmpty() && n.get(0).isValid()) sender = n.get(0).e164();
        }
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into inbound_message (source, external_id, intake, sent_at, sender, urn, contact_uuid, text, flow_uuid, results)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
                    on conflict (source, external_id) do nothing returning id""")) {
                ps.setString(1, r.source());
                ps.setString(2, r.externalId());
                ps.setString(3, r.intake());
                ps.setTimestamp(4, r.sentAt() == null ? null : Timestamp.from(r.sentAt()));
                ps.setString(5, sender);
                ps.setString(6, r.urn());
                ps.setString(7, r.contactUuid());
                ps.setString(8, r.text());
                ps.setString(9, r.flowUuid());
                ps.setString(10, r.resultsJson());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) return new Stored(rs.getLong(1), false);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select id from inbound_message where source = ? and external_id = ?")) {
                ps.setString(1, r.source());
                ps.setString(2, r.externalId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new SQLException("inbound message vanished between insert and select");
                    return new Stored(rs.getLong(1), true);
                }
            }
        }
    }

    private static final String CLAIMED = """
            returning m.id, m.source, m.external_id, m.intake, m.received_at, m.sender, m.contact_uuid, m.health_worker_id,
                      m.text, m.flow_uuid, m.results::text, m.attempts""";

    /** The fast path: claims this message if nobody routed or is routing it. */
    public Optional<InboundMessage> claim(long id, Duration stale) throws SQLException {
        List<InboundMessage> l = claim("m.id = ? and m.status = 'received'", stale, (ps, k) -> ps.setLong(k, id));
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** The poller: messages never routed, due for a retry, or whose routing was interrupted longer than {@code stale} ago. */
    public List<InboundMessage> claimDue(int limit, Duration stale) throws SQLException {
        // a message received in the last few seconds and never tried is the fast path's: taking a backlog of them here
        // would route it one by one on the poller's single thread while the fast path's consumers wait
        return claim("m.id in (select id from inbound_message where status in ('received', 'routing')"
                + " and (next_attempt_at <= now() or (next_attempt_at is null and received_at < now() - interval '" + FAST_PATH_SECONDS
                + " seconds')) order by id limit ? for update skip locked)",
                stale, (ps, k) -> ps.setInt(k, limit));
    }

    /** Binds the where clause's parameters from index {@code first} on. */
    private interface Binder { void bind(PreparedStatement ps, int first) throws SQLException; }

    private List<InboundMessage> claim(String where, Duration stale, Binder binder) throws SQLException {
        List<InboundMessage> out = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                // 'routing' with next_attempt_at = when it counts as interrupted; the sender is resolved to a worker here
                try (PreparedStatement ps = c.prepareStatement("update inbound_message m set status = 'routing', attempts = m.attempts + 1, "
                        + "next_attempt_at = now() + ? * interval '1 second' where " + where + " " + CLAIMED)) {
                    ps.setLong(1, stale.toSeconds());
                    binder.bind(ps, 2);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.add(row(rs));
                    }
                }
                List<InboundMessage> resolved = new ArrayList<>(out.size());
                for (InboundMessage m : out) resolved.add(m.healthWorkerId() != null ? m : resolve(c, m));
                c.commit();
                return resolved;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Finds the sender among the health workers: by RapidPro contact, else by a number only one worker has. */
    private InboundMessage resolve(Connection c, InboundMessage m) throws SQLException {
        Long worker = null;
        String problem = null;
        if (m.contactUuid() != null) {
            try (PreparedStatement ps = c.prepareStatement("select health_worker_id from rapidpro_contact where contact_uuid = ?")) {
                ps.setString(1, m.contactUuid());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) worker = rs.getLong(1);
                }
            }
        }
        if (worker == null && m.sender() != null && m.sender().startsWith("+")) {
            try (PreparedStatement ps = c.prepareStatement(
                    "select distinct p.health_worker_id from phone p where p.e164 = ? order by 1 limit 10")) {
                ps.setString(1, m.sender());
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getLong(1));
                }
                if (ids.size() == 1) worker = ids.get(0);
                else if (ids.size() > 1) problem = "the number is shared by " + ids.size() + " health workers: a person has to say who sent it";
            }
        }
        if (worker == null && problem == null) problem = "unknown sender: no health worker has this number or RapidPro contact";
        if (worker != null) {
            try (PreparedStatement ps = c.prepareStatement("update inbound_message set health_worker_id = ? where id = ?")) {
                ps.setLong(1, worker);
                ps.setLong(2, m.id());
                ps.executeUpdate();
            }
        }
        return new InboundMessage(m.id(), m.source(), m.externalId(), m.intake(), m.receivedAt(), m.sender(), m.contactUuid(),
                worker, m.text(), m.flowUuid(), m.resultsJson(), m.attempts(), problem);
    }

    private static InboundMessage row(ResultSet rs) throws SQLException {
        long w = rs.getLong(8);
        Long worker = rs.wasNull() ? null : w;
        return new InboundMessage(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant(),
                rs.getString(6), rs.getString(7), worker, rs.getString(9), rs.getString(10), rs.getString(11), rs.getInt(12), null);
    }

    /**
     * Records how the message was routed and writes what goes back to the sender as one-recipient broadcasts into the
     * outbox, in one transaction. A broadcast named by its origin is written once, however often this runs.
     */
    public void settle(InboundMessage m, Handled h) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Handled.Outgoing o : h.outgoing()) {
                    if (m.healthWorkerId() != null) outgoing(c, m, o);
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        update inbound_message set status = ?, route = ?, outcome = ?, routed_at = now(), next_attempt_at = null
                         where id = ?""")) {
                    ps.setString(1, h.status());
                    ps.setString(2, h.route().id());
                    ps.setString(3, truncate(h.outcome(), 1000));
                    ps.setLong(4, m.id());
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void outgoing(Connection c, InboundMessage m, Handled.Outgoing o) throws SQLException {
        // to the number the message came from when it parsed, else the worker's first usable one
        String phone = m.sender() != null && m.sender().startsWith("+") ? m.sender() : null;
        org.mhero.broadcast.DirectMessage.write(c, m.healthWorkerId(), phone, o.text(), o.flowUuid(),
                (o.flowUuid() != null ? "trigger for inbound " : "reply to inbound ") + m.id(), "inbound:" + m.id() + ":" + o.key(), true);
    }

    /** The route's onException: {@link #retryLater} with the failure described without the message's content. */
    public void failed(InboundMessage m, Throwable e) throws SQLException {
        retryLater(m, org.mhero.store.Failures.describe(e));
    }

    /** A technical failure: routed again after the backoff of {@code org.mhero.errors}, or failed for a person once used up. */
    public void retryLater(InboundMessage m, String reason) throws SQLException {
        int maxAttempts = retry.maxRedeliveries() + 1;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update inbound_message set
                       status = case when attempts >= ? then 'failed' else 'received' end,
                       outcome = case when attempts >= ? then 'gave up after ' || attempts || ' attempt(s): ' || ? else ? end,
                       next_attempt_at = case when attempts >= ? then null
                                              else now() + least(? * power(?, attempts - 1), ?) * interval '1 millisecond' end
                 where id = ? and status = 'routing'""")) {
            String r = truncate(reason, 900);
            ps.setInt(1, maxAttempts);
            ps.setInt(2, maxAttempts);
            ps.setString(3, r);
            ps.setString(4, r);
            ps.setInt(5, maxAttempts);
            ps.setLong(6, retry.initialDelayMs());
            ps.setDouble(7, retry.backoffMultiplier());
            ps.setLong(8, retry.maxDelayMs());
            ps.setLong(9, m.id());
            ps.executeUpdate();
        }
    }

    /** Puts failed messages (one, or all when {@code id} is 0) back to be routed again; returns how many. */
    public int replay(long id) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update inbound_message set status = 'received', attempts = 0, next_attempt_at = null, outcome = 'replayed: ' || coalesce(outcome, '')"
                        + " where status = 'failed' and (? = 0 or id = ?)")) {
            ps.setLong(1, id);
            ps.setLong(2, id);
            return ps.executeUpdate();
        }
    }

    /**
     * The inbox review, newest first: optionally only one status ({@code inbox}, {@code failed}, ...) or route, messages
     * whose text contains {@code search} (case-insensitive), before id {@code beforeId} (0 = from the newest).
     */
    public List<InboxItem> inbox(String status, String route, String search, long beforeId, int limit, boolean fullNumbers) throws SQLException {
        StringBuilder sql = new StringBuilder("""
                select m.id, m.source, m.intake, m.received_at, m.sender, m.health_worker_id, h.display_name, m.text, m.flow_uuid,
                       m.status, m.route, m.outcome, m.attempts
                  from inbound_message m left join health_worker h on h.id = m.health_worker_id where true""");
        List<Object> args = new ArrayList<>();
        if (status != null) { sql.append(" and m.status = ?"); args.add(status); }
        if (route != null) { sql.append(" and m.route = ?"); args.add(route); }
        if (search != null) { sql.append(" and strpos(lower(m.text), lower(?)) > 0"); args.add(search); }
        if (beforeId > 0) { sql.append(" and m.id < ?"); args.add(beforeId); }
        sql.append(" order by m.id desc limit ?");
        args.add(limit);
        List<InboxItem> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int k = 0; k < args.size(); k++) {
                Object a = args.get(k);
                if (a instanceof Long l) ps.setLong(k + 1, l);
                else if (a instanceof Integer i) ps.setInt(k + 1, i);
                else ps.setObject(k + 1, a, Types.VARCHAR);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long w = rs.getLong(6);
                    Long worker = rs.wasNull() ? null : w;
                    String sender = rs.getString(5);
                    out.add(new InboxItem(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            fullNumbers || sender == null ? sender : PhoneNormalizer.mask(sender), worker, rs.getString(7), rs.getString(8),
                            rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getInt(13)));
                }
            }
        }
        return out;
    }

    /** A reconciliation watermark ({@code sync_watermark}), or null before the first walk. */
    public Instant watermark(String source) throws SQLException { return org.mhero.store.Watermarks.read(ds, source); }

    public void watermark(String source, Instant value) throws SQLException { org.mhero.store.Watermarks.advance(ds, source, value); }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
