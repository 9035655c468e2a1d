package org.mhero.broadcast;

import org.mhero.config.ErrorSettings;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The dispatch side of the outbox: claiming batches, settling them after the channel answered, reconciling hand-overs
 * whose outcome is unknown, and delivery reports. Every method is one transaction.
 *
 * <p>Exactly-once rests on three rules. (1) A batch is written as {@code posting}, with its deliveries, before the
 * channel is called. (2) A delivery leaves {@code posting} only on the channel's answer, on a reconciliation with the
 * gateway, or on a delivery report. (3) A {@code posting} batch with no answer (a timeout, or a process killed mid-call)
 * is never sent again before the channel has said it did not create it; when the channel cannot tell, its deliveries
 * end {@code in_doubt} (an operator may replay them knowingly).
 */
public final class OutboxStore {
    private final DataSource ds;
    private final ErrorSettings retry;

    public OutboxStore(DataSource ds, ErrorSettings retry) {
        this.ds = ds;
        this.retry = retry;
    }

    /** A broadcast that has deliveries to hand over, its channel override (null = the active channel), whether it starts a flow. */
    public record Sending(long broadcastId, String channel, boolean flow) {}

    /** Broadcasts being sent, oldest first. */
    public List<Sending> sending() throws SQLException {
        List<Sending> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select id, channel, kind = 'flow' from broadcast where status = 'sending' order by id limit 1000");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(new Sending(rs.getLong(1), rs.getString(2), rs.getBoolean(3)));
        }
        return out;
    }

    /**
     * Claims up to {@code size} due pending deliveries of one broadcast (one part of it) for {@code channel}, skipping
     * rows other dispatchers hold, and writes the batch as {@code posting}. Empty when there is nothing due.
     */
    public Optional<Batch> claim(long broadcastId, String channel, int size) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<Batch> b = claim(c, broadcastId, channel, size);
                if (b.isPresent()) c.commit(); else c.rollback();
                return b;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Optional<Batch> claim(Connection c, long broadcastId, String channel, int size) throws SQLException {
        Content content;
        int part;
        try (PreparedStatement ps = c.prepareStatement("""
                select d.part, b.kind, coalesce(p.text, b.text), b.flow_uuid, b.params::text
                  from delivery d join broadcast b on b.id = d.broadcast_id
                  left join broadcast_part p on p.broadcast_id = d.broadcast_id and p.part = d.part
                 where d.broadcast_id = ? and d.status = 'pending' and b.status = 'sending'
                   and (d.next_attempt_at is null or d.next_attempt_at <= now())
                 order by d.part, d.id limit 1""")) {
            ps.setLong(1, broadcastId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                part = rs.getInt(1);
                content = content(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
            }
        }
        long batchId;
        Timestamp started;
        try (PreparedStatement ps = c.prepareStatement(
                "insert into delivery_batch (broadcast_id, part, channel, status) values (?, ?, ?, 'posting') returning id, started_at")) {
            ps.setLong(1, broadcastId);
            ps.setInt(2, part);
            ps.setString(3, channel);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                batchId = rs.getLong(1);
                started = rs.getTimestamp(2);
            }
        }
        List<Recipient> recipients = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                with picked as (
                    select id from delivery
                     where broadcast_id = ? and part = ? and status = 'pending'
                       and (next_attempt_at is null or next_attempt_at <= now())
                     order by id limit ? for update skip locked)
                update delivery d set status = 'posting', batch_id = ?, channel = ?, attempts = d.attempts + 1,
                       updated_at = now()
                  from picked where d.id = picked.id
                returning d.id, d.health_worker_id, d.phone, d.contact_uuid""")) {
            ps.setLong(1, broadcastId);
            ps.setInt(2, part);
            ps.setInt(3, size);
            ps.setLong(4, batchId);
            ps.setString(5, channel);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) recipients.add(new Recipient(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4)));
            }
        }
        if (recipients.isEmpty()) return Optional.empty();
        recipients.sort((a, b) -> Long.compare(a.deliveryId(), b.deliveryId()));
        return Optional.of(new Batch(batchId, broadcastId, part, channel, content, recipients, started.toInstant()));
    }

    /**
     * Records the channel's answer for every delivery of the batch. Retryable ones go back to pending with exponential
     * backoff from {@code org.mhero.errors}, or are dead-lettered once the attempts are used up; in-doubt ones stay
     * {@code posting} until {@link #reconciled}.
     */
    public void settle(Batch batch, SendResult result) throws SQLException {
        int n = batch.size();
        Long[] ids = new Long[n];
        String[] outcomes = new String[n];
        String[] messageIds = new String[n];
        String[] reasons = new String[n];
        for (int k = 0; k < n; k++) {
            long id = batch.recipients().get(k).deliveryId();
            SendResult.RecipientResult r = result.of(id);
            ids[k] = id;
            outcomes[k] = r.outcome().name();
            messageIds[k] = r.messageId() != null ? r.messageId() : (r.outcome() == SendResult.Outcome.ACCEPTED ? result.externalId() : null);
            reasons[k] = r.reason() != null ? truncate(r.reason(), 500) : null;
        }
        String batchStatus = switch (result.outcome()) {
            case ACCEPTED -> "accepted";
            case RETRY -> "retry";
            case FAILED -> "failed";
            case IN_DOUBT -> "in_doubt";
            case NOT_SENT -> "retry";
        };
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                apply(c, ids, outcomes, messageIds, reasons);
                try (PreparedStatement ps = c.prepareStatement("""
                        update delivery_batch set status = ?, external_id = ?, error = ?,
                               finished_at = case when ? = 'in_doubt' then null else now() end
                         where id = ?""")) {
                    ps.setString(1, batchStatus);
                    ps.setString(2, result.externalId());
                    ps.setString(3, result.reason() == null ? null : truncate(result.reason(), 500));
                    ps.setString(4, batchStatus);
                    ps.setLong(5, batch.id());
                    ps.executeUpdate();
                }
                completeIfDone(c, batch.broadcastId());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void apply(Connection c, Long[] ids, String[] outcomes, String[] messageIds, String[] reasons) throws SQLException {
        int maxAttempts = retry.maxRedeliveries() + 1;
        try (PreparedStatement ps = c.prepareStatement("""
                update delivery d set
                       status = case v.outcome
                                  when 'ACCEPTED' then 'accepted'
                                  when 'FAILED' then 'failed'
                                  when 'RETRY' then case when d.attempts >= ? then 'dead' else 'pending' end
                                  when 'NOT_SENT' then 'pending'
                                  else d.status end,
                       attempts = case when v.outcome = 'NOT_SENT' then d.attempts - 1 else d.attempts end,
                       channel_message_id = case when v.outcome = 'ACCEPTED' then v.message_id else d.channel_message_id end,
                       reason = case v.outcome
                                  when 'ACCEPTED' then null
                                  when 'NOT_SENT' then d.reason
                                  when 'RETRY' then case when d.attempts >= ? then 'gave up after ' || d.attempts || ' attempt(s): ' || coalesce(v.reason, '')
                                                         else v.reason end
                                  else coalesce(v.reason, d.reason) end,
                       batch_id = case when (v.outcome = 'RETRY' and d.attempts < ?) or v.outcome = 'NOT_SENT' then null else d.batch_id end,
                       next_attempt_at = case when v.outcome = 'RETRY' and d.attempts < ?
                                              then now() + least(? * power(?, d.attempts - 1), ?) * interval '1 millisecond'
                                              else null end,
                       updated_at = now()
                  from unnest(?::bigint[], ?::text[], ?::text[], ?::text[]) as v(id, outcome, message_id, reason)
                 where d.id = v.id and d.status = 'posting' and v.outcome <> 'IN_DOUBT'""")) {
            int k = 1;
            ps.setInt(k++, maxAttempts);
            ps.setInt(k++, maxAttempts);
            ps.setInt(k++, maxAttempts);
            ps.setInt(k++, maxAttempts);
            ps.setDouble(k++, retry.initialDelayMs());
            ps.setDouble(k++, retry.backoffMultiplier());
            ps.setDouble(k++, retry.maxDelayMs());
            ps.setArray(k++, c.createArrayOf("bigint", ids));
            ps.setArray(k++, c.createArrayOf("text", outcomes));
            ps.setArray(k++, c.createArrayOf("text", messageIds));
            ps.setArray(k, c.createArrayOf("text", reasons));
            ps.executeUpdate();
        }
    }

    /**
     * Batches whose hand-over got no answer (timed out, or mHero stopped mid-call) for longer than {@code stale}: they
     * need the channel's word before anything is sent again.
     */
    public List<Batch> unsettled(Duration stale, int limit) throws SQLException {
        List<Batch> out = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            List<long[]> heads = new ArrayList<>();
            List<String> channels = new ArrayList<>();
            List<Timestamp> starts = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select id, broadcast_id, part, channel, started_at from delivery_batch
                     where status in ('posting', 'in_doubt') and finished_at is null
                       and started_at < now() - ? * interval '1 millisecond'
                     order by id limit ?""")) {
                ps.setLong(1, stale.toMillis());
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        heads.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getInt(3)});
                        channels.add(rs.getString(4));
                        starts.add(rs.getTimestamp(5));
                    }
                }
            }
            for (int i = 0; i < heads.size(); i++) {
                long[] h = heads.get(i);
                Content content;
                try (PreparedStatement ps = c.prepareStatement("""
                        select b.kind, coalesce(p.text, b.text), b.flow_uuid, b.params::text from broadcast b
                          left join broadcast_part p on p.broadcast_id = b.id and p.part = ? where b.id = ?""")) {
                    ps.setInt(1, (int) h[2]);
                    ps.setLong(2, h[1]);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        content = content(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
                    }
                }
                List<Recipient> recipients = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        select id, health_worker_id, phone, contact_uuid from delivery
                         where batch_id = ? and status = 'posting' order by id""")) {
                    ps.setLong(1, h[0]);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) recipients.add(new Recipient(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4)));
                    }
                }
                out.add(new Batch(h[0], h[1], (int) h[2], channels.get(i), content, recipients, starts.get(i).toInstant()));
            }
        }
        return out;
    }

    /**
     * The channel's word on an unsettled batch: created (the deliveries are accepted), not created (they go back to the
     * outbox, counting the attempt), or it cannot tell (they end {@code in_doubt}).
     */
    public void reconciled(Batch batch, Channel.ReconcileResult answer) throws SQLException {
        switch (answer.answer()) {
            case CREATED -> settle(batch, SendResult.accepted(answer.externalId()));
            case NOT_CREATED -> {
                settle(batch, SendResult.retry("the gateway did not create it (checked after no answer)"));
                markBatch(batch.id(), "not_created", "not created (reconciled)");
            }
            case CANNOT_TELL -> {
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(false);
                    try {
                        try (PreparedStatement ps = c.prepareStatement("""
                                update delivery set status = 'in_doubt', updated_at = now(),
                                       reason = 'handed over without an answer; the gateway cannot say whether it took it, so it is not re-sent'
                                 where batch_id = ? and status = 'posting'""")) {
                            ps.setLong(1, batch.id());
                            ps.executeUpdate();
                        }
                        try (PreparedStatement ps = c.prepareStatement(
                                "update delivery_batch set status = 'in_doubt', finished_at = now() where id = ?")) {
                            ps.setLong(1, batch.id());
                            ps.executeUpdate();
                        }
                        completeIfDone(c, batch.broadcastId());
                        c.commit();
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        throw e;
                    }
                }
            }
        }
    }

    private void markBatch(long batchId, String status, String error) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update delivery_batch set status = ?, error = ?, finished_at = now() where id = ?")) {
            ps.setString(1, status);
            ps.setString(2, error);
            ps.setLong(3, batchId);
            ps.executeUpdate();
        }
    }

    /** Marks the broadcast completed when nothing of it is pending or being handed over. */
    public boolean completeIfDone(long broadcastId) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return completeIfDone(c, broadcastId);
        }
    }

    private static boolean completeIfDone(Connection c, long broadcastId) throws SQLException {
        // Two workers settling the last two batches of one broadcast at once would each see the other's deliveries
        // still 'posting' (uncommitted) and neither would complete it. Locking the broadcast row first serialises the
        // check: the second one's statement starts after the first committed, so it sees every settled delivery.
        // FOR NO KEY UPDATE, not FOR UPDATE: a claim holds FOR KEY SHARE on the row (its delivery_batch insert checks the
        // foreign key) while its SKIP LOCKED scan may still wait for a delivery this settle has just updated (SKIP
        // LOCKED does not skip the newer version of a row updated since the scan's snapshot); FOR UPDATE would wait for
        // that claim, a deadlock (seen at 200k recipients, two workers). NO KEY UPDATE still excludes other checks.
        try (PreparedStatement ps = c.prepareStatement("select 1 from broadcast where id = ? for no key update")) {
            ps.setLong(1, broadcastId);
            ps.executeQuery().close();
        }
        // While anything is pending (most of a broadcast's life) the answer is no, and the partial index delivery_pending
        // says so at once; the check below has no index for 'posting' and reads every delivery of the broadcast that is
        // already settled, which made each settle (and each delivery report) cost O(N) with the row lock held.
        try (PreparedStatement ps = c.prepareStatement(
                "select exists (select 1 from delivery where broadcast_id = ? and status = 'pending')")) {
            ps.setLong(1, broadcastId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) return false;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update broadcast set status = 'completed', finished_at = now()
                 where id = ? and status = 'sending'
                   and not exists (select 1 from delivery where broadcast_id = ? and status in ('pending', 'posting'))""")) {
            ps.setLong(1, broadcastId);
            ps.setLong(2, broadcastId);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * A delivery report for one of our deliveries (Kannel's {@code dlr-url} carries our delivery id). Moves the status
     * forward only; returns whether it changed anything. Unknown ids and stale reports are ignored.
     */
    public boolean report(long deliveryId, DeliveryState state, String rawCode, String reason) throws SQLException {
        return report("id = ?", ps -> {
            ps.setLong(1, deliveryId);
            return 2;
        }, state, rawCode, reason);
    }

    /** The same, matched by the gateway's message id (Africa's Talking {@code messageId}) on a channel. */
    public boolean reportByMessageId(String channel, String messageId, DeliveryState state, String rawCode, String reason)
            throws SQLException {
        return report("channel_message_id = ? and channel = ?", ps -> {
            ps.setString(1, messageId);
            ps.setString(2, channel);
            return 3;
        }, state, rawCode, reason);
    }

    /**
     * The same for a gateway that reports by hand-over and number (Kannel's {@code dlr-url} carries the batch id, Kannel
     * fills in the number): a broadcast never messages one number twice, so batch and number name one delivery.
     */
    public boolean reportByBatchAndPhone(String channel, long batchId, String phone, DeliveryState state, String rawCode,
                                         String reason) throws SQLException {
        return report("batch_id = ? and phone = ? and channel = ?", ps -> {
            ps.setLong(1, batchId);
            ps.setString(2, phone);
            ps.setString(3, channel);
            return 4;
        }, state, rawCode, reason);
    }

    /** Whether a delivery on {@code channel} carries this gateway message id (a report that changed nothing was stale). */
    public boolean knowsMessageId(String channel, String messageId) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select exists (select 1 from delivery where channel_message_id = ? and channel = ?)")) {
            ps.setString(1, messageId);
            ps.setString(2, channel);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Whether a hand-over on {@code channel} is under way (its answer not recorded yet). */
    public boolean handingOver(String channel) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select exists (select 1 from delivery_batch where status = 'posting' and channel = ?)")) {
            ps.setString(1, channel);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Binds the where clause's parameters from index 1; returns the next free index. */
    private interface Binder { int bind(PreparedStatement ps) throws SQLException; }

    private boolean report(String where, Binder binder, DeliveryState state, String rawCode, String reason) throws SQLException {
        String from = switch (state) {
            case ACCEPTED -> "'posting', 'in_doubt'";
            case SENT -> "'posting', 'in_doubt', 'accepted'";
            case DELIVERED, FAILED -> "'posting', 'in_doubt', 'accepted', 'sent'";
        };
        long broadcastId = -1;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean wasPosting = false;
                try (PreparedStatement ps = c.prepareStatement(
                        "with target as (select id, status from delivery where " + where + " and status in (" + from + ") for update) "
                                + "update delivery d set status = ?, gateway_status = ?, "
                                + "reason = case when ? = 'failed' then ? else d.reason end, updated_at = now() "
                                + "from target where d.id = target.id returning d.broadcast_id, target.status = 'posting'")) {
                    int k = binder.bind(ps);
                    ps.setString(k, state.column());
                    ps.setString(k + 1, rawCode == null ? null : truncate(rawCode, 100));
                    ps.setString(k + 2, state.column());
                    ps.setString(k + 3, reason == null ? null : truncate(reason, 500));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            broadcastId = rs.getLong(1);
                            wasPosting = rs.getBoolean(2);
                        }
                    }
                }
                // only a delivery leaving 'posting' can complete the broadcast (completion waits for pending and posting
                // ones); a report on an accepted, sent or in-doubt delivery, the usual case, leaves the broadcast row alone
                if (wasPosting) completeIfDone(c, broadcastId);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return broadcastId >= 0;
    }

    /** A broadcast's content from its kind, (part) text, flow uuid and params. */
    private static Content content(String kind, String text, String flowUuid, String params) {
        return "flow".equals(kind) ? new Content.FlowStart(flowUuid, params) : new Content.Text(text);
    }

    static String truncate(String s, int max) { return s.length() <= max ? s : s.substring(0, max - 1) + "…"; }
}
