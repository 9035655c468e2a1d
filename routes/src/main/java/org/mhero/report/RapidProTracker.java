package org.mhero.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.mhero.rapidpro.Page;
import org.mhero.rapidpro.RapidProClient;
import org.mhero.rapidpro.RapidProTimes;
import org.mhero.store.Watermarks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads back from RapidPro what happened to the broadcasts and flow starts it accepted from mHero, for the reports:
 * <ul>
 *   <li>a text broadcast: its messages ({@code messages.json?broadcast=<id>}), whose status moves each recipient's
 *       delivery to sent, delivered or failed;</li>
 *   <li>a flow start: the flow's runs ({@code runs.json?flow=&after=&reverse=true}, from a per-flow watermark;
 *       inclusive, so a run seen twice is an upsert of the same row) into {@code flow_run}, matched to the start by
 *       {@code start.uuid} and to the recipient by contact or URN; and the flow's outgoing messages
 *       ({@code messages.json?folder=sent|failed&after=<the start>}) for delivery: delivered when any of them was.</li>
 * </ul>
 * Operators' broadcasts and flow starts are followed, and each quiz's first question. A batch is followed until
 * nothing can change any more (every delivery delivered or failed, and every delivered
 * flow recipient's run ended) or for {@code track.hours}. Messages are not ordered by modification, so the flows'
 * message folders are walked again (once for all flows) from the oldest flow start still followed, at most
 * {@code track.max.pages} pages per folder and pass; at most {@code track.max.batches} batches per pass. All calls go through the workspace's rate limiter, shared with contact sync and broadcasts.
 */
public final class RapidProTracker {
    private static final Logger LOG = LoggerFactory.getLogger(RapidProTracker.class);
    /** How far before a batch's start (clock skew between mHero and RapidPro) its runs and messages are looked for. */
    static final Duration SKEW = Duration.ofMinutes(10);

    /** What one pass did. */
    public record Result(int batches, int calls, int deliveriesUpdated, int runsStored, int finished) {}

    private record Open(long id, long broadcastId, String kind, String externalId, String flowUuid, Instant startedAt) {}

    /** A recipient's status as RapidPro reported it: contact uuid, URN, our delivery status. */
    private record Status(String contact, String urn, String status) {}

    private final Supplier<RapidProClient> client;
    private final DataSource ds;
    private final int trackHours;
    private final int maxPages;
    private final int maxBatches;

    public RapidProTracker(Supplier<RapidProClient> client, DataSource ds, int trackHours, int maxPages, int maxBatches) {
        this.client = client;
        this.ds = ds;
        this.trackHours = trackHours;
        this.maxPages = maxPages;
        this.maxBatches = maxBatches;
    }

    /** One pass over every RapidPro batch still followed. */
    public Result track() throws SQLException {
        RapidProClient c = client.get();
        if (c == null) {
            LOG.debug("Report tracking skipped: the RapidPro flow is not running");
            return new Result(0, 0, 0, 0, 0);
        }
        List<Open> open = open();
        if (open.isEmpty()) return new Result(0, 0, 0, 0, 0);
        int[] calls = {0};
        int updated = 0, runs = 0;
        Map<String, List<Open>> flows = new LinkedHashMap<>();
        for (Open b : open) {
            if ("flow".equals(b.kind())) flows.computeIfAbsent(b.flowUuid(), k -> new ArrayList<>()).add(b);
            else updated += apply(List.of(b), broadcastStatuses(c, b, calls));
        }
        for (String flow : flows.keySet()) runs += runs(c, flow, calls);
        if (!flows.isEmpty()) {
            Map<String, List<Status>> statuses = flowStatuses(c, flows, calls);
            for (Map.Entry<String, List<Open>> f : flows.entrySet()) updated += apply(f.getValue(), statuses.getOrDefault(f.getKey(), List.of()));
        }
        int finished = settle(open);
        if (updated > 0 || runs > 0 || finished > 0) {
            LOG.info("Report tracking: {} RapidPro batch(es), {} call(s), {} delivery status(es) updated, {} run(s) stored, {} batch(es) finished",
                    open.size(), calls[0], updated, runs, finished);
        }
        return new Result(open.size(), calls[0], updated, runs, finished);
    }

    /**
     * The accepted RapidPro batches still followed: operators' broadcasts and flow starts, and each quiz's first
     * question (what the reports count as reached; other replies and questions are not read back, which would cost a
     * call each). At most {@code track.max.batches}, the ones looked at longest ago first, so every batch gets its turn.
     */
    private List<Open> open() throws SQLException {
        return followed(null, maxBatches);
    }

    /**
     * The followed batches, of one flow or (flow null) of all, the ones looked at longest ago first, at most
     * {@code limit}.
     */
    private List<Open> followed(String flow, int limit) throws SQLException {
        List<Open> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select db.id, db.broadcast_id, b.kind, db.external_id, b.flow_uuid, db.started_at
                  from delivery_batch db join broadcast b on b.id = db.broadcast_id
                 where db.channel = 'rapidpro' and not db.tracking_done and db.status = 'accepted' and db.external_id is not null
                   and (b.origin is null or b.origin like 'quiz:%:1') and (cast(? as text) is null or b.flow_uuid = ?)
                 order by db.tracked_at nulls first, db.started_at, db.id limit ?""")) {
            ps.setString(1, flow);
            ps.setString(2, flow);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Open(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getTimestamp(6).toInstant()));
                }
            }
        }
        return out;
    }

    /** The earliest start of {@code batches}, less the clock skew allowed: where their runs and messages are looked for. */
    private static Instant floor(List<Open> batches) {
        return batches.stream().map(Open::startedAt).min(Instant::compareTo).orElseThrow().minus(SKEW);
    }

    private List<Status> broadcastStatuses(RapidProClient c, Open b, int[] calls) {
        List<Status> out = new ArrayList<>();
        Page<JsonNode> p = c.broadcastMessages(b.externalId(), null);
        for (int pages = 1; ; pages++) {
            calls[0]++;
            for (JsonNode m : p.results()) {
                String s = status(m.path("status").asText());
                if (s != null && !"in".equals(m.path("direction").asText())) {
                    out.add(new Status(m.path("contact").path("uuid").asText(null), m.path("urn").asText(null), s));
                }
            }
            if (!p.hasNext() || pages >= maxPages) break;
            p = c.broadcastMessages(b.externalId(), p.next());
        }
        return out;
    }

    /**
     * The followed flows' outgoing messages since the oldest followed start (each folder walked once for all flows):
     * per flow and contact, the best status any of them reached.
     */
    private Map<String, List<Status>> flowStatuses(RapidProClient c, Map<String, List<Open>> flows, int[] calls) {
        Instant after = floor(flows.values().stream().flatMap(List::stream).toList());
        Map<String, Map<String, Status>> best = new HashMap<>();
        for (String folder : List.of("sent", "failed")) {
            Page<JsonNode> p = c.folderMessagesSince(folder, after, null);
            for (int pages = 1; ; pages++) {
                calls[0]++;
                for (JsonNode m : p.results()) {
                    String flow = m.path("flow").path("uuid").asText(null);
                    if (flow == null || !flows.containsKey(flow) || "in".equals(m.path("direction").asText())) continue;
                    String s = status(m.path("status").asText());
                    String contact = m.path("contact").path("uuid").asText(null);
                    if (s == null || contact == null) continue;
                    Map<String, Status> perContact = best.computeIfAbsent(flow, k -> new HashMap<>());
                    Status was = perContact.get(contact);
                    if (was == null || rank(s) > rank(was.status())) perContact.put(contact, new Status(contact, m.path("urn").asText(null), s));
                }
                if (!p.hasNext()) break;
                if (pages >= maxPages) {
                    LOG.warn("Report tracking: the {} folder has more than {} pages since the oldest followed flow start; older messages "
                            + "are not read (each pass starts again from the newest): raise track.max.pages or lower track.hours", folder, maxPages);
                    break;
                }
                p = c.folderMessagesSince(folder, after, p.next());
            }
        }
        Map<String, List<Status>> out = new HashMap<>();
        best.forEach((flow, perContact) -> out.put(flow, new ArrayList<>(perContact.values())));
        return out;
    }

    /** Delivered beats sent beats failed: a contact with one delivered flow message was reached. */
    private static int rank(String status) {
        return switch (status) {
            case "delivered" -> 3;
            case "sent" -> 2;
            default -> 1;
        };
    }

    /** RapidPro's message status as a delivery status, or null while it tells nothing yet (queued, errored = retrying). */
    static String status(String rapidpro) {
        return switch (rapidpro) {
            case "wired", "sent" -> "sent";
            case "delivered", "read" -> "delivered";
            case "failed" -> "failed";
            default -> null;
        };
    }

    /**
     * Moves the batches' deliveries forward to the statuses reported (never back: a delivered or failed one stays), by
     * contact uuid or URN. Returns how many changed.
     */
    private int apply(List<Open> batches, List<Status> statuses) throws SQLException {
        if (statuses.isEmpty()) return 0;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update delivery d set status = v.status, gateway_status = 'rapidpro:' || v.status, updated_at = now()
                  from unnest(?::text[], ?::text[], ?::text[]) as v(contact, urn, status)
                 where d.batch_id = any(?) and (d.contact_uuid = v.contact or 'tel:' || d.phone = v.urn)
                   and (d.status in ('accepted', 'in_doubt') or (d.status = 'sent' and v.status <> 'sent'))""")) {
            ps.setArray(1, c.createArrayOf("text", statuses.stream().map(Status::contact).toArray()));
            ps.setArray(2, c.createArrayOf("text", statuses.stream().map(Status::urn).toArray()));
            ps.setArray(3, c.createArrayOf("text", statuses.stream().map(Status::status).toArray()));
            ps.setArray(4, c.createArrayOf("bigint", batches.stream().map(Open::id).toArray()));
            return ps.executeUpdate();
        }
    }

    /**
     * Walks the flow's runs modified since its watermark and stores those of every followed start of the flow, not only
     * the ones picked this pass: the watermark is the flow's, so runs of a start left for a later pass would be passed
     * over for good.
     */
    private int runs(RapidProClient c, String flow, int[] calls) throws SQLException {
        String key = "report:runs:" + flow;
        List<Open> starts = followed(flow, Integer.MAX_VALUE);
        if (starts.isEmpty()) return 0;
        Instant floor = floor(starts);
        Instant wm = Watermarks.read(ds, key);
        Instant after = wm == null || wm.isBefore(floor) ? floor : wm;
        Map<String, Open> byStart = new HashMap<>();
        starts.forEach(s -> byStart.put(s.externalId(), s));
        Instant newest = after;
        int stored = 0;
        Page<JsonNode> p = c.runsModifiedSince(flow, after, null);
        for (int pages = 1; ; pages++) {
            calls[0]++;
            List<JsonNode> mine = new ArrayList<>();
            for (JsonNode run : p.results()) {
                Instant modified = RapidProTimes.parse(run.path("modified_on").asText());
                if (modified != null && modified.isAfter(newest)) newest = modified;
                if (byStart.containsKey(run.path("start").path("uuid").asText(""))) mine.add(run);
            }
            stored += store(mine, byStart);
            if (!p.hasNext() || pages >= maxPages) break;
            p = c.runsModifiedSince(flow, null, p.next());
        }
        // the watermark moves only after everything up to it was stored (a page limit leaves the rest for the next pass,
        // which starts again at the newest time stored: inclusive, so nothing in between is skipped)
        if (newest.isAfter(after)) Watermarks.advance(ds, key, newest);
        return stored;
    }

    private int store(List<JsonNode> runs, Map<String, Open> byStart) throws SQLException {
        if (runs.isEmpty()) return 0;
        int n = 0;
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into flow_run (uuid, batch_id, broadcast_id, delivery_id, health_worker_id, flow_uuid, contact_uuid,
                                      responded, answered, exit_type, modified_on)
                select ?, ?, ?, d.id, d.health_worker_id, ?, ?, ?, ?, ?, ?
                  from (select 1) one left join lateral (
                        select id, health_worker_id from delivery
                         where batch_id = ? and (contact_uuid = ? or 'tel:' || phone = ?) order by id limit 1) d on true
                on conflict (uuid) do update set responded = excluded.responded, answered = excluded.answered,
                       exit_type = excluded.exit_type, modified_on = excluded.modified_on,
                       delivery_id = coalesce(excluded.delivery_id, flow_run.delivery_id),
                       health_worker_id = coalesce(excluded.health_worker_id, flow_run.health_worker_id), updated_at = now()
                 where (flow_run.modified_on is null or excluded.modified_on >= flow_run.modified_on)
                   and ((flow_run.responded, flow_run.answered, flow_run.exit_type, flow_run.delivery_id)
                        is distinct from (excluded.responded, excluded.answered, excluded.exit_type, coalesce(excluded.delivery_id, flow_run.delivery_id)))""")) {
            for (JsonNode run : runs) {
                Open b = byStart.get(run.path("start").path("uuid").asText());
                String contact = run.path("contact").path("uuid").asText(null);
                String urn = run.path("contact").path("urn").asText(null);
                Instant modified = RapidProTimes.parse(run.path("modified_on").asText());
                int k = 1;
                ps.setString(k++, run.path("uuid").asText());
                ps.setLong(k++, b.id());
                ps.setLong(k++, b.broadcastId());
                ps.setString(k++, b.flowUuid());
                ps.setString(k++, contact);
                ps.setBoolean(k++, run.path("responded").asBoolean(false));
                ps.setInt(k++, run.path("values").size());
                ps.setString(k++, run.path("exit_type").isTextual() ? run.path("exit_type").asText() : null);
                ps.setTimestamp(k++, modified == null ? null : Timestamp.from(modified));
                ps.setLong(k++, b.id());
                ps.setString(k++, contact);
                ps.setString(k, urn);
                ps.addBatch();
            }
            for (int r : ps.executeBatch()) n += Math.max(r, 0);
        }
        return n;
    }

    /**
     * Marks each batch looked at, and finished when nothing can change any more or after {@code track.hours}. Returns
     * how many finished.
     */
    private int settle(List<Open> batches) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update delivery_batch db set tracked_at = now(),
                       tracking_done = db.started_at < now() - make_interval(hours => ?)
                           or not exists (select 1 from delivery d left join flow_run r on r.delivery_id = d.id
                                           where d.batch_id = db.id
                                             and (d.status in ('accepted', 'sent', 'in_doubt')
                                                  or (b.kind = 'flow' and d.status = 'delivered' and (r.uuid is null or r.exit_type is null))))
                  from broadcast b
                 where b.id = db.broadcast_id and db.id = any(?) returning db.tracking_done""")) {
            ps.setInt(1, trackHours);
            ps.setArray(2, c.createArrayOf("bigint", batches.stream().map(Open::id).toArray()));
            int done = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) if (rs.getBoolean(1)) done++;
            }
            return done;
        }
    }
}
