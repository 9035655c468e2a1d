package org.mhero.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mhero.rapidpro.Page;
import org.mhero.rapidpro.RapidProClient;
import org.mhero.rapidpro.RapidProTimes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Catches what RapidPro's webhooks missed (they are best-effort: a 15 s timeout and no retries). It walks the runs of
 * every mapped flow ({@code runs.json?flow=&after=<watermark>&reverse=true}) and the inbox messages
 * ({@code messages.json?folder=inbox&after=}) and stores each finished run and each message the same way the intake
 * does: the run uuid (or message uuid) is the dedupe key, so a run that came by webhook is not routed twice. Runs not
 * finished yet ({@code exit_type} null) are left for a later walk: they are modified again when they end. The
 * watermark (inclusive) only moves after a whole walk is stored.
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Pages per walk at most, so one walk cannot hold the shared rate limiter for ever; the next walk goes on. */
    static final int MAX_PAGES = 50;

    /** What one walk did. */
    public record Result(int pages, int seen, int stored, int unfinished) {}

    private final Supplier<RapidProClient> client;
    private final InboundStore store;
    private final Set<String> flows;

    public Reconciler(Supplier<RapidProClient> client, InboundStore store, Set<String> flows) {
        this.client = client;
        this.store = store;
        this.flows = Set.copyOf(flows);
    }

    /** The runs of every mapped flow, then the inbox. */
    public Result reconcile() throws SQLException {
        RapidProClient c = client.get();
        if (c == null) {
            LOG.debug("Inbound reconciliation skipped: the RapidPro flow is not running");
            return new Result(0, 0, 0, 0);
        }
        int pages = 0, seen = 0, stored = 0, unfinished = 0;
        for (String flow : flows) {
            Result r = runs(c, flow);
            pages += r.pages();
            seen += r.seen();
            stored += r.stored();
            unfinished += r.unfinished();
        }
        Result m = inbox(c);
        Result total = new Result(pages + m.pages(), seen + m.seen(), stored + m.stored(), unfinished);
        if (total.stored() > 0) {
            LOG.info("Inbound reconciliation: {} page(s), {} run(s)/message(s) seen, {} new stored (webhooks missed them), {} run(s) not finished",
                    total.pages(), total.seen(), total.stored(), total.unfinished());
        }
        return total;
    }

    Result runs(RapidProClient c, String flow) throws SQLException {
        String key = "rapidpro:runs:" + flow;
        Instant after = store.watermark(key);
        Instant newest = after;
        int pages = 0, seen = 0, stored = 0, unfinished = 0;
        Page<JsonNode> p = c.runsModifiedSince(flow, after, null);
        while (true) {
            pages++;
            for (JsonNode run : p.results()) {
                seen++;
                Instant modified = RapidProTimes.parse(run.path("modified_on").asText());
                if (run.path("exit_type").isNull() || run.path("exit_type").isMissingNode()) {
                    unfinished++;
                } else if (!store.receive(run(run)).duplicate()) {
                    stored++;
                }
                if (newest == null || modified.isAfter(newest)) newest = modified;
            }
            if (!p.hasNext() || pages >= MAX_PAGES) break;
            p = c.runsModifiedSince(flow, null, p.next());
        }
        // an unfinished run is modified again when it ends, so moving past it loses nothing
        if (newest != null && !newest.equals(after)) store.watermark(key, newest);
        return new Result(pages, seen, stored, unfinished);
    }

    Result inbox(RapidProClient c) throws SQLException {
        String key = "rapidpro:inbox";
        Instant after = store.watermark(key);
        Instant newest = after;
        int pages = 0, seen = 0, stored = 0;
        Page<JsonNode> p = c.inboxMessagesSince(after, null);
        while (true) {
            pages++;
            for (JsonNode m : p.results()) {
                if (!"in".equals(m.path("direction").asText("in"))) continue;
                seen++;
                Instant created = RapidProTimes.parse(m.path("created_on").asText());
                if (!store.receive(message(m)).duplicate()) stored++;
                if (newest == null || created.isAfter(newest)) newest = created;
            }
            if (!p.hasNext() || pages >= MAX_PAGES) break;
            p = c.inboxMessagesSince(null, p.next());
        }
        // newest first: only a complete walk may move the watermark
        if (pages < MAX_PAGES && newest != null && !newest.equals(after)) store.watermark(key, newest);
        return new Result(pages, seen, stored, 0);
    }

    /** A finished run as the webhook would have brought it. */
    static Received run(JsonNode run) {
        JsonNode contact = run.path("contact");
        String urn = contact.path("urn").isTextual() ? contact.path("urn").asText() : null;
        ObjectNode results = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = run.path("values").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ObjectNode r = results.putObject(e.getKey());
            r.put("value", e.getValue().path("value").isValueNode() ? e.getValue().path("value").asText() : null);
            r.put("category", e.getValue().path("category").isValueNode() ? e.getValue().path("category").asText() : null);
        }
        String sender = urn == null ? null : urn.contains(":") ? urn.substring(urn.indexOf(':') + 1) : urn;
        return new Received("rapidpro-run", "poll-runs", run.path("uuid").asText(), RapidProTimes.parse(run.path("modified_on").asText()),
                sender, urn, contact.path("uuid").asText(null), null, run.path("flow").path("uuid").asText().toLowerCase(java.util.Locale.ROOT),
                results.toString());
    }

    /** An inbox message, keyed by its uuid (or, on older servers, its integer id). */
    static Received message(JsonNode m) {
        String id = m.hasNonNull("uuid") ? m.path("uuid").asText() : m.path("id").asText();
        String urn = m.path("urn").isTextual() ? m.path("urn").asText() : null;
        String sender = urn == null ? null : urn.contains(":") ? urn.substring(urn.indexOf(':') + 1) : urn;
        String text = m.path("text").isTextual() ? m.path("text").asText() : null;
        if (text != null && text.length() > IntakeParser.MAX_TEXT) text = text.substring(0, IntakeParser.MAX_TEXT);
        return new Received("rapidpro-msg", "poll-inbox", id, RapidProTimes.parse(m.path("created_on").asText()), sender, urn,
                m.path("contact").path("uuid").asText(null), text == null ? null : text.replace('\0', '\uFFFD'), null, null);
    }
}
