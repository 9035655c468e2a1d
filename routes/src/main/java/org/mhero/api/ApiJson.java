package org.mhero.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mhero.broadcast.BroadcastRequest;
import org.mhero.broadcast.BroadcastView;
import org.mhero.broadcast.DeliveryView;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON of the broadcast API (snake_case): a request body into a {@link BroadcastRequest} (the shape only; the
 * values are judged by the broadcast service), and views, deliveries and errors into JSON.
 *
 * <pre>
 * {"title": "...", "text": "...", "flow": "flow uuid", "params": {...}, "groups": ["..."], "rule": "...",
 *  "workers": [12, 13], "channel": "rapidpro", "send_at": "2026-12-01T08:00:00Z", "cron": "0 0 8 ? * MON"}
 * </pre>
 * Unknown fields, wrong types and duplicate fields are refused with the field at fault.
 */
public final class ApiJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    static final Set<String> FIELDS = Set.of("title", "text", "flow", "params", "groups", "rule", "workers", "channel",
            "send_at", "cron");
    /** Delivery statuses a listing can be filtered by. */
    public static final Set<String> STATUSES = Set.of("pending", "posting", "accepted", "sent", "delivered", "failed",
            "skipped", "dead", "in_doubt", "cancelled");

    private ApiJson() {}

    /**
     * A request body as a JSON object, strictly (no trailing tokens, no duplicate fields); 400 on the field
     * {@code body} otherwise. Every API body goes through here.
     */
    static ObjectNode object(String body) throws ApiProblem {
        if (body == null || body.isBlank()) throw ApiProblem.bad("body", "is empty: send a JSON object");
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            throw ApiProblem.bad("body", "is not valid JSON: " + (why.length() > 120 ? why.substring(0, 120) : why));
        }
        if (!(root instanceof ObjectNode o)) throw ApiProblem.bad("body", "must be a JSON object");
        return o;
    }

    /** 400 naming the first field of {@code o} that is not one of {@code fields} ({@code prefix} + its name), and the known ones. */
    static void known(ObjectNode o, Set<String> fields, String prefix, String what) throws ApiProblem {
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) throw ApiProblem.bad(prefix + name, "is not a field of " + what + "; known: " + new TreeSet<>(fields));
        }
    }

    /** A request body (a JSON object) as a broadcast request; 400 with the field at fault. */
    public static BroadcastRequest request(String body) throws ApiProblem {
        ObjectNode o = object(body);
        known(o, FIELDS, "", "a broadcast");
        String params = null;
        JsonNode p = o.get("params");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) throw ApiProblem.bad("params", "must be a JSON object");
            params = p.toString();
        }
        return new BroadcastRequest(string(o, "title"), string(o, "text"), string(o, "flow"), params,
                strings(o, "groups"), string(o, "rule"), ids(o, "workers"), string(o, "channel"),
                instant("send_at", string(o, "send_at")), string(o, "cron"));
    }

    /**
     * A request from named fields, as the shell command gives them: the keys of the JSON shape, {@code groups} and
     * {@code workers} comma-separated, {@code params} a JSON object. Blank values are absent.
     */
    public static BroadcastRequest request(Map<String, String> fields) throws ApiProblem {
        for (String k : fields.keySet()) if (!FIELDS.contains(k)) throw ApiProblem.bad(k, "is not a field of a broadcast");
        String params = value(fields, "params");
        if (params != null) {
            try {
                if (!JSON.readTree(params).isObject()) throw ApiProblem.bad("params", "must be a JSON object");
            } catch (JsonProcessingException e) {
                throw ApiProblem.bad("params", "is not valid JSON");
            }
        }
        List<Long> workers = new ArrayList<>();
        String w = value(fields, "workers");
        if (w != null) {
            for (String s : w.split(",")) {
                if (s.isBlank()) continue;
                try {
                    workers.add(Long.parseLong(s.strip()));
                } catch (NumberFormatException e) {
                    throw ApiProblem.bad("workers", "'" + s.strip() + "' is not a health worker id");
                }
            }
        }
        List<String> groups = new ArrayList<>();
        String g = value(fields, "groups");
        if (g != null) for (String s : g.split(",")) if (!s.isBlank()) groups.add(s.strip());
        // an empty text is the service's to refuse ("is empty"), so it is kept as given
        String text = fields.get("text");
        return new BroadcastRequest(value(fields, "title"), text, value(fields, "flow"), params, groups,
                value(fields, "rule"), workers, value(fields, "channel"), instant("send_at", value(fields, "send_at")),
                value(fields, "cron"));
    }

    private static String value(Map<String, String> fields, String key) {
        String v = fields.get(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static String string(ObjectNode o, String field) throws ApiProblem {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw ApiProblem.bad(field, "must be a string");
        return n.textValue();
    }

    private static List<String> strings(ObjectNode o, String field) throws ApiProblem {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw ApiProblem.bad(field, "must be an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual() || e.textValue().isBlank()) throw ApiProblem.bad(field, "must be an array of non-empty strings");
            out.add(e.textValue().strip());
        }
        return out;
    }

    private static List<Long> ids(ObjectNode o, String field) throws ApiProblem {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw ApiProblem.bad(field, "must be an array of health worker ids");
        List<Long> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isIntegralNumber() || !e.canConvertToLong() || e.longValue() <= 0) {
                throw ApiProblem.bad(field, "must be an array of health worker ids (positive whole numbers)");
            }
            out.add(e.longValue());
        }
        return out;
    }

    /** ISO-8601 with an offset ({@code 2026-12-01T08:00:00Z}, {@code 2026-12-01T08:00:00+01:00}); null stays null. */
    static Instant instant(String field, String value) throws ApiProblem {
        if (value == null) return null;
        try {
            return OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiProblem.bad(field, "'" + value + "' is not an ISO-8601 time with an offset (e.g. 2026-12-01T08:00:00Z)");
        }
    }

    // ---- rendering

    public static String view(BroadcastView v) { return viewNode(v).toString(); }

    public static String views(List<BroadcastView> list) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode a = root.putArray("broadcasts");
        list.forEach(v -> a.add(viewNode(v)));
        return root.toString();
    }

    private static ObjectNode viewNode(BroadcastView v) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", v.id());
        o.put("title", v.title());
        o.put("kind", v.kind());
        o.put("status", v.status());
        o.put("channel", v.channel());
        o.put("created_by", v.createdBy());
        o.put("created_at", str(v.createdAt()));
        o.put("send_at", str(v.sendAt()));
        o.put("cron", v.cron());
        o.put("next_fire_at", str(v.nextFireAt()));
        if (v.parentId() == null) o.putNull("parent_id"); else o.put("parent_id", v.parentId());
        o.put("started_at", str(v.startedAt()));
        o.put("finished_at", str(v.finishedAt()));
        o.put("recipients", v.recipients());
        ObjectNode counts = o.putObject("counts");
        new java.util.TreeMap<>(v.counts()).forEach(counts::put);
        return o;
    }

    /** A page of deliveries; {@code next_after} is the cursor of the next page (null when this page is not full). */
    public static String deliveries(long broadcastId, List<DeliveryView> page, int limit) {
        ObjectNode root = JSON.createObjectNode();
        root.put("broadcast_id", broadcastId);
        ArrayNode a = root.putArray("deliveries");
        for (DeliveryView d : page) {
            ObjectNode o = a.addObject();
            o.put("id", d.deliveryId());
            o.put("health_worker_id", d.healthWorkerId());
            o.put("name", d.displayName());
            o.put("phone", d.maskedPhone());
            o.put("part", d.part());
            o.put("status", d.status());
            o.put("reason", d.reason());
            o.put("channel", d.channel());
            o.put("gateway_status", d.gatewayStatus());
            o.put("attempts", d.attempts());
            o.put("updated_at", str(d.updatedAt()));
        }
        if (page.size() == limit && !page.isEmpty()) root.put("next_after", page.get(page.size() - 1).deliveryId());
        else root.putNull("next_after");
        return root.toString();
    }

    /** A page of the inbox review, newest first; {@code next_before} continues it. */
    public static String inbox(List<org.mhero.inbound.InboundStore.InboxItem> page, int limit) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode a = root.putArray("messages");
        for (var m : page) {
            ObjectNode o = a.addObject();
            o.put("id", m.id());
            o.put("source", m.source());
            o.put("intake", m.intake());
            o.put("received_at", str(m.receivedAt()));
            o.put("sender", m.sender());
            if (m.healthWorkerId() == null) o.putNull("health_worker_id");
            else o.put("health_worker_id", m.healthWorkerId());
            o.put("name", m.worker());
            o.put("text", m.text());
            o.put("flow", m.flowUuid());
            o.put("status", m.status());
            o.put("route", m.route());
            o.put("outcome", m.outcome());
            o.put("attempts", m.attempts());
        }
        if (page.size() == limit && !page.isEmpty()) root.put("next_before", page.get(page.size() - 1).id());
        else root.putNull("next_before");
        return root.toString();
    }

    public static String replayed(int n) {
        return JSON.createObjectNode().put("replayed", n).toString();
    }

    public static String error(String message, String field) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        if (field == null) o.putNull("field"); else o.put("field", field);
        return o.toString();
    }

    static String str(Instant i) { return i == null ? null : i.toString(); }
}
