package org.mhero.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mhero.rapidpro.Page;
import org.mhero.rapidpro.RapidProClient;
import org.mhero.rapidpro.RapidProException;
import org.mhero.rapidpro.RapidProRequestException;
import org.mhero.store.Failures;

import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The RapidPro channel: one {@code broadcasts.json} or {@code flow_starts.json} call per batch, with up to 100 known
 * contacts by uuid plus up to 100 recipients by URN (200 per call, so no contact has to be created first), through the
 * workspace's rate limiter shared with contact sync (429 and Retry-After are honoured by {@link RapidProClient}).
 *
 * <p>A call without an answer (timeout, 5xx) is in doubt: RapidPro may have created the broadcast. {@link #reconcile}
 * lists what RapidPro created since the batch started and looks for it: a flow start by the {@code mhero_batch} param we
 * add, a broadcast by its text and exact recipients.
 */
public final class RapidProChannel implements Channel {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How far before the batch's start (clock skew) the reconciliation looks. */
    static final Duration SKEW = Duration.ofMinutes(10);
    public static final String BATCH_PARAM = "mhero_batch";

    private final RapidProClient client;
    private final int batchSize;

    public RapidProChannel(RapidProClient client, int batchSize) {
        this.client = client;
        this.batchSize = Math.min(batchSize, 2 * RapidProClient.MAX_LIST_ITEMS);
    }

    @Override public String name() { return "rapidpro"; }
    @Override public int batchSize() { return batchSize; }
    @Override public boolean supportsFlows() { return true; }

    /** Who goes by contact uuid, who by URN, and who waits for the next call. */
    record Packing(List<String> contacts, List<String> urns, List<Long> left) {}

    static Packing pack(List<Recipient> recipients) {
        int max = RapidProClient.MAX_LIST_ITEMS;
        List<String> contacts = new ArrayList<>();
        List<String> urns = new ArrayList<>();
        List<Long> left = new ArrayList<>();
        List<Recipient> byUrn = new ArrayList<>();
        for (Recipient r : recipients) {
            if (r.contactUuid() != null && contacts.size() < max) contacts.add(r.contactUuid());
            else byUrn.add(r);
        }
        for (Recipient r : byUrn) {
            if (r.phone() != null && urns.size() < max) urns.add("tel:" + r.phone());
            else left.add(r.deliveryId());
        }
        return new Packing(contacts, urns, left);
    }

    @Override
    public SendResult send(Batch batch) {
        Packing p = pack(batch.recipients());
        try {
            RapidProClient.Created created;
            if (batch.content() instanceof Content.FlowStart f) {
                created = client.startFlow(f.flowUuid(), p.urns(), p.contacts(), params(f, batch.id()));
            } else {
                created = client.createBroadcast(((Content.Text) batch.content()).text(), p.urns(), p.contacts());
            }
            return withLeftOut(SendResult.accepted(created.id()), p);
        } catch (RapidProRequestException e) {
            // 4xx: RapidPro refused the request (unknown flow, invalid URN, ...): retrying the same call cannot help
            return withLeftOut(SendResult.failed("RapidPro refused it: HTTP " + e.status() + " " + e.getMessage()), p);
        } catch (RapidProException e) {
            if (e.status() == 429 || e.getCause() instanceof ConnectException) {
                return withLeftOut(SendResult.retry(Failures.describe(e)), p); // certainly not taken
            }
            return withLeftOut(SendResult.inDoubt(Failures.describe(e)), p); // timeout or 5xx: maybe taken
        }
    }

    private static SendResult withLeftOut(SendResult r, Packing p) {
        if (p.left().isEmpty()) return r;
        Map<Long, SendResult.RecipientResult> per = new HashMap<>();
        for (long id : p.left()) per.put(id, new SendResult.RecipientResult(SendResult.Outcome.NOT_SENT, null, null));
        return new SendResult(r.outcome(), r.externalId(), r.reason(), per);
    }

    static JsonNode params(Content.FlowStart f, long batchId) {
        ObjectNode o;
        try {
            JsonNode given = f.paramsJson() == null ? null : JSON.readTree(f.paramsJson());
            o = given instanceof ObjectNode obj ? obj.deepCopy() : JSON.createObjectNode();
        } catch (Exception e) {
            o = JSON.createObjectNode();
        }
        o.put(BATCH_PARAM, Long.toString(batchId));
        return o;
    }

    @Override
    public ReconcileResult reconcile(Batch batch) {
        Packing p = pack(batch.recipients());
        Instant after = batch.startedAt().minus(SKEW);
        String cursor = null;
        int pages = 0;
        do {
            Page<JsonNode> page = batch.content() instanceof Content.FlowStart
                    ? client.flowStartsSince(after, cursor) : client.broadcastsCreatedSince(after, cursor);
            for (JsonNode n : page.results()) {
                if (matches(batch, p, n)) {
                    String id = n.hasNonNull("uuid") ? n.get("uuid").asText() : n.path("id").asText(null);
                    return new ReconcileResult(Reconciliation.CREATED, id);
                }
            }
            cursor = page.next();
        } while (cursor != null && ++pages < 1000);
        return new ReconcileResult(Reconciliation.NOT_CREATED, null);
    }

    static boolean matches(Batch batch, Packing p, JsonNode n) {
        if (batch.content() instanceof Content.FlowStart f) {
            JsonNode params = n.has("params") ? n.get("params") : n.path("extra");
            return Long.toString(batch.id()).equals(params.path(BATCH_PARAM).asText(null))
                    && f.flowUuid().equals(n.path("flow").path("uuid").asText(null));
        }
        String text = ((Content.Text) batch.content()).text();
        JsonNode t = n.path("text");
        boolean sameText = t.isTextual() ? text.equals(t.asText()) : containsValue(t, text);
        if (!sameText) return false;
        Set<String> contacts = new HashSet<>();
        for (JsonNode c : n.path("contacts")) contacts.add(c.isTextual() ? c.asText() : c.path("uuid").asText());
        Set<String> urns = new HashSet<>();
        for (JsonNode u : n.path("urns")) urns.add(u.asText());
        return contacts.equals(new HashSet<>(p.contacts())) && urns.equals(new HashSet<>(p.urns()));
    }

    private static boolean containsValue(JsonNode translations, String text) {
        for (JsonNode v : translations) if (text.equals(v.asText())) return true;
        return false;
    }
}
