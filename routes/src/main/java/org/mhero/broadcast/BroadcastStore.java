package org.mhero.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mhero.groups.RuleException;
import org.mhero.groups.RuleParser;
import org.mhero.groups.RuleSql;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.rapidpro.RapidProClient;
import org.mhero.rapidpro.RapidProException;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;

/**
 * Broadcasts: validation, creation, the resolution of recipients into the outbox (one INSERT ... SELECT), schedules,
 * cancel, replay and progress. Every change is one transaction: a refused request leaves nothing behind.
 */
public final class BroadcastStore implements BroadcastService {
    private static final Logger LOG = LoggerFactory.getLogger(BroadcastStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A send time this far in the past is still "now" (clock skew, a slow form). */
    static final long PAST_TOLERANCE_MS = 60_000;

    private final DataSource ds;
    private final ChannelSettings settings;
    private final Set<String> channels;
    private final RapidProClient rapidpro;
    private final Clock clock;

    /**
     * @param channels the channels that are configured (names)
     * @param rapidpro the RapidPro client for checking flows, or null when RapidPro is not configured
     */
    public BroadcastStore(DataSource ds, ChannelSettings settings, Set<String> channels, RapidProClient rapidpro) {
        this(ds, settings, channels, rapidpro, Clock.systemUTC());
    }

    /** With mHero's clock given (tests: a clock that is not the database's). */
    BroadcastStore(DataSource ds, ChannelSettings settings, Set<String> channels, RapidProClient rapidpro, Clock clock) {
        this.clock = clock;
        this.ds = ds;
        this.settings = settings;
        this.channels = Set.copyOf(channels);
        this.rapidpro = rapidpro;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // create

    /** A request that passed validation, with what it takes to store it. */
    private record Valid(BroadcastRequest req, List<String> parts, RuleSql.Where rule, Instant sendAt, Instant firstFire) {}

    @Override
    public BroadcastView create(BroadcastRequest req, String user) throws BroadcastRejected {
        Valid v = validate(req);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                checkTargetsExist(c, req);
                String status = req.cron() != null ? "recurring" : v.sendAt() != null ? "scheduled" : "sending";
                long id = insert(c, req, v, status, user, null);
                if (status.equals("sending")) {
                    int n = resolve(c, id);
                    if (n == 0) throw BroadcastRejected.bad("target", "selects no health worker");
                    finishResolve(c, id, n);
                }
                c.commit();
                LOG.info("Broadcast {} created by {}: {} {}, status {}", id, user, req.flowUuid() != null ? "flow" : "text",
                        describeTarget(req), status);
                return get(id).orElseThrow();
            } catch (BroadcastRejected | SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the broadcast: " + e.getMessage(), e);
        }
    }

    private static String describeTarget(BroadcastRequest r) {
        List<String> t = new ArrayList<>();
        if (!r.groups().isEmpty()) t.add("groups " + r.groups());
        if (r.rule() != null) t.add("a rule");
        if (!r.workers().isEmpty()) t.add(r.workers().size() + " named worker(s)");
        return "to " + String.join(", ", t);
    }

    private Valid validate(BroadcastRequest req) throws BroadcastRejected {
        boolean hasText = req.text() != null;
        boolean hasFlow = req.flowUuid() != null && !req.flowUuid().isBlank();
        if (hasText == hasFlow) throw BroadcastRejected.bad("text", hasText ? "give a text or a flow, not both" : "give a text or a flow");
        List<String> parts = List.of();
        if (hasText) {
            String text = req.text().strip();
            if (text.isEmpty()) throw BroadcastRejected.bad("text", "is empty");
            if (text.length() > settings.textMaxLength()) {
                if (!settings.splitLongText()) {
                    throw BroadcastRejected.bad("text", "is " + text.length() + " characters; at most " + settings.textMaxLength()
                            + " are accepted (org.mhero.channel text.max.length; text.too.long = refuse)");
                }
                parts = TextSplitter.split(text, settings.textMaxLength());
            } else {
                parts = List.of(text);
            }
        } else {
            if (req.paramsJson() != null) {
                if (req.paramsJson().length() > 10_000) throw BroadcastRejected.bad("params", "is longer than 10,000 characters");
                try {
                    JsonNode p = JSON.readTree(req.paramsJson());
                    if (!(p instanceof ObjectNode)) throw BroadcastRejected.bad("params", "must be a JSON object");
                } catch (BroadcastRejected e) {
                    throw e;
                } catch (Exception e) {
                    throw BroadcastRejected.bad("params", "is not JSON");
                }
            }
            if (rapidpro == null || !channels.contains("rapidpro")) {
                throw BroadcastRejected.bad("flow", "flows need the RapidPro channel, which is not configured");
            }
            try {
                if (rapidpro.flow(req.flowUuid().strip()).isEmpty()) {
                    throw BroadcastRejected.bad("flow", "RapidPro has no flow " + req.flowUuid().strip());
                }
            } catch (RapidProException e) {
                throw new BroadcastRejected(503, "flow", "cannot check the flow with RapidPro now: " + e.getMessage());
            }
        }
        if (req.channel() != null && !req.channel().isBlank()) {
            if (!ChannelSettings.CHANNELS.contains(req.channel())) {
                throw BroadcastRejected.bad("channel", "'" + req.channel() + "' is not one of " + new TreeSet<>(ChannelSettings.CHANNELS));
            }
            if (!channels.contains(req.channel())) throw BroadcastRejected.bad("channel", "'" + req.channel() + "' is not configured");
            if (hasFlow && !req.channel().equals("rapidpro")) throw BroadcastRejected.bad("channel", "flows only go through rapidpro");
        }
        if (req.groups().isEmpty() && req.workers().isEmpty() && (req.rule() == null || req.rule().isBlank())) {
            throw BroadcastRejected.bad("target", "give groups, a rule or workers");
        }
        RuleSql.Where rule = null;
        if (req.rule() != null && !req.rule().isBlank()) {
            try {
                rule = RuleSql.where(RuleParser.parse(req.rule()));
            } catch (RuleException e) {
                throw BroadcastRejected.bad("rule", e.getMessage());
            }
        }
        Instant now = clock.instant();
        Instant sendAt = req.sendAt();
        if (sendAt != null && sendAt.isBefore(now.minusMillis(PAST_TOLERANCE_MS))) {
            throw BroadcastRejected.bad("send_at", "is in the past (" + sendAt + ")");
        }
        if (sendAt != null && !sendAt.isAfter(now)) sendAt = null; // within the tolerance: now
        Instant firstFire = null;
        if (req.cron() != null) {
            firstFire = nextFire(req.cron(), sendAt != null ? sendAt : now, settings.timeZone());
            if (firstFire == null) throw BroadcastRejected.bad("cron", "'" + req.cron() + "' never fires");
        }
        return new Valid(req, parts, rule, sendAt, firstFire);
    }

    /** The first time after {@code after} that the Quartz cron expression fires in {@code zone}; 400 when invalid. */
    static Instant nextFire(String cron, Instant after, ZoneId zone) throws BroadcastRejected {
        try {
            CronExpression e = new CronExpression(cron);
            e.setTimeZone(TimeZone.getTimeZone(zone));
            Date d = e.getNextValidTimeAfter(Date.from(after));
            return d == null ? null : d.toInstant();
        } catch (ParseException e) {
            throw BroadcastRejected.bad("cron", "'" + cron + "' is not a Quartz cron expression: " + e.getMessage());
        }
    }

    private void checkTargetsExist(Connection c, BroadcastRequest req) throws SQLException, BroadcastRejected {
        if (!req.groups().isEmpty()) {
            Set<String> known = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            try (PreparedStatement ps = c.prepareStatement("select name from contact_group where lower(name) = any(?)")) {
                ps.setArray(1, c.createArrayOf("text", req.groups().stream().map(g -> g.toLowerCase()).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) known.add(rs.getString(1));
                }
            }
            List<String> unknown = req.groups().stream().filter(g -> !known.contains(g)).toList();
            if (!unknown.isEmpty()) throw BroadcastRejected.bad("groups", "unknown group(s): " + String.join(", ", unknown));
        }
        if (!req.workers().isEmpty()) {
            Set<Long> known = new TreeSet<>();
            try (PreparedStatement ps = c.prepareStatement("select id from health_worker where id = any(?)")) {
                ps.setArray(1, c.createArrayOf("bigint", req.workers().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) known.add(rs.getLong(1));
                }
            }
            List<Long> unknown = req.workers().stream().filter(w -> !known.contains(w)).distinct().toList();
            if (!unknown.isEmpty()) throw BroadcastRejected.bad("workers", "unknown health worker id(s): " + unknown);
        }
    }

    private long insert(Connection c, BroadcastRequest req, Valid v, String status, String user, Long parent) throws SQLException {
        ObjectNode target = JSON.createObjectNode();
        ArrayNode g = target.putArray("groups");
        req.groups().forEach(g::add);
        if (req.rule() != null && !req.rule().isBlank()) target.put("rule", req.rule());
        ArrayNode w = target.putArray("workers");
        req.workers().forEach(w::add);
        long id;
        try (PreparedStatement ps = c.prepareStatement("""
                insert into broadcast (title, kind, text, flow_uuid, params, target, channel, status, send_at, cron, time_zone,
                                       next_fire_at, parent_id, created_by)
                values (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")) {
            int k = 1;
            ps.setString(k++, req.title());
            ps.setString(k++, req.flowUuid() != null ? "flow" : "text");
            ps.setString(k++, req.text() != null ? req.text().strip() : null);
            ps.setString(k++, req.flowUuid() != null ? req.flowUuid().strip() : null);
            ps.setString(k++, req.paramsJson());
            ps.setString(k++, target.toString());
            ps.setString(k++, req.channel() == null || req.channel().isBlank() ? null : req.channel());
            ps.setString(k++, status);
            ps.setTimestamp(k++, v.sendAt() == null ? null : Timestamp.from(v.sendAt()));
            ps.setString(k++, req.cron());
            ps.setString(k++, req.cron() == null ? null : settings.timeZone().getId());
            ps.setTimestamp(k++, v.firstFire() == null ? null : Timestamp.from(v.firstFire()));
            if (parent == null) ps.setNull(k++, java.sql.Types.BIGINT); else ps.setLong(k++, parent);
            ps.setString(k, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        if (v.parts().size() > 1) {
            try (PreparedStatement ps = c.prepareStatement("insert into broadcast_part (broadcast_id, part, text) values (?, ?, ?)")) {
                for (int i = 0; i < v.parts().size(); i++) {
                    ps.setLong(1, id);
                    ps.setInt(2, i + 1);
                    ps.setString(3, v.parts().get(i));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        return id;
    }

    /**
     * Resolves a broadcast's target into delivery rows, in one statement: every selected worker once (per part), opted
     * out ones, inactive ones (unless configured), those without a valid number and second holders of a number already
     * messaged are written as skipped with the reason. Returns the rows written.
     */
    int resolve(Connection c, long broadcastId) throws SQLException {
        JsonNode target;
        int parts;
        try (PreparedStatement ps = c.prepareStatement("""
                select target::text, (select count(*) from broadcast_part where broadcast_id = b.id) from broadcast b where id = ?""")) {
            ps.setLong(1, broadcastId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                target = JSON.readTree(rs.getString(1));
                parts = Math.max(1, rs.getInt(2));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("broadcast " + broadcastId + " has an unreadable target", e);
            }
        }
        List<String> groups = new ArrayList<>();
        target.path("groups").forEach(n -> groups.add(n.asText().toLowerCase()));
        List<Long> workers = new ArrayList<>();
        target.path("workers").forEach(n -> workers.add(n.asLong()));
        RuleSql.Where rule = target.hasNonNull("rule") ? RuleSql.where(RuleParser.parse(target.get("rule").asText())) : null;

        StringBuilder where = new StringBuilder("false");
        if (!groups.isEmpty()) {
            where.append(" or h.id in (select m.health_worker_id from contact_group_member m join contact_group g on g.id = m.group_id"
                    + " where lower(g.name) = any(?))");
        }
        if (rule != null) where.append(" or (").append(rule.sql()).append(')');
        if (!workers.isEmpty()) where.append(" or h.id = any(?)");

        String sql = """
                insert into delivery (broadcast_id, part, health_worker_id, phone, contact_uuid, status, reason)
                select ?, pt.part, c.id, c.e164, c.contact_uuid, case when c.skip is null then 'pending' else 'skipped' end, c.skip
                  from (select s.*,
                               case when s.opted_out then 'opted out'
                                    when s.inactive then 'inactive in the registry'
                                    when s.e164 is null then 'no valid phone number'
                                    when row_number() over (partition by s.e164 order by s.opted_out or s.inactive, s.id) > 1
                                         then 'same phone number as another recipient'
                               end as skip
                          from (select h.id, h.opted_out, (not h.active and not ?) as inactive, p.e164, rc.contact_uuid
                                  from health_worker h
                                  left join lateral (select e164 from phone where health_worker_id = h.id and is_primary
                                                        and e164 is not null order by shared, id limit 1) p on true
                                  left join rapidpro_contact rc on rc.health_worker_id = h.id
                                 where %s) s) c
                 cross join generate_series(1, ?) as pt(part)""".formatted(where);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int k = 1;
            ps.setLong(k++, broadcastId);
            ps.setBoolean(k++, settings.includeInactive());
            if (!groups.isEmpty()) ps.setArray(k++, c.createArrayOf("text", groups.toArray()));
            if (rule != null) k = rule.bind(ps, k);
            if (!workers.isEmpty()) ps.setArray(k++, c.createArrayOf("bigint", workers.toArray()));
            ps.setInt(k, parts);
            return ps.executeUpdate();
        }
    }

    private static void finishResolve(Connection c, long id, int rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update broadcast set status = 'sending', started_at = now(), recipients = ? where id = ?""")) {
            ps.setInt(1, rows);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update broadcast set status = 'completed', finished_at = now()
                 where id = ? and not exists (select 1 from delivery where broadcast_id = ? and status in ('pending', 'posting'))""")) {
            ps.setLong(1, id);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // schedules

    /**
     * Starts what is due: scheduled broadcasts whose time has come, and one occurrence of each recurring broadcast whose
     * next firing has come (missed firings while mHero was down are not replayed one by one: one occurrence, then the
     * next firing after now). Rows are locked with SKIP LOCKED, so several nodes never start the same one twice.
     * Returns how many broadcasts started.
     */
    public int releaseDue() throws SQLException {
        int started = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Long> due = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        select id from broadcast where status = 'scheduled' and send_at <= now()
                         order by send_at limit 20 for update skip locked""");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) due.add(rs.getLong(1));
                }
                for (long id : due) {
                    finishResolve(c, id, resolve(c, id));
                    started++;
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            c.setAutoCommit(false);
            try {
                // the database's clock decides what is due and what fires next: a node whose clock lags the database's
                // would otherwise compute the fire time that just fired as the next one and fire it again
                record Fire(long id, String cron, String zone, Timestamp at, Instant dbNow) {}
                List<Fire> fires = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        select id, cron, time_zone, next_fire_at, now() from broadcast where status = 'recurring' and next_fire_at <= now()
                         order by next_fire_at limit 20 for update skip locked""");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        fires.add(new Fire(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4), rs.getTimestamp(5).toInstant()));
                    }
                }
                for (Fire f : fires) {
                    Long occurrence = null;
                    try (PreparedStatement ps = c.prepareStatement("""
                            insert into broadcast (title, kind, text, flow_uuid, params, target, channel, status, parent_id, fire_at, created_by)
                            select title, kind, text, flow_uuid, params, target, channel, 'sending', id, ?, created_by
                              from broadcast where id = ?
                            on conflict (parent_id, fire_at) where parent_id is not null and fire_at is not null do nothing
                            returning id""")) {
                        ps.setTimestamp(1, f.at());
                        ps.setLong(2, f.id());
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) occurrence = rs.getLong(1);
                        }
                    }
                    if (occurrence != null) {
                        try (PreparedStatement ps = c.prepareStatement("""
                                insert into broadcast_part (broadcast_id, part, text) select ?, part, text from broadcast_part where broadcast_id = ?""")) {
                            ps.setLong(1, occurrence);
                            ps.setLong(2, f.id());
                            ps.executeUpdate();
                        }
                        finishResolve(c, occurrence, resolve(c, occurrence));
                    }
                    Instant next;
                    try {
                        next = nextFire(f.cron(), f.dbNow(), ZoneId.of(f.zone()));
                    } catch (BroadcastRejected e) {
                        next = null;
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "update broadcast set next_fire_at = ?, status = case when ? then 'completed' else status end where id = ?")) {
                        ps.setTimestamp(1, next == null ? null : Timestamp.from(next));
                        ps.setBoolean(2, next == null);
                        ps.setLong(3, f.id());
                        ps.executeUpdate();
                    }
                    if (occurrence == null) {
                        LOG.warn("Recurring broadcast {}: fire time {} already has its occurrence; not fired again", f.id(), f.at().toInstant());
                        continue;
                    }
                    started++;
                    LOG.info("Recurring broadcast {} fired: occurrence {}", f.id(), occurrence);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return started;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // read, cancel, replay

    private static final String VIEW = """
            select b.id, b.title, b.kind, b.status, b.channel, b.created_by, b.created_at, b.send_at, b.cron, b.next_fire_at,
                   b.parent_id, b.started_at, b.finished_at, b.recipients
              from broadcast b""";

    @Override
    public Optional<BroadcastView> get(long id) {
        List<BroadcastView> l = views(VIEW + " where b.id = ?", id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    @Override
    public List<BroadcastView> list(int limit) {
        return views(VIEW + " order by b.id desc limit ?", limit);
    }

    /** The broadcasts {@code sql} selects (its one parameter: an id or a limit), with their counts per status. */
    private List<BroadcastView> views(String sql, long parameter) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, parameter);
            List<Object[]> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object[] r = new Object[14];
                    for (int i = 0; i < 14; i++) r[i] = rs.getObject(i + 1);
                    rows.add(r);
                }
            }
            Map<Long, Map<String, Integer>> counts = new LinkedHashMap<>();
            if (!rows.isEmpty()) {
                try (PreparedStatement cs = c.prepareStatement(
                        "select broadcast_id, status, count(*) from delivery where broadcast_id = any(?) group by 1, 2")) {
                    cs.setArray(1, c.createArrayOf("bigint", rows.stream().map(r -> r[0]).toArray()));
                    try (ResultSet rs = cs.executeQuery()) {
                        while (rs.next()) counts.computeIfAbsent(rs.getLong(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getInt(3));
                    }
                }
            }
            List<BroadcastView> out = new ArrayList<>();
            for (Object[] r : rows) {
                long bid = ((Number) r[0]).longValue();
                out.add(new BroadcastView(bid, (String) r[1], (String) r[2], (String) r[3], (String) r[4], (String) r[5],
                        instant(r[6]), instant(r[7]), (String) r[8], instant(r[9]), r[10] == null ? null : ((Number) r[10]).longValue(),
                        instant(r[11]), instant(r[12]), ((Number) r[13]).intValue(), counts.getOrDefault(bid, Map.of())));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static Instant instant(Object o) {
        if (o == null) return null;
        if (o instanceof Timestamp t) return t.toInstant();
        if (o instanceof java.time.OffsetDateTime odt) return odt.toInstant();
        return null;
    }

    @Override
    public List<DeliveryView> deliveries(long broadcastId, String status, long afterId, int limit) throws BroadcastRejected {
        if (get(broadcastId).isEmpty()) throw new BroadcastRejected(404, "id", "no broadcast " + broadcastId);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select d.id, d.health_worker_id, h.display_name, d.phone, d.part, d.status, d.reason, d.channel,
                       d.gateway_status, d.attempts, d.updated_at
                  from delivery d join health_worker h on h.id = d.health_worker_id
                 where d.broadcast_id = ? and d.id > ? and (?::text is null or d.status = ?)
                 order by d.id limit ?""")) {
            ps.setLong(1, broadcastId);
            ps.setLong(2, afterId);
            ps.setString(3, status);
            ps.setString(4, status);
            ps.setInt(5, limit);
            List<DeliveryView> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DeliveryView(rs.getLong(1), rs.getLong(2), rs.getString(3), PhoneNormalizer.mask(rs.getString(4)),
                            rs.getInt(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getInt(10),
                            rs.getTimestamp(11).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public BroadcastView cancel(long id) throws BroadcastRejected {
        BroadcastView b = get(id).orElseThrow(() -> new BroadcastRejected(404, "id", "no broadcast " + id));
        if (b.status().equals("completed") || b.status().equals("cancelled")) {
            throw new BroadcastRejected(409, "status", "broadcast " + id + " is already " + b.status());
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                int n;
                try (PreparedStatement ps = c.prepareStatement("""
                        update broadcast set status = 'cancelled', finished_at = now(), next_fire_at = null
                         where id = ? and status in ('scheduled', 'recurring', 'sending')""")) {
                    ps.setLong(1, id);
                    n = ps.executeUpdate();
                }
                if (n == 0) throw new BroadcastRejected(409, "status", "broadcast " + id + " finished meanwhile");
                try (PreparedStatement ps = c.prepareStatement("""
                        update delivery set status = 'cancelled', reason = 'broadcast cancelled', updated_at = now()
                         where broadcast_id = ? and status = 'pending'""")) {
                    ps.setLong(1, id);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (BroadcastRejected | SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        LOG.info("Broadcast {} cancelled", id);
        return get(id).orElseThrow();
    }

    @Override
    public int replay(long broadcastId, boolean inDoubt) throws BroadcastRejected {
        if (broadcastId != 0 && get(broadcastId).isEmpty()) throw new BroadcastRejected(404, "id", "no broadcast " + broadcastId);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                int n;
                try (PreparedStatement ps = c.prepareStatement("""
                        update delivery d set status = 'pending', attempts = 0, reason = null, next_attempt_at = null,
                               batch_id = null, updated_at = now()
                          from broadcast b
                         where b.id = d.broadcast_id and b.status <> 'cancelled' and (? = 0 or d.broadcast_id = ?)
                           and (d.status = 'dead' or (? and d.status = 'in_doubt'))
                        returning d.broadcast_id""")) {
                    ps.setLong(1, broadcastId);
                    ps.setLong(2, broadcastId);
                    ps.setBoolean(3, inDoubt);
                    Set<Long> reopened = new TreeSet<>();
                    n = 0;
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            reopened.add(rs.getLong(1));
                            n++;
                        }
                    }
                    if (!reopened.isEmpty()) {
                        try (PreparedStatement up = c.prepareStatement(
                                "update broadcast set status = 'sending', finished_at = null where id = any(?) and status = 'completed'")) {
                            up.setArray(1, c.createArrayOf("bigint", reopened.toArray()));
                            up.executeUpdate();
                        }
                    }
                }
                c.commit();
                LOG.info("Replayed {} delivery(ies){}", n, broadcastId == 0 ? "" : " of broadcast " + broadcastId);
                return n;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
