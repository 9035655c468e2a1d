package org.mhero.sandbox.rapidpro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mhero.sandbox.core.SimHttpServer;
import org.mhero.sandbox.rapidpro.Model.Broadcast;
import org.mhero.sandbox.rapidpro.Model.Contact;
import org.mhero.sandbox.rapidpro.Model.Event;
import org.mhero.sandbox.rapidpro.Model.Field;
import org.mhero.sandbox.rapidpro.Model.Flow;
import org.mhero.sandbox.rapidpro.Model.Group;
import org.mhero.sandbox.rapidpro.Model.Msg;
import org.mhero.sandbox.rapidpro.Model.Resthook;
import org.mhero.sandbox.rapidpro.Model.Run;
import org.mhero.sandbox.rapidpro.Model.Start;
import org.mhero.sandbox.rapidpro.Model.Step;
import org.mhero.sandbox.rapidpro.Model.Subscriber;
import org.mhero.sandbox.rapidpro.Model.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;

/**
 * A contract simulator of the RapidPro API v2 (contract {@code rapidpro.md}; §16 lists what it reproduces): token
 * auth and 403, a per-workspace DRF scoped throttle with 429 + {@code Retry-After}, cursor pages with absolute
 * {@code next}, inclusive {@code before}/{@code after}, {@code reverse=true}, the 400 shapes, upsert by URN, ≤ 100 per
 * list field, field key rules, stopped/blocked contacts skipped, asynchronous broadcast/flow start status, runs in
 * v7.4 or current shape, and — through {@link #respond(ResponseProfile)} — simulated health workers answering, with
 * flow webhooks and resthooks POSTed like Mailroom does (15 s timeout, no retries, {@code X-Mailroom-Mode: normal}).
 */
public class RapidProSimulator extends SimHttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(RapidProSimulator.class);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    /** ISO 639 three-letter codes the JDK knows, plus ISO 639-3 codes of languages mHero deployments use. */
    private static final Set<String> LANGUAGES = languages();
    private static final Pattern FIELD_KEY = Pattern.compile("^[a-z][a-z0-9_]*$");
    private static final Pattern FIELD_NAME = Pattern.compile("^[A-Za-z0-9\\- ]+$");
    private static final Set<String> RESERVED_KEYS = Set.of("has", "is", "fields", "urns", "created_on", "last_seen_on",
            "uuid", "id", "name", "language", "groups", "status", "created_by", "modified_by", "org", "is_active", "urn", "tel", "mailto");
    private static final Set<String> FIELD_TYPES = Set.of("text", "number", "datetime", "state", "district", "ward");
    private static final Set<String> ACTIONS = Set.of("add", "remove", "block", "unblock", "interrupt", "archive_messages", "delete");
    static final String CHANNEL_UUID = "9a8b001e-a913-486c-80f4-1356e23f582e";
    static final String CHANNEL_NAME = "mHero Sandbox Channel";
    static final String CHANNEL_ADDRESS = "+231770000001";
    private static final int MAX_ITEMS = 100;
    private static final int WORKSPACE_LIMIT = 250;

    // ---------------------------------------------------------------------------------------------------------------
    // public records for tests and benchmarks

    /** One outgoing message: which contact received what (and from which broadcast or flow start). */
    public record Delivery(String messageUuid, long messageId, String contactUuid, String urn, String text,
                           String broadcastUuid, String flowStartUuid, String status) {}

    /** One broadcast as received: what was asked and who was actually messaged (stopped/blocked skipped). */
    public record BroadcastRecord(String uuid, long id, List<String> urns, List<String> contacts, List<String> groups,
                                  Map<String, String> text, List<String> recipientContactUuids, String status) {}

    /** One flow start as received. */
    public record FlowStartRecord(String uuid, long id, String flowUuid, List<String> urns, List<String> contacts,
                                  List<String> groups, JsonNode params, List<String> recipientContactUuids, String status) {}

    /** One HTTP call the simulator made (flow webhook or resthook), with what came back. status 0 = no response. */
    public record WebhookCall(String kind, String resthook, URI url, String body, Map<String, String> headers, int status,
                              String error, long millis) {}

    /** What {@link #respond(ResponseProfile)} did. */
    public record RespondResult(int recipients, int reached, int answered, int completed, List<WebhookCall> calls) {}

    // ---------------------------------------------------------------------------------------------------------------

    private final RapidProOptions opts;
    private final Flavour flavour;
    private final ScopedThrottle throttle = new ScopedThrottle();
    private final Object lock = new Object();
    private final HttpClient http;
    private final Set<String> tokens = new LinkedHashSet<>();

    private long lastMicros;
    private long nextId = 1;

    private final Map<String, Contact> contacts = new LinkedHashMap<>();
    private final Map<String, Contact> byUrn = new HashMap<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, Field> fields = new LinkedHashMap<>();
    private final Map<String, Flow> flows = new LinkedHashMap<>();
    private final List<Broadcast> broadcasts = new ArrayList<>();
    private final List<Start> starts = new ArrayList<>();
    private final List<Msg> msgs = new ArrayList<>();
    private final List<Run> runs = new ArrayList<>();
    private final Map<String, Resthook> resthooks = new LinkedHashMap<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<Object> pendingAsync = new ArrayList<>();
    private final List<WebhookCall> webhookCalls = new CopyOnWriteArrayList<>();
    private int contactsCreatedByApi;
    private int contactsCreatedByMessaging;

    protected RapidProSimulator(RapidProOptions options) throws IOException {
        super(options.port, options.threads);
        this.opts = options;
        this.flavour = options.flavour;
        tokens.add(options.token);
        tokens.addAll(options.extraTokens);
        options.effectiveRates().forEach(throttle::rate);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(options.webhookTimeout).build();
        synchronized (lock) {
            for (String[] f : options.fields) addField(f[0], f[1], f[2]);
            for (String g : options.groups) createGroup(g);
            for (FlowDef f : options.flows) addFlow(f);
            for (String r : options.resthooks) addResthook(r);
        }
    }

    /** Creates and starts a simulator. */
    public static RapidProSimulator start(RapidProOptions options) {
        try {
            RapidProSimulator sim = new RapidProSimulator(options);
            sim.start();
            return sim;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public RapidProSimulator start() {
        super.start();
        return this;
    }

    public RapidProOptions options() { return opts; }
    public Flavour flavour() { return flavour; }
    public String token() { return opts.token; }
    public String workspaceUuid() { return opts.workspaceUuid; }
    /** {@code http://127.0.0.1:<port>/api/v2/} */
    public String apiUrl() { return baseUrl() + "/api/v2/"; }
    /** The value for the {@code Authorization} header. */
    public String authorization() { return "Token " + opts.token; }

    // ---------------------------------------------------------------------------------------------------------------
    // faults in RapidPro's shapes

    @Override
    protected Response throttled(long retryAfterSeconds) {
        long wait = Math.max(1, retryAfterSeconds);
        String unit = wait == 1 ? "second" : "seconds";
        return json(429, obj().put("detail", "Request was throttled. Expected available in " + wait + " " + unit + "."))
                .withHeader("Retry-After", Long.toString(wait));
    }

    @Override
    protected Response serverError() {
        return Response.of(500, "text/plain", "Server Error. Site administrators have been notified.");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // routing

    private interface Handler { Response handle(Request r) throws Exception; }

    private record Endpoint(String scope, Set<String> methods, Handler get, Handler post, Handler delete) {}

    private Endpoint endpoint(String name) {
        return switch (name) {
            case "contacts" -> new Endpoint("v2.contacts", Set.of("GET", "POST", "DELETE"), this::contactsGet, this::contactsPost, this::contactsDelete);
            case "contact_actions" -> new Endpoint("v2", Set.of("POST"), null, this::contactActionsPost, null);
            case "groups" -> new Endpoint("v2", Set.of("GET", "POST", "DELETE"), this::groupsGet, this::groupsPost, this::groupsDelete);
            case "fields" -> new Endpoint("v2", Set.of("GET", "POST"), this::fieldsGet, this::fieldsPost, null);
            case "flows" -> new Endpoint("v2", Set.of("GET"), this::flowsGet, null, null);
            case "broadcasts" -> new Endpoint(flavour == Flavour.V7_4 ? "v2.broadcasts" : "v2", Set.of("GET", "POST"), this::broadcastsGet, this::broadcastsPost, null);
            case "flow_starts" -> new Endpoint("v2", Set.of("GET", "POST"), this::startsGet, this::startsPost, null);
            case "messages" -> new Endpoint("v2.messages", flavour == Flavour.CURRENT ? Set.of("GET", "POST") : Set.of("GET"), this::messagesGet, this::messagesPost, null);
            case "runs" -> new Endpoint("v2.runs", Set.of("GET"), this::runsGet, null, null);
            case "resthooks" -> new Endpoint("v2", Set.of("GET"), this::resthooksGet, null, null);
            case "resthook_subscribers" -> new Endpoint("v2", Set.of("GET", "POST", "DELETE"), this::subscribersGet, this::subscribersPost, this::subscribersDelete);
            case "resthook_events" -> new Endpoint("v2", Set.of("GET"), this::eventsGet, null, null);
            case "workspace", "org" -> new Endpoint("v2", Set.of("GET"), this::workspaceGet, null, null);
            default -> null;
        };
    }

    @Override
    protected Response handle(Request req) {
        try {
            return route(req);
        } catch (Exception e) {
            LOG.warn("RapidPro simulator failed on {} {}", req.method(), req.path(), e);
            return serverError();
        }
    }

    /**
     * Not RapidPro's API: the simulator's own record for tests that cannot reach this object (a test running inside
     * Karaf). One line per outgoing message with exactly this text: the URN it went to.
     */
    private Response sandboxOutgoing(String text) {
        StringBuilder b = new StringBuilder();
        for (Delivery d : outgoing()) if (text != null && text.equals(d.text())) b.append(d.urn()).append('\n');
        return Response.of(200, "text/plain; charset=utf-8", b.toString());
    }

    private Response route(Request req) throws Exception {
        String path = req.path();
        if (path.equals("/sandbox/outgoing")) return sandboxOutgoing(req.param("text"));
        if (!path.startsWith("/api/v2/") || !path.endsWith(".json")) return notFound();
        String name = path.substring("/api/v2/".length(), path.length() - ".json".length());
        Endpoint ep = endpoint(name);
        if (ep == null) return notFound();

        String auth = req.header("Authorization");
        if (auth == null || auth.isBlank()) return detail(403, "Authentication credentials were not provided.");
        if (!authenticated(auth)) return detail(403, "Invalid token");

        OptionalLong wait = throttle.hit(opts.workspaceUuid, ep.scope());
        if (wait.isPresent()) return throttled(wait.getAsLong()).withHeader("X-Temba-Workspace", opts.workspaceUuid);

        String method = req.method().toUpperCase(Locale.ROOT);
        Handler h = switch (method) {
            case "GET", "HEAD" -> ep.get();
            case "POST" -> ep.post();
            case "DELETE" -> ep.delete();
            default -> null;
        };
        Response res;
        if (h == null || !ep.methods().contains(method.equals("HEAD") ? "GET" : method)) {
            res = detail(405, "Method \"" + method + "\" not allowed.");
        } else {
            // the JSON body is parsed before the lock: only the model's reads and writes are serialised
            PARSED.set(ParsedBody.of(req));
            try {
                synchronized (lock) {
                    advance();
                    res = h.handle(req);
                }
            } finally {
                PARSED.remove();
            }
        }
        return res.withHeader("X-Temba-Workspace", opts.workspaceUuid);
    }

    private boolean authenticated(String auth) {
        String a = auth.trim();
        int sp = a.indexOf(' ');
        if (sp < 0) return false;
        String kind = a.substring(0, sp).trim();
        String cred = a.substring(sp + 1).trim();
        if (kind.equalsIgnoreCase("Token")) return tokens.contains(cred);
        if (kind.equalsIgnoreCase("Basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(cred), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) return false;
            return decoded.substring(0, colon).equalsIgnoreCase(opts.email) && tokens.contains(decoded.substring(colon + 1));
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // contacts

    private Response contactsGet(Request req) {
        boolean deleted = "true".equalsIgnoreCase(req.param("deleted"));
        Predicate<Contact> filter = c -> c.deleted == deleted;
        // a lookup by uuid or URN reads its one candidate from the indexes, not every contact
        Collection<Contact> source = contacts.values();
        String uuid = req.param("uuid");
        if (uuid != null) {
            filter = filter.and(c -> c.uuid.equals(uuid));
            source = candidate(contacts.get(uuid));
        }
        String urn = req.param("urn");
        if (urn != null) {
            String norm = Urns.normalize(urn, opts.countryCode);
            if (norm == null) return detail(400, "Invalid URN: " + urn);
            filter = filter.and(c -> c.urns.contains(norm));
            if (uuid == null) source = candidate(byUrn.get(norm));
        }
        String group = req.param("group");
        if (group != null) {
            Group g = findGroup(group);
            if (g == null) filter = c -> false;
            else filter = filter.and(c -> c.groups.contains(g));
        }
        filter = filter.and(window(req, c -> c.modifiedOn));
        boolean reverse = "true".equalsIgnoreCase(req.param("reverse"));
        List<Contact> list = source.stream().filter(filter).sorted(order(c -> c.modifiedOn, reverse)).toList();
        return page(req, list, c -> c.modifiedOn, reverse, this::contactJson);
    }

    private static Collection<Contact> candidate(Contact c) { return c == null ? List.of() : List.of(c); }

    private Response contactsPost(Request req) {
        String uuid = req.param("uuid");
        String urn = req.param("urn");
        if (uuid != null && urn != null) return detail(400, "URL can only contain one of the following parameters: urn, uuid");
        JsonNode body = objectBody(req);
        if (body == null) return badBody(req);
        Contact target = null;
        String lookupUrn = null;
        if (uuid != null) {
            target = contacts.get(uuid);
            if (target == null) return notFound();
            if (target.deleted) return nonField("Deleted contacts can't be modified.");
        } else if (urn != null) {
            lookupUrn = Urns.normalize(urn, opts.countryCode);
            if (lookupUrn == null) return detail(400, "Invalid URN: " + urn);
            target = byUrn.get(lookupUrn);
        }

        Errors err = new Errors();
        String name = null;
        if (body.has("name")) {
            JsonNode n = body.get("name");
            if (!n.isNull() && !n.isTextual()) err.field("name", "Not a valid string.");
            else if (n.isTextual() && n.asText().length() > 64) err.field("name", "Ensure this field has no more than 64 characters.");
            else name = n.isNull() ? null : n.asText();
        }
        String language = null;
        if (body.has("language")) {
            JsonNode l = body.get("language");
            if (!l.isNull() && !(l.isTextual() && LANGUAGES.contains(l.asText()))) err.field("language", "Not a valid ISO639-3 language code.");
            else language = l.isNull() ? null : l.asText();
        }
        List<String> newUrns = null;
        if (body.has("urns")) {
            if (lookupUrn != null) err.field("urns", "Field not allowed when using URN in URL");
            else newUrns = urnList(body.get("urns"), err, "urns", target);
        }
        List<Group> newGroups = null;
        if (body.has("groups")) {
            newGroups = groupList(body.get("groups"), err, "groups", true);
            if (newGroups != null && !newGroups.isEmpty() && target != null && !"active".equals(target.status)) {
                err.field("groups", "Non-active contacts can't be added to groups");
            }
        }
        Map<String, String> newFields = null;
        if (body.has("fields")) {
            JsonNode f = body.get("fields");
            if (!f.isObject()) err.field("fields", "Expected a dictionary of items but got type \"" + pyType(f) + "\".");
            else if (f.size() > MAX_ITEMS) err.field("fields", "Ensure this field has no more than 100 elements.");
            else {
                newFields = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!fields.containsKey(e.getKey())) {
                        err.field("fields", "Invalid contact field key: " + e.getKey());
                        break;
                    }
                    JsonNode v = e.getValue();
                    newFields.put(e.getKey(), v.isNull() || (v.isTextual() && v.asText().isEmpty()) ? null : v.asText());
                }
            }
        }
        if (err.any()) return err.response();

        boolean created = target == null;
        long now = tick();
        Contact c = target;
        if (created) {
            c = newContact(now);
            c.createdByApi = true;
            contactsCreatedByApi++;
            if (lookupUrn != null) setUrns(c, List.of(lookupUrn));
        }
        if (body.has("name")) c.name = name;
        if (body.has("language")) c.language = language;
        if (newUrns != null) setUrns(c, newUrns);
        if (newGroups != null) {
            c.groups.clear();
            c.groups.addAll(newGroups);
        }
        if (newFields != null) {
            for (Map.Entry<String, String> e : newFields.entrySet()) {
                if (e.getValue() == null) c.fields.remove(e.getKey()); else c.fields.put(e.getKey(), e.getValue());
            }
        }
        c.modifiedOn = now;
        return json(created ? 201 : 200, contactJson(c));
    }

    private Response contactsDelete(Request req) {
        String uuid = req.param("uuid");
        String urn = req.param("urn");
        if (uuid != null && urn != null) return detail(400, "URL can only contain one of the following parameters: urn, uuid");
        if (uuid == null && urn == null) return detail(400, "URL must contain one of the following parameters: urn, uuid");
        Contact c;
        if (uuid != null) c = contacts.get(uuid);
        else {
            String norm = Urns.normalize(urn, opts.countryCode);
            if (norm == null) return detail(400, "Invalid URN: " + urn);
            c = byUrn.get(norm);
        }
        if (c == null || c.deleted) return notFound();
        deleteContact(c);
        return Response.of(204, null, null);
    }

    private Contact newContact(long now) {
        Contact c = new Contact();
        c.id = nextId++;
        c.uuid = UUID.randomUUID().toString();
        c.createdOn = now;
        c.modifiedOn = now;
        contacts.put(c.uuid, c);
        return c;
    }

    private void setUrns(Contact c, List<String> urns) {
        for (String u : c.urns) byUrn.remove(u);
        c.urns.clear();
        for (String u : urns) {
            if (!c.urns.contains(u)) c.urns.add(u);
            byUrn.put(u, c);
        }
    }

    private void deleteContact(Contact c) {
        interruptRuns(c);
        setUrns(c, List.of());
        c.groups.clear();
        c.fields.clear();
        c.name = null;
        c.language = null;
        c.deleted = true;
        c.modifiedOn = tick();
    }

    /** Validates a list of URNs for a write; null when invalid (errors added). */
    private List<String> urnList(JsonNode node, Errors err, String field, Contact owner) {
        if (!node.isArray()) {
            err.field(field, "Expected a list of items but got type \"" + pyType(node) + "\".");
            return null;
        }
        if (node.size() > MAX_ITEMS) {
            err.field(field, "Ensure this field has no more than 100 elements.");
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < node.size(); i++) {
            String raw = node.get(i).asText();
            String norm = node.get(i).isTextual() ? Urns.normalize(raw, opts.countryCode) : null;
            if (norm == null) {
                err.indexed(field, i, "Invalid URN: " + raw + ". Ensure phone numbers contain country codes.");
                ok = false;
                continue;
            }
            if (owner != SKIP_OWNER) {
                Contact other = byUrn.get(norm);
                if (other != null && other != owner) {
                    if (flavour == Flavour.CURRENT) err.indexed(field, i, "URN is in use by another contact.");
                    else err.field(field, "URN belongs to another contact: " + norm);
                    ok = false;
                    continue;
                }
            }
            out.add(norm);
        }
        return ok ? out : null;
    }

    private static final Contact SKIP_OWNER = new Contact();

    private List<Group> groupList(JsonNode node, Errors err, String field, boolean forWrite) {
        if (!node.isArray()) {
            err.field(field, "Expected a list of items but got type \"" + pyType(node) + "\".");
            return null;
        }
        if (node.size() > MAX_ITEMS) {
            err.field(field, "Ensure this field has no more than 100 elements.");
            return null;
        }
        List<Group> out = new ArrayList<>();
        for (JsonNode n : node) {
            Group g = findGroup(n.asText());
            if (g == null) {
                err.field(field, "No such object: " + n.asText());
                return null;
            }
            if (forWrite && g.query != null) {
                err.field(field, "Contact group must not be query based: " + n.asText());
                return null;
            }
            out.add(g);
        }
        return out;
    }

    private List<Contact> contactList(JsonNode node, Errors err, String field, boolean allowUrns) {
        if (!node.isArray()) {
            err.field(field, "Expected a list of items but got type \"" + pyType(node) + "\".");
            return null;
        }
        if (node.size() > MAX_ITEMS) {
            err.field(field, "Ensure this field has no more than 100 elements.");
            return null;
        }
        List<Contact> out = new ArrayList<>();
        for (JsonNode n : node) {
            String v = n.asText();
            Contact c = contacts.get(v);
            if (c == null && allowUrns && v.contains(":")) {
                String norm = Urns.normalize(v, opts.countryCode);
                if (norm != null) c = byUrn.get(norm);
            }
            if (c == null || c.deleted) {
                err.field(field, "No such object: " + v);
                return null;
            }
            out.add(c);
        }
        return out;
    }

    private Group findGroup(String uuidOrName) {
        if (uuidOrName == null) return null;
        Group g = groups.get(uuidOrName);
        if (g != null) return g;
        for (Group x : groups.values()) if (x.name.equalsIgnoreCase(uuidOrName)) return x;
        return null;
    }

    private ObjectNode contactJson(Contact c) {
        ObjectNode o = obj();
        o.put("uuid", c.uuid);
        if (c.deleted) {
            o.putNull("name");
            o.putNull("status");
            o.putNull("language");
            o.putArray("urns");
            o.putArray("groups");
            o.putObject("fields");
            o.putNull("flow");
            o.put("created_on", fmt(c.createdOn));
            o.put("modified_on", fmt(c.modifiedOn));
            o.putNull("last_seen_on");
            if (flavour == Flavour.V7_4) {
                o.putNull("blocked");
                o.putNull("stopped");
            }
            return o;
        }
        o.put("name", c.name);
        o.put("status", c.status);
        o.put("language", c.language);
        ArrayNode urns = o.putArray("urns");
        c.urns.forEach(urns::add);
        ArrayNode gs = o.putArray("groups");
        for (Group g : c.groups) gs.add(ref(g.uuid, g.name));
        ObjectNode fs = o.putObject("fields");
        for (Field f : fields.values()) fs.put(f.key, c.fields.get(f.key));
        if (c.flow == null) o.putNull("flow"); else o.set("flow", ref(c.flow.uuid(), c.flow.name()));
        o.put("created_on", fmt(c.createdOn));
        o.put("modified_on", fmt(c.modifiedOn));
        putTime(o, "last_seen_on", c.lastSeenOn);
        if (flavour == Flavour.V7_4) {
            o.put("blocked", "blocked".equals(c.status));
            o.put("stopped", "stopped".equals(c.status));
        }
        return o;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // contact actions

    private Response contactActionsPost(Request req) {
        JsonNode body = objectBody(req);
        if (body == null) return badBody(req);
        Errors err = new Errors();
        List<Contact> targets = null;
        if (!body.has("contacts")) err.field("contacts", "This field is required.");
        else targets = contactList(body.get("contacts"), err, "contacts", true);
        String action = body.path("action").asText(null);
        if (action == null) err.field("action", "This field is required.");
        else if (!ACTIONS.contains(action)) err.field("action", "\"" + action + "\" is not a valid choice.");
        Group group = null;
        if (body.hasNonNull("group")) {
            String gname = body.get("group").asText();
            group = findGroup(gname);
            if (group == null) err.field("group", "No such object: " + gname);
            else if (group.query != null) err.field("group", "Contact group must not be query based: " + gname);
        }
        if (err.any()) return err.response();
        boolean needsGroup = action.equals("add") || action.equals("remove");
        if (needsGroup && group == null) return nonField("For action \"" + action + "\" you should also specify a group");
        if (!needsGroup && group != null) return nonField("For action \"" + action + "\" you should not specify a group");
        if (action.equals("add")) {
            for (Contact c : targets) {
                if (!"active".equals(c.status)) return nonField("Non-active contacts cannot be added to groups: " + c.uuid);
            }
        }
        for (Contact c : targets) {
            switch (action) {
                case "add" -> c.groups.add(group);
                case "remove" -> c.groups.remove(group);
                case "block" -> setStatus(c, "blocked");
                case "unblock" -> setStatus(c, "active");
                case "interrupt" -> interruptRuns(c);
                case "archive_messages" -> {
                    for (Msg m : msgs) if (m.contact == c && m.incoming && "visible".equals(m.visibility)) {
                        m.visibility = "archived";
                        m.modifiedOn = tick();
                    }
                }
                case "delete" -> deleteContact(c);
                default -> throw new IllegalStateException(action);
            }
            if (!c.deleted) c.modifiedOn = tick();
        }
        return Response.of(204, null, null);
    }

    private void setStatus(Contact c, String status) {
        c.status = status;
        if (!"active".equals(status)) {
            c.groups.clear();
            interruptRuns(c);
        }
        c.modifiedOn = tick();
    }

    private void interruptRuns(Contact c) {
        for (Run r : runs) {
            if (r.contact == c && r.exitType == null) {
                long now = tick();
                r.exitType = "interrupted";
                r.exitedOn = now;
                r.modifiedOn = now;
            }
        }
        c.flow = null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // groups and fields

    private Response groupsGet(Request req) {
        Predicate<Group> filter = g -> true;
        String uuid = req.param("uuid");
        if (uuid != null) filter = filter.and(g -> g.uuid.equals(uuid));
        String name = req.param("name");
        if (name != null) filter = filter.and(g -> g.name.equalsIgnoreCase(name));
        List<Group> list = groups.values().stream().filter(filter).sorted(order(g -> g.createdOn, false)).toList();
        return page(req, list, g -> g.createdOn, false, this::groupJson);
    }

    private Response groupsPost(Request req) {
        JsonNode body = objectBody(req);
        if (body == null) return badBody(req);
        String uuid = req.param("uuid");
        Group target = null;
        if (uuid != null) {
            target = groups.get(uuid);
            if (target == null) return notFound();
        }
        JsonNode n = body.get("name");
        Errors err = new Errors();
        if (n == null || n.isNull()) err.field("name", "This field is required.");
        else if (n.asText().isBlank()) err.field("name", "This field may not be blank.");
        else if (n.asText().length() > 64) err.field("name", "Ensure this field has no more than 64 characters.");
        else {
            Group same = null;
            for (Group g : groups.values()) if (g.name.equalsIgnoreCase(n.asText().trim())) same = g;
            if (same != null && same != target) err.field("name", "This field must be unique.");
        }
        if (err.any()) return err.response();
        if (target == null) {
            if (groups.size() >= WORKSPACE_LIMIT) return nonField("Cannot create object because workspace has reached limit of " + WORKSPACE_LIMIT + ".");
            Group g = groups.get(createGroup(n.asText().trim()));
            return json(201, groupJson(g));
        }
        target.name = n.asText().trim();
        return json(200, groupJson(target));
    }

    private Response groupsDelete(Request req) {
        String uuid = req.param("uuid");
        if (uuid == null) return detail(400, "URL must contain one of the following parameters: uuid");
        Group g = groups.remove(uuid);
        if (g == null) return notFound();
        for (Contact c : contacts.values()) c.groups.remove(g);
        return Response.of(204, null, null);
    }

    private ObjectNode groupJson(Group g) {
        ObjectNode o = obj();
        o.put("uuid", g.uuid);
        o.put("name", g.name);
        o.put("query", g.query);
        o.put("status", "ready");
        o.put("system", false);
        long count = contacts.values().stream().filter(c -> !c.deleted && c.groups.contains(g)).count();
        o.put("count", count);
        return o;
    }

    private Response fieldsGet(Request req) {
        String key = req.param("key");
        List<Field> list = fields.values().stream().filter(f -> key == null || f.key.equals(key))
                .sorted(order(f -> f.createdOn, false)).toList();
        return page(req, list, f -> f.createdOn, false, this::fieldJson);
    }

    private Response fieldsPost(Request req) {
        JsonNode body = objectBody(req);
        if (body == null) return badBody(req);
        String key = req.param("key");
        Field target = null;
        if (key != null) {
            target = fields.get(key);
            if (target == null) return notFound();
        }
        String nameAttr = body.has("name") ? "name" : body.has("label") ? "label" : "name";
        String typeAttr = body.has("type") ? "type" : body.has("value_type") ? "value_type" : "type";
        JsonNode n = body.get(nameAttr);
        JsonNode t = body.get(typeAttr);
        Errors err = new Errors();
        String name = null;
        String derivedKey = null;
        if (n == null || n.isNull()) err.field(nameAttr, "This field is required.");
        else {
            name = n.asText();
            if (name.length() > 36) err.field(nameAttr, "Ensure this field has no more than 36 characters.");
            else if (!FIELD_NAME.matcher(name).matches() || !name.equals(name.strip())) err.field(nameAttr, "Can only contain letters, numbers and hypens.");
            else {
                derivedKey = makeKey(name);
                if (target == null && !validKey(derivedKey)) err.field(nameAttr, "Generated key \"" + derivedKey + "\" is invalid or a reserved name.");
                else {
                    for (Field f : fields.values()) {
                        if (f != target && (f.name.equalsIgnoreCase(name) || (target == null && f.key.equals(derivedKey)))) {
                            err.field(nameAttr, "This field must be unique.");
                            break;
                        }
                    }
                }
            }
        }
        String type = null;
        if (t == null || t.isNull()) err.field(typeAttr, "This field is required.");
        else {
            type = t.asText();
            if (type.equals("numeric")) type = "number";
            if (!FIELD_TYPES.contains(type)) err.field(typeAttr, "\"" + t.asText() + "\" is not a valid choice.");
        }
        if (err.any()) return err.response();
        if (target == null) {
            if (fields.size() >= WORKSPACE_LIMIT) return nonField("Cannot create object because workspace has reached limit of " + WORKSPACE_LIMIT + ".");
            Field f = addField(derivedKey, name, type);
            return json(201, fieldJson(f));
        }
        target.name = name;
        target.type = type;
        return json(200, fieldJson(target));
    }

    /** {@code ContactField.make_key}: lower-case, runs of other characters → {@code _}, trimmed. */
    static String makeKey(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").strip();
        return s.replaceAll("[^a-z0-9]+", "_");
    }

    static boolean validKey(String key) {
        return key != null && !key.isEmpty() && key.length() <= 36 && FIELD_KEY.matcher(key).matches() && !RESERVED_KEYS.contains(key);
    }

    private ObjectNode fieldJson(Field f) {
        ObjectNode o = obj();
        o.put("key", f.key);
        o.put("name", f.name);
        o.put("type", f.type);
        if (flavour == Flavour.V7_4) {
            o.put("label", f.name);
            o.put("value_type", f.type.equals("number") ? "numeric" : f.type);
        }
        return o;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // flows

    private Response flowsGet(Request req) {
        String uuid = req.param("uuid");
        List<Flow> list = flows.values().stream().filter(f -> uuid == null || f.uuid().equals(uuid))
                .sorted(order(f -> f.createdOn, false)).toList();
        return page(req, list, f -> f.createdOn, false, this::flowJson);
    }

    private ObjectNode flowJson(Flow f) {
        ObjectNode o = obj();
        o.put("uuid", f.uuid());
        o.put("name", f.name());
        o.put("type", "message");
        o.put("archived", false);
        o.putArray("labels");
        o.put("expires", 10080);
        ObjectNode counts = o.putObject("runs");
        Map<String, Integer> byExit = new HashMap<>();
        for (Run r : runs) if (r.flow == f) byExit.merge(r.exitType == null ? "active" : r.exitType, 1, Integer::sum);
        for (String k : List.of("active", "waiting", "completed", "interrupted", "expired", "failed")) {
            counts.put(k, k.equals("waiting") ? byExit.getOrDefault("active", 0) : byExit.getOrDefault(k, 0));
        }
        ArrayNode results = o.putArray("results");
        for (FlowDef.Result r : f.def.results()) {
            ObjectNode ro = results.addObject();
            ro.put("key", r.key());
            ro.put("name", r.name());
            ArrayNode cats = ro.putArray("categories");
            r.categories().forEach(cats::add);
            ro.putArray("node_uuids").add(r.nodeUuid());
        }
        o.putArray("parent_refs");
        o.put("created_on", fmt(f.createdOn));
        o.put("modified_on", fmt(f.modifiedOn));
        return o;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // broadcasts

    private Response broadcastsGet(Request req) {
        Predicate<Broadcast> filter = window(req, b -> b.createdOn);
        String uuid = req.param("uuid");
        if (uuid != null) filter = filter.and(b -> b.uuid.equals(uuid));
        String id = req.param("id");
        if (id != null) filter = filter.and(b -> Long.toString(b.id).equals(id));
        List<Broadcast> list = broadcasts.stream().filter(filter).sorted(order(b -> b.createdOn, false)).toList();
        return page(req, list, b -> b.createdOn, false, this::broadcastJson);
    }

    private Response broadcastsPost(Request req) {
        JsonNode body = objectBody(req);
        if (body == null) return badBody(req);
        Errors err = new Errors();
        Recipients rc = recipients(body, err);
        String base = body.path("base_language").asText("eng");
        ObjectNode text = translations(body.get("text"), base, err, "text", false);
        ObjectNode attachments = translations(body.get("attachments"), base, err, "attachments", true);
        ObjectNode quickReplies = translations(body.get("quick_replies"), base, err, "quick_replies", true);
        if (err.any()) return err.response();
        if (text.isEmpty() && (attachments.isEmpty() || allEmpty(attachments))) return nonField("Must provide either text or attachments.");
        if (rc.isEmpty()) return nonField("Must provide either urns, contacts or groups.");

        long now = tick();
        Broadcast b = new Broadcast();
        b.id = nextId++;
        b.uuid = UUID.randomUUID().toString();
        b.urns = rc.urns;
        b.contacts = rc.contacts;
        b.groups = rc.groups;
        b.text = text;
        b.baseLanguage = base;
        b.attachments = obj();
        b.quickReplies = obj();
        for (Iterator<String> it = text.fieldNames(); it.hasNext(); ) {
            String lang = it.next();
            b.attachments.set(lang, attachments.has(lang) ? attachments.get(lang) : JSON.createArrayNode());
            b.quickReplies.set(lang, quickReplies.has(lang) ? quickReplies.get(lang) : JSON.createArrayNode());
        }
        b.createdOn = now;
        b.modifiedOn = now;
        schedule(b);
        for (Contact c : resolveRecipients(rc, false, false, null)) {
            b.recipients.add(c);
            if (c.preferredUrn() == null) continue;
            Msg m = outgoing(c, render(pick(text, c.language, base), c), null, null);
            m.broadcast = b;
            m.quickReplies = b.quickReplies.path(text.has(c.language == null ? "" : c.language) ? c.language : base);
            b.msgs.add(m);
        }
        broadcasts.add(b);
        return json(201, broadcastJson(b));
    }

    private ObjectNode broadcastJson(Broadcast b) {
        ObjectNode o = obj();
        if (flavour == Flavour.V7_4) o.put("id", b.id); else o.put("uuid", b.uuid);
        ArrayNode urns = o.putArray("urns");
        b.urns.forEach(urns::add);
        ArrayNode cs = o.putArray("contacts");
        for (Contact c : b.contacts) cs.add(ref(c.uuid, c.name));
        ArrayNode gs = o.putArray("groups");
        for (Group g : b.groups) gs.add(ref(g.uuid, g.name));
        o.set("text", b.text);
        o.set("attachments", b.attachments);
        if (flavour == Flavour.CURRENT) o.set("quick_replies", b.quickReplies);
        o.put("base_language", b.baseLanguage);
        o.put("status", broadcastStatus(b));
        if (flavour == Flavour.CURRENT) {
            ObjectNode p = o.putObject("progress");
            p.put("total", b.recipients.size());
            p.put("started", b.stage >= 2 ? b.msgs.size() : 0);
        }
        o.put("created_on", fmt(b.createdOn));
        return o;
    }

    private String broadcastStatus(Broadcast b) {
        if (flavour == Flavour.V7_4) return b.stage >= 2 ? "sent" : "queued";
        return switch (b.stage) { case 0 -> "pending"; case 1 -> "queued"; default -> "completed"; };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // flow starts

    private Response startsGet(Request req) {
        Predicate<Start> filter = window(req, s -> s.modifiedOn);
        String uuid = req.param("uuid");
        if (uuid != null) filter = filter.and(s -> s.uuid.equals(uuid));
        String id = req.param("id");
        if (id != null) filter = filter.and(s -> Long.toString(s.id).equals(id));
        boolean reverse = "true".equalsIgnoreCase(req.param("reverse"));
        List<Start> list = starts.stream().filter(filter).sorted(order(s -> s.modifiedOn, reverse)).toList();
        return page(req, list, s -> s.modifiedOn, reverse, this::startJson);
    }

    private Response startsPost(Request req) {
        JsonNode body = objectBody(req);
        if (body == null) return badBody(req);
        Errors err = new Errors();
        Flow flow = null;
        JsonNode fnode = body.get("flow");
        if (fnode == null || fnode.isNull()) err.field("flow", "This field is required.");
        else {
            flow = flows.get(fnode.asText());
            if (flow == null) err.field("flow", "No such object: " + fnode.asText());
        }
        Recipients rc = recipients(body, err);
        JsonNode params = body.get("params");
        JsonNode extra = body.get("extra");
        for (String k : List.of("params", "extra")) {
            JsonNode p = body.get(k);
            if (p == null || p.isNull()) continue;
            if (!p.isObject()) err.field(k, "Must be a valid JSON object");
            else if (p.toString().length() > 10_000) err.field(k, "Must be a valid JSON object with no more than 10000 characters.");
        }
        if (err.any()) return err.response();
        if (rc.isEmpty()) return nonField("Must specify at least one group, contact or URN");

        long now = tick();
        Start s = new Start();
        s.id = nextId++;
        s.uuid = UUID.randomUUID().toString();
        s.flow = flow;
        s.urns = rc.urns;
        s.contacts = rc.contacts;
        s.groups = rc.groups;
        s.params = params != null && !params.isNull() ? params : extra != null && !extra.isNull() ? extra : obj();
        s.extra = extra;
        s.restartParticipants = body.path("restart_participants").asBoolean(true);
        s.excludeActive = body.path("exclude_active").asBoolean(false);
        s.createdOn = now;
        s.modifiedOn = now;
        schedule(s);
        for (Contact c : resolveRecipients(rc, s.excludeActive, !s.restartParticipants, flow)) {
            s.recipients.add(c);
            startRun(s, flow, c);
        }
        starts.add(s);
        return json(201, startJson(s));
    }

    private void startRun(Start s, Flow flow, Contact c) {
        interruptRuns(c);
        long now = tick();
        Run r = new Run();
        r.id = nextId++;
        r.uuid = UUID.randomUUID().toString();
        r.flow = flow;
        r.contact = c;
        r.urn = c.preferredUrn();
        r.start = s;
        r.createdOn = now;
        r.modifiedOn = now;
        List<FlowDef.Result> results = flow.def.results();
        if (!results.isEmpty()) {
            r.path.add(new Step(results.get(0).nodeUuid(), now));
            c.flow = flow;
        } else {
            r.exitType = "completed";
            r.exitedOn = now;
        }
        runs.add(r);
        if (s != null) s.runs.add(r);
        if (!results.isEmpty() && c.preferredUrn() != null && s != null) {
            Msg m = outgoing(c, results.get(0).question(), flow, s);
            s.msgs.add(m);
        }
        c.modifiedOn = tick();
    }

    private ObjectNode startJson(Start s) {
        ObjectNode o = obj();
        if (flavour == Flavour.V7_4) o.put("id", s.id);
        o.put("uuid", s.uuid);
        o.set("flow", ref(s.flow.uuid(), s.flow.name()));
        o.put("status", startStatus(s));
        ArrayNode gs = o.putArray("groups");
        for (Group g : s.groups) gs.add(ref(g.uuid, g.name));
        ArrayNode cs = o.putArray("contacts");
        for (Contact c : s.contacts) cs.add(ref(c.uuid, c.name));
        if (flavour == Flavour.V7_4) {
            o.put("restart_participants", s.restartParticipants);
            o.put("exclude_active", s.excludeActive);
            o.set("extra", s.params);
        }
        o.set("params", s.params);
        o.put("created_on", fmt(s.createdOn));
        o.put("modified_on", fmt(s.modifiedOn));
        return o;
    }

    private String startStatus(Start s) {
        if (flavour == Flavour.V7_4) return switch (s.stage) { case 0 -> "pending"; case 1 -> "starting"; default -> "complete"; };
        return switch (s.stage) { case 0 -> "pending"; case 1 -> "queued"; default -> "completed"; };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // recipients (broadcasts and flow starts)

    private record Recipients(List<String> urns, List<String> normUrns, List<Contact> contacts, List<Group> groups) {
        boolean isEmpty() { return urns.isEmpty() && contacts.isEmpty() && groups.isEmpty(); }
    }

    private Recipients recipients(JsonNode body, Errors err) {
        List<String> urns = List.of();
        List<String> norm = List.of();
        if (body.hasNonNull("urns")) {
            List<String> n = urnList(body.get("urns"), err, "urns", SKIP_OWNER);
            if (n != null) {
                norm = n;
                urns = new ArrayList<>();
                for (JsonNode u : body.get("urns")) urns.add(u.asText());
            }
        }
        List<Contact> cs = List.of();
        if (body.hasNonNull("contacts")) {
            List<Contact> x = contactList(body.get("contacts"), err, "contacts", false);
            if (x != null) cs = x;
        }
        List<Group> gs = List.of();
        if (body.hasNonNull("groups")) {
            List<Group> x = groupList(body.get("groups"), err, "groups", false);
            if (x != null) gs = x;
        }
        return new Recipients(urns, norm, cs, gs);
    }

    /** Contacts to message: URNs (creating unknown ones), contacts and group members, deduplicated; non-active skipped. */
    private List<Contact> resolveRecipients(Recipients rc, boolean excludeActive, boolean excludeFlowParticipants, Flow flow) {
        LinkedHashSet<Contact> all = new LinkedHashSet<>();
        for (String u : rc.normUrns) {
            Contact c = byUrn.get(u);
            if (c == null) {
                c = newContact(tick());
                setUrns(c, List.of(u));
                contactsCreatedByMessaging++;
            }
            all.add(c);
        }
        all.addAll(rc.contacts);
        for (Group g : rc.groups) for (Contact c : contacts.values()) if (!c.deleted && c.groups.contains(g)) all.add(c);
        List<Contact> out = new ArrayList<>();
        for (Contact c : all) {
            if (c.deleted || !"active".equals(c.status)) continue;
            if (excludeActive && c.flow != null) continue;
            if (excludeFlowParticipants && runs.stream().anyMatch(r -> r.contact == c && r.flow == flow)) continue;
            out.add(c);
        }
        return out;
    }

    private ObjectNode translations(JsonNode node, String base, Errors err, String field, boolean lists) {
        ObjectNode out = obj();
        if (node == null || node.isNull()) return out;
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(e.getKey(), e.getValue());
            }
            return out;
        }
        if (lists ? node.isArray() : node.isTextual()) {
            out.set(base, node);
            return out;
        }
        err.field(field, lists ? "Must be a list or a dict of lists." : "Must be a string or a dict of strings.");
        return out;
    }

    private static boolean allEmpty(ObjectNode o) {
        for (JsonNode n : o) if (n.size() > 0) return false;
        return true;
    }

    private static String pick(ObjectNode text, String lang, String base) {
        if (lang != null && text.has(lang)) return text.get(lang).asText();
        if (text.has(base)) return text.get(base).asText();
        Iterator<JsonNode> it = text.elements();
        return it.hasNext() ? it.next().asText() : "";
    }

    private static String render(String text, Contact c) {
        String name = c.name == null ? "" : c.name;
        String first = name.contains(" ") ? name.substring(0, name.indexOf(' ')) : name;
        return text.replace("@contact.first_name", first).replace("@contact.name", name)
                .replace("@contact", name.isEmpty() ? (c.preferredUrn() == null ? "" : Urns.path(c.preferredUrn())) : name);
    }

    private Msg outgoing(Contact c, String text, Flow flow, Start start) {
        long now = tick();
        Msg m = new Msg();
        m.id = nextId++;
        m.uuid = UUID.randomUUID().toString();
        m.contact = c;
        m.urn = c.preferredUrn();
        m.incoming = false;
        m.status = "queued";
        m.text = text;
        m.flow = flow;
        m.start = start;
        m.createdOn = now;
        m.modifiedOn = now;
        msgs.add(m);
        return m;
    }

    private Msg incoming(Contact c, String urn, String text, Flow flow) {
        long now = tick();
        Msg m = new Msg();
        m.id = nextId++;
        m.uuid = UUID.randomUUID().toString();
        m.contact = c;
        m.urn = urn;
        m.incoming = true;
        m.status = "handled";
        m.text = text;
        m.flow = flow;
        m.createdOn = now;
        m.modifiedOn = now;
        msgs.add(m);
        c.lastSeenOn = now;
        c.modifiedOn = tick();
        return m;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // asynchronous progress

    private void schedule(Object o) {
        long step = opts.asyncStep.toNanos();
        long now = System.nanoTime();
        if (o instanceof Broadcast b) {
            b.dueQueuedNanos = now + step;
            b.dueDoneNanos = now + 2 * step;
        } else if (o instanceof Start s) {
            s.dueQueuedNanos = now + step;
            s.dueDoneNanos = now + 2 * step;
        }
        pendingAsync.add(o);
    }

    /** Moves broadcasts and flow starts along (pending → queued → completed); their messages get sent. */
    private void advance() {
        if (pendingAsync.isEmpty()) return;
        long now = System.nanoTime();
        for (Iterator<Object> it = pendingAsync.iterator(); it.hasNext(); ) {
            Object o = it.next();
            if (o instanceof Broadcast b) {
                if (b.stage == 0 && now >= b.dueQueuedNanos) { b.stage = 1; b.modifiedOn = tick(); }
                if (b.stage == 1 && now >= b.dueDoneNanos) { b.stage = 2; b.modifiedOn = tick(); send(b.msgs); it.remove(); }
            } else if (o instanceof Start s) {
                if (s.stage == 0 && now >= s.dueQueuedNanos) { s.stage = 1; s.modifiedOn = tick(); }
                if (s.stage == 1 && now >= s.dueDoneNanos) { s.stage = 2; s.modifiedOn = tick(); send(s.msgs); it.remove(); }
            }
        }
    }

    private void finish(Object o) {
        if (o instanceof Broadcast b && b.stage < 2) {
            b.stage = 2;
            b.modifiedOn = tick();
            send(b.msgs);
        } else if (o instanceof Start s && s.stage < 2) {
            s.stage = 2;
            s.modifiedOn = tick();
            send(s.msgs);
        }
        pendingAsync.remove(o);
    }

    private void send(List<Msg> list) {
        for (Msg m : list) {
            if ("queued".equals(m.status)) {
                long now = tick();
                m.status = "wired";
                m.sentOn = now;
                m.modifiedOn = now;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // messages

    private Response messagesGet(Request req) {
        List<String> exclusive = new ArrayList<>();
        for (String p : List.of("broadcast", "contact", "folder", "label")) if (req.param(p) != null) exclusive.add(p);
        if (exclusive.size() > 1) return detail(400, "URL can only contain one of the following parameters: " + String.join(", ", exclusive));
        Predicate<Msg> filter = m -> true;
        ToLongFunction<Msg> key = m -> m.createdOn;
        String folder = req.param("folder");
        if (folder != null) {
            switch (folder.toLowerCase(Locale.ROOT)) {
                case "inbox" -> filter = m -> m.incoming && m.flow == null && "visible".equals(m.visibility);
                case "flows" -> filter = m -> m.incoming && m.flow != null && "visible".equals(m.visibility);
                case "archived" -> filter = m -> m.incoming && "archived".equals(m.visibility);
                case "outbox" -> filter = m -> !m.incoming && ("queued".equals(m.status) || "initializing".equals(m.status) || "pending".equals(m.status));
                case "sent" -> {
                    filter = m -> !m.incoming && m.sentOn != null && Set.of("wired", "sent", "delivered", "read").contains(m.status);
                    key = m -> m.sentOn;
                }
                case "failed" -> filter = m -> !m.incoming && "failed".equals(m.status);
                case "incoming" -> {
                    if (flavour == Flavour.V7_4) {
                        filter = m -> m.incoming;
                        key = m -> m.modifiedOn;
                    } else filter = m -> false;
                }
                default -> filter = m -> false;
            }
        }
        String contact = req.param("contact");
        if (contact != null) filter = filter.and(m -> m.contact.uuid.equals(contact));
        String broadcast = req.param("broadcast");
        if (broadcast != null) filter = filter.and(m -> m.broadcast != null && (m.broadcast.uuid.equals(broadcast) || Long.toString(m.broadcast.id).equals(broadcast)));
        if (req.param("label") != null) filter = m -> false;
        String uuid = req.param("uuid");
        if (uuid != null) filter = filter.and(m -> m.uuid.equals(uuid));
        String id = req.param("id");
        if (id != null) filter = filter.and(m -> Long.toString(m.id).equals(id));
        filter = filter.and(window(req, m -> m.createdOn));
        ToLongFunction<Msg> k = key;
        List<Msg> list = msgs.stream().filter(filter).sorted(order(k, false)).toList();
        return page(req, list, k, false, this::msgJson);
    }

    /** Current releases only: a single immediate message. */
    private Response messagesPost(Request req) {
        JsonNode body = objectBody(req);
        if (body == null) return badBody(req);
        Errors err = new Errors();
        Contact c = null;
        String cu = body.path("contact").asText(null);
        if (cu == null) err.field("contact", "This field is required.");
        else {
            c = contacts.get(cu);
            if (c == null || c.deleted) err.field("contact", "No such object: " + cu);
        }
        String text = body.path("text").asText("");
        if (text.isEmpty() && body.path("attachments").size() == 0) err.field("non_field_errors", "Must provide either text or attachments.");
        if (err.any()) return err.response();
        if (c.preferredUrn() == null) return nonField("Contact has no URN.");
        Msg m = outgoing(c, text, null, null);
        send(List.of(m));
        return json(201, msgJson(m));
    }

    private ObjectNode msgJson(Msg m) {
        ObjectNode o = obj();
        if (flavour == Flavour.V7_4) {
            o.put("id", m.id);
            if (m.broadcast == null) o.putNull("broadcast"); else o.put("broadcast", m.broadcast.id);
        } else {
            o.put("uuid", m.uuid);
        }
        o.set("contact", ref(m.contact.uuid, m.contact.name));
        o.put("urn", m.urn);
        o.set("channel", ref(CHANNEL_UUID, CHANNEL_NAME));
        o.put("direction", m.incoming ? "in" : "out");
        o.put("type", flavour == Flavour.V7_4 ? (m.flow != null ? "flow" : "inbox") : "text");
        o.put("status", m.status);
        if (flavour == Flavour.V7_4) o.put("archived", "archived".equals(m.visibility));
        o.put("visibility", m.visibility);
        o.put("text", m.text);
        o.putArray("attachments");
        if (flavour == Flavour.CURRENT) {
            ArrayNode qr = o.putArray("quick_replies");
            if (m.quickReplies != null && m.quickReplies.isArray()) {
                for (JsonNode q : m.quickReplies) qr.add(q.isTextual() ? obj().put("text", q.asText()) : q);
            }
        }
        o.putArray("labels");
        if (m.flow == null) o.putNull("flow"); else o.set("flow", ref(m.flow.uuid(), m.flow.name()));
        o.put("created_on", fmt(m.createdOn));
        putTime(o, "sent_on", m.sentOn);
        o.put("modified_on", fmt(m.modifiedOn));
        return o;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // runs

    private Response runsGet(Request req) {
        String flow = req.param("flow");
        String contact = req.param("contact");
        if (flow != null && contact != null) return detail(400, "URL can only contain one of the following parameters: contact, flow");
        Predicate<Run> filter = window(req, r -> r.modifiedOn);
        if (flow != null) filter = filter.and(r -> r.flow.uuid().equals(flow));
        if (contact != null) filter = filter.and(r -> r.contact.uuid.equals(contact));
        String uuid = req.param("uuid");
        if (uuid != null) filter = filter.and(r -> r.uuid.equals(uuid));
        String id = req.param("id");
        if (id != null) filter = filter.and(r -> Long.toString(r.id).equals(id));
        if ("true".equalsIgnoreCase(req.param("responded"))) filter = filter.and(r -> r.responded);
        boolean reverse = "true".equalsIgnoreCase(req.param("reverse"));
        boolean paths = !"false".equalsIgnoreCase(req.param("paths"));
        List<Run> list = runs.stream().filter(filter).sorted(order(r -> r.modifiedOn, reverse)).toList();
        return page(req, list, r -> r.modifiedOn, reverse, r -> runJson(r, paths));
    }

    private ObjectNode runJson(Run r, boolean paths) {
        ObjectNode o = obj();
        o.put("id", r.id);
        o.put("uuid", r.uuid);
        o.set("flow", ref(r.flow.uuid(), r.flow.name()));
        ObjectNode c = o.putObject("contact");
        c.put("uuid", r.contact.uuid);
        c.put("name", r.contact.name);
        c.put("urn", r.urn);
        if (flavour == Flavour.CURRENT) c.put("urn_display", r.urn == null ? null : Urns.path(r.urn));
        if (r.start == null) o.putNull("start"); else o.set("start", obj().put("uuid", r.start.uuid));
        o.put("responded", r.responded);
        if (paths) {
            ArrayNode p = o.putArray("path");
            for (Step s : r.path) p.add(obj().put("node", s.node).put("time", fmt(s.time)));
        } else {
            o.putNull("path");
        }
        ObjectNode vs = o.putObject("values");
        for (Map.Entry<String, Value> e : r.values.entrySet()) {
            Value v = e.getValue();
            ObjectNode vo = vs.putObject(e.getKey());
            vo.put("name", v.name);
            vo.put("value", v.value);
            vo.put("category", v.category);
            vo.put("node", v.node);
            vo.put("time", fmt(v.time));
            if (flavour == Flavour.V7_4) vo.put("input", v.input);
        }
        o.put("created_on", fmt(r.createdOn));
        o.put("modified_on", fmt(r.modifiedOn));
        putTime(o, "exited_on", r.exitedOn);
        o.put("exit_type", r.exitType);
        return o;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // resthooks

    private Response resthooksGet(Request req) {
        List<Resthook> list = resthooks.values().stream().sorted(order(r -> r.createdOn, false)).toList();
        return page(req, list, r -> r.createdOn, false, r -> obj().put("resthook", r.slug)
                .put("created_on", fmt(r.createdOn)).put("modified_on", fmt(r.modifiedOn)));
    }

    private Response subscribersGet(Request req) {
        List<Subscriber> list = subscribers.stream().sorted(order(s -> s.createdOn, false)).toList();
        return page(req, list, s -> s.createdOn, false, this::subscriberJson);
    }

    private ObjectNode subscriberJson(Subscriber s) {
        return obj().put("id", s.id).put("resthook", s.resthook).put("target_url", s.targetUrl).put("created_on", fmt(s.createdOn));
    }

    private Response subscribersPost(Request req) {
        JsonNode body = objectBody(req);
        if (body == null) return badBody(req);
        Errors err = new Errors();
        String slug = body.path("resthook").asText(null);
        if (slug == null) err.field("resthook", "This field is required.");
        else if (!resthooks.containsKey(slug)) err.field("resthook", "No resthook with slug: " + slug);
        String url = body.path("target_url").asText(null);
        if (url == null) err.field("target_url", "This field is required.");
        else if (!validUrl(url)) err.field("target_url", "Enter a valid URL.");
        if (err.any()) return err.response();
        Subscriber s = new Subscriber();
        s.id = nextId++;
        s.resthook = slug;
        s.targetUrl = url;
        s.createdOn = tick();
        subscribers.add(s);
        return json(201, subscriberJson(s));
    }

    private Response subscribersDelete(Request req) {
        String id = req.param("id");
        if (id == null) return detail(400, "URL must contain one of the following parameters: id");
        boolean removed = subscribers.removeIf(s -> Long.toString(s.id).equals(id));
        return removed ? Response.of(204, null, null) : notFound();
    }

    private Response eventsGet(Request req) {
        String slug = req.param("resthook");
        List<Event> list = events.stream().filter(e -> slug == null || e.resthook.equals(slug))
                .sorted(order(e -> e.createdOn, false)).toList();
        return page(req, list, e -> e.createdOn, false, e -> {
            ObjectNode o = obj().put("resthook", e.resthook);
            o.set("data", e.data);
            o.put("created_on", fmt(e.createdOn));
            return o;
        });
    }

    private static boolean validUrl(String url) {
        try {
            URI u = URI.create(url);
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Response workspaceGet(Request req) {
        ObjectNode o = obj();
        o.put("uuid", opts.workspaceUuid);
        o.put("name", opts.workspaceName);
        o.put("country", "LR");
        o.putArray("languages").add("eng");
        o.put("primary_language", "eng");
        o.put("timezone", "Africa/Monrovia");
        o.put("date_style", "day_first");
        o.put("anon", false);
        return json(200, o);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // playing the health workers

    /** Makes the recipients of a flow start or broadcast answer, per the profile; POSTs webhooks/resthooks after. */
    public RespondResult respond(ResponseProfile p) {
        List<Outbound> out = new ArrayList<>();
        int[] counts;
        synchronized (lock) {
            advance();
            counts = p.flow != null ? respondStarts(p, starts.stream().filter(x -> x.flow.uuid().equals(p.flow)).toList(), out)
                    : p.flowStart != null ? respondStart(p, out) : respondBroadcast(p, out);
        }
        List<WebhookCall> calls = deliver(out);
        return new RespondResult(counts[0], counts[1], counts[2], counts[3], calls);
    }

    private int[] respondStart(ResponseProfile p, List<Outbound> out) {
        Start s = starts.stream().filter(x -> x.uuid.equals(p.flowStart) || Long.toString(x.id).equals(p.flowStart)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no flow start " + p.flowStart));
        return respondStarts(p, List.of(s), out);
    }

    /** The runs of all these starts (of one flow) answer as one population: the rates apply to all of them together. */
    private int[] respondStarts(ResponseProfile p, List<Start> group, List<Outbound> out) {
        if (group.isEmpty()) throw new IllegalArgumentException("no flow start of flow " + p.flow);
        group.forEach(this::finish);
        List<FlowDef.Result> results = group.get(0).flow.def.results();
        List<Run> runs = new ArrayList<>();
        Map<Run, Start> startOf = new HashMap<>();
        for (Start st : group) for (Run r : st.runs) { runs.add(r); startOf.put(r, st); }
        int n = runs.size();
        int[] rank = ranks(n, p.seed);
        int nReach = (int) Math.round(n * p.reachRate);
        int nAnswer = (int) Math.round(nReach * p.answerRate);
        int nComplete = (int) Math.round(nAnswer * p.completionRate);
        Map<String, Integer> counters = new HashMap<>();
        int reached = 0, answered = 0, completed = 0;
        for (int i = 0; i < n; i++) {
            Run r = runs.get(i);
            Start s = startOf.get(r);
            Contact c = r.contact;
            if (r.exitType != null) continue; // interrupted, or answered by an earlier respond()
            List<String> scripted = scriptFor(p, c);
            boolean isReached = scripted != null || rank[i] < nReach;
            Msg first = s.msgs.stream().filter(m -> m.contact == c).findFirst().orElse(null);
            if (first != null) {
                first.status = isReached ? "delivered" : "failed";
                first.modifiedOn = tick();
            }
            if (!isReached) {
                if (p.expireUnfinished) exitRun(r, "expired");
                continue;
            }
            reached++;
            List<String> answers = new ArrayList<>();
            if (scripted != null) answers.addAll(scripted.subList(0, Math.min(scripted.size(), results.size())));
            else if (rank[i] < nAnswer) {
                int k = rank[i] < nComplete ? results.size() : Math.min(1, results.size());
                for (int q = 0; q < k; q++) answers.add(answerFor(p, results.get(q), counters));
            }
            boolean didComplete = scripted != null ? results.isEmpty() || answers.size() >= results.size() : rank[i] < nComplete;
            if (!answers.isEmpty()) answered++;
            for (int q = 0; q < answers.size(); q++) {
                FlowDef.Result res = results.get(q);
                Msg in = incoming(c, r.urn, answers.get(q), s.flow);
                record(r, res, answers.get(q), in);
                if (q + 1 < results.size()) {
                    Msg next = outgoing(c, results.get(q + 1).question(), s.flow, s);
                    next.status = "delivered";
                    next.sentOn = next.createdOn;
                    r.path.add(new Step(results.get(q + 1).nodeUuid(), tick()));
                }
            }
            if (didComplete) {
                exitRun(r, "completed");
                completed++;
                hooksFor(r, p.webhooks, p.resthook, out);
            } else if (p.expireUnfinished) {
                exitRun(r, "expired");
            }
        }
        return new int[] {n, reached, answered, completed};
    }

    private int[] respondBroadcast(ResponseProfile p, List<Outbound> out) {
        Broadcast b = broadcasts.stream().filter(x -> x.uuid.equals(p.broadcast) || Long.toString(x.id).equals(p.broadcast)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no broadcast " + p.broadcast));
        finish(b);
        int n = b.msgs.size();
        int[] rank = ranks(n, p.seed);
        int nReach = (int) Math.round(n * p.reachRate);
        int nAnswer = (int) Math.round(nReach * p.answerRate);
        int reached = 0, answered = 0, replyIdx = 0;
        for (int i = 0; i < n; i++) {
            Msg m = b.msgs.get(i);
            List<String> scripted = scriptFor(p, m.contact);
            boolean isReached = scripted != null || rank[i] < nReach;
            m.status = isReached ? "delivered" : "failed";
            m.modifiedOn = tick();
            if (!isReached) continue;
            reached++;
            String reply = null;
            if (scripted != null) reply = scripted.isEmpty() ? null : scripted.get(0);
            else if (rank[i] < nAnswer && !p.replies.isEmpty()) reply = p.replies.get(replyIdx++ % p.replies.size());
            if (reply != null) {
                incoming(m.contact, m.urn, reply, null);
                answered++;
            }
        }
        return new int[] {n, reached, answered, answered};
    }

    /** Rank of each index in a seeded shuffle: index i is "selected" for a rate when rank[i] < round(n * rate). */
    private static int[] ranks(int n, long seed) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < n; i++) idx.add(i);
        Collections.shuffle(idx, new Random(seed));
        int[] rank = new int[n];
        for (int pos = 0; pos < n; pos++) rank[idx.get(pos)] = pos;
        return rank;
    }

    private static List<String> scriptFor(ResponseProfile p, Contact c) {
        for (String u : c.urns) if (p.script.containsKey(u)) return p.script.get(u);
        for (Map.Entry<String, List<String>> e : p.script.entrySet()) {
            if (c.urns.contains(e.getKey()) || c.uuid.equals(e.getKey())) return e.getValue();
        }
        return null;
    }

    private static String answerFor(ResponseProfile p, FlowDef.Result r, Map<String, Integer> counters) {
        int i = counters.merge(r.key(), 1, Integer::sum) - 1;
        List<String> values = p.answers.get(r.key());
        if (values != null && !values.isEmpty()) return values.get(i % values.size());
        List<String> cats = r.categories().stream().filter(x -> !x.equals("Other") && !x.equals("All Responses")).toList();
        if (!cats.isEmpty()) return cats.get(i % cats.size());
        return "answer " + (i + 1);
    }

    private static String categorize(FlowDef.Result r, String value) {
        for (String cat : r.categories()) if (cat.equalsIgnoreCase(value.trim())) return cat;
        if (r.categories().contains("Other")) return "Other";
        return r.categories().get(0);
    }

    private void record(Run r, FlowDef.Result res, String text, Msg in) {
        long now = tick();
        Value v = new Value();
        v.name = res.name();
        v.value = text;
        v.category = categorize(res, text);
        v.node = res.nodeUuid();
        v.input = text;
        v.time = now;
        r.values.put(res.key(), v);
        r.responded = true;
        r.lastInput = in;
        r.modifiedOn = now;
    }

    private void exitRun(Run r, String exitType) {
        long now = tick();
        r.exitType = exitType;
        r.exitedOn = now;
        r.modifiedOn = now;
        if (r.contact.flow == r.flow) {
            r.contact.flow = null;
            r.contact.modifiedOn = tick();
        }
    }

    /** A reply that is not part of a flow: an inbox message (contact created if the URN is unknown). */
    public String injectInbound(String urn, String text) {
        synchronized (lock) {
            Contact c = contactForInbound(urn);
            return incoming(c, Urns.normalize(urn, opts.countryCode), text, null).uuid;
        }
    }

    /**
     * An inbound message that triggers {@code flowUuid} (a keyword trigger): a run is created, the text is its first
     * result, and when the flow has a single result the run completes and the flow webhook (and the resthook, if
     * given) is POSTed. Returns the run uuid.
     */
    public String injectInbound(String urn, String text, String flowUuid, String resthookSlug) {
        List<Outbound> out = new ArrayList<>();
        String runUuid;
        synchronized (lock) {
            Flow f = flows.get(flowUuid);
            if (f == null) throw new IllegalArgumentException("no flow " + flowUuid);
            Contact c = contactForInbound(urn);
            startRun(null, f, c);
            Run r = runs.get(runs.size() - 1);
            runUuid = r.uuid;
            List<FlowDef.Result> results = f.def.results();
            Msg in = incoming(c, r.urn, text, f);
            if (!results.isEmpty()) record(r, results.get(0), text, in);
            if (results.size() <= 1) {
                if (r.exitType == null) exitRun(r, "completed");
                hooksFor(r, true, resthookSlug, out);
            } else {
                r.path.add(new Step(results.get(1).nodeUuid(), tick()));
                Msg next = outgoing(c, results.get(1).question(), f, null);
                send(List.of(next));
            }
        }
        deliver(out);
        return runUuid;
    }

    private Contact contactForInbound(String urn) {
        String norm = Urns.normalize(urn, opts.countryCode);
        if (norm == null) throw new IllegalArgumentException("invalid URN " + urn);
        Contact c = byUrn.get(norm);
        if (c == null) {
            c = newContact(tick());
            setUrns(c, List.of(norm));
            contactsCreatedByMessaging++;
        }
        return c;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // webhooks and resthooks

    private record Outbound(String kind, String resthook, URI url, String body) {}

    private void hooksFor(Run r, boolean webhook, String resthook, List<Outbound> out) {
        if (webhook) {
            String body = webhookBody(r).toString();
            for (URI u : opts.webhookTargets) out.add(new Outbound("webhook", null, u, body));
        }
        if (resthook != null) {
            ObjectNode payload = resthookPayload(r);
            Event e = new Event();
            e.resthook = resthook;
            e.data = payload;
            e.createdOn = tick();
            events.add(e);
            for (Subscriber s : subscribers) {
                if (s.resthook.equals(resthook)) out.add(new Outbound("resthook", resthook, URI.create(s.targetUrl), payload.toString()));
            }
        }
    }

    /** The flow editor's default webhook body plus {@code run.uuid} and {@code input} (contract §11). */
    ObjectNode webhookBody(Run r) {
        ObjectNode o = obj();
        ObjectNode c = o.putObject("contact");
        c.put("uuid", r.contact.uuid);
        c.put("name", r.contact.name);
        c.put("urn", r.urn);
        o.set("flow", ref(r.flow.uuid(), r.flow.name()));
        ObjectNode results = o.putObject("results");
        for (Map.Entry<String, Value> e : r.values.entrySet()) {
            results.set(e.getKey(), obj().put("value", e.getValue().value).put("category", e.getValue().category));
        }
        o.set("run", obj().put("uuid", r.uuid));
        if (r.lastInput == null) o.putNull("input");
        else {
            Msg m = r.lastInput;
            ObjectNode in = o.putObject("input");
            in.put("uuid", m.uuid);
            in.put("type", "msg");
            in.put("text", m.text);
            in.putArray("attachments");
            in.put("urn", m.urn);
            in.set("channel", obj().put("uuid", CHANNEL_UUID).put("name", CHANNEL_NAME).put("address", CHANNEL_ADDRESS));
            in.put("created_on", fmt(m.createdOn));
        }
        return o;
    }

    /** goflow's fixed {@code ResthookPayload} (contract §12). */
    ObjectNode resthookPayload(Run r) {
        ObjectNode o = obj();
        ObjectNode c = o.putObject("contact");
        c.put("uuid", r.contact.uuid);
        c.put("name", r.contact.name);
        c.put("urn", r.urn);
        c.put("language", r.contact.language);
        o.set("flow", ref(r.flow.uuid(), r.flow.name()).put("revision", 1));
        ArrayNode path = o.putArray("path");
        for (int i = 0; i < r.path.size(); i++) {
            Step s = r.path.get(i);
            ObjectNode po = path.addObject().put("node_uuid", s.node).put("arrived_on", fmt(s.time));
            if (i + 1 < r.path.size() || r.exitType != null) po.put("exit_uuid", UUID.nameUUIDFromBytes(("exit:" + s.node).getBytes(StandardCharsets.UTF_8)).toString());
        }
        ObjectNode results = o.putObject("results");
        for (Map.Entry<String, Value> e : r.values.entrySet()) {
            Value v = e.getValue();
            ObjectNode ro = results.putObject(e.getKey());
            ro.put("name", v.name);
            ro.put("value", v.value);
            ro.put("category", v.category);
            ro.put("category_localized", v.category);
            ro.put("input", v.input);
            ro.put("node_uuid", v.node);
            ro.put("created_on", fmt(v.time));
        }
        o.set("run", obj().put("uuid", r.uuid).put("created_on", fmt(r.createdOn)));
        ObjectNode channel = obj().put("uuid", CHANNEL_UUID).put("name", CHANNEL_NAME).put("address", CHANNEL_ADDRESS);
        if (r.lastInput == null) o.putNull("input");
        else {
            Msg m = r.lastInput;
            ObjectNode in = o.putObject("input");
            in.put("uuid", m.uuid);
            in.put("type", "msg");
            in.put("text", m.text);
            in.putArray("attachments");
            in.set("channel", channel.deepCopy());
            String urn = m.urn == null ? "" : m.urn;
            in.set("urn", obj().put("scheme", urn.contains(":") ? Urns.scheme(urn) : "").put("path", urn.contains(":") ? Urns.path(urn) : urn).putNull("display"));
            in.put("created_on", fmt(m.createdOn));
        }
        o.set("channel", channel);
        return o;
    }

    private String userAgent() {
        return flavour == Flavour.V7_4 ? "RapidProMailroom/7.4.2" : "Mailroom/10.1";
    }

    /** POSTs each payload once (no retries), outside the lock so a receiver may call the API back. */
    private List<WebhookCall> deliver(List<Outbound> out) {
        List<WebhookCall> done = new ArrayList<>();
        for (Outbound o : out) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            headers.put("User-Agent", userAgent());
            headers.put("X-Mailroom-Mode", "normal");
            long t0 = System.nanoTime();
            int status = 0;
            String error = null;
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(o.url()).timeout(opts.webhookTimeout)
                        .POST(HttpRequest.BodyPublishers.ofString(o.body(), StandardCharsets.UTF_8));
                headers.forEach(b::header);
                HttpResponse<byte[]> res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                status = res.statusCode();
            } catch (IOException e) {
                error = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error = e.toString();
            } catch (RuntimeException e) {
                error = e.toString();
            }
            WebhookCall call = new WebhookCall(o.kind(), o.resthook(), o.url(), o.body(), Map.copyOf(headers), status, error,
                    (System.nanoTime() - t0) / 1_000_000);
            webhookCalls.add(call);
            done.add(call);
            if ("resthook".equals(o.kind()) && status == 410) {
                synchronized (lock) {
                    subscribers.removeIf(s -> s.resthook.equals(o.resthook()) && s.targetUrl.equals(o.url().toString()));
                }
            }
        }
        return done;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // set-up helpers and typed accessors for tests and benchmarks

    public void addFlow(FlowDef def) {
        synchronized (lock) {
            Flow f = new Flow();
            f.def = def;
            f.createdOn = tick();
            f.modifiedOn = f.createdOn;
            flows.put(def.uuid(), f);
        }
    }

    public void addResthook(String slug) {
        synchronized (lock) {
            Resthook r = new Resthook();
            r.slug = slug;
            r.createdOn = tick();
            r.modifiedOn = r.createdOn;
            resthooks.putIfAbsent(slug, r);
        }
    }

    /** Creates a field directly (bypassing the API, the rate limit and the key derivation). */
    public void createField(String key, String name, String type) {
        synchronized (lock) {
            addField(key, name, type);
        }
    }

    private Field addField(String key, String name, String type) {
        Field f = new Field();
        f.key = key;
        f.name = name;
        f.type = type == null ? "text" : type;
        f.createdOn = tick();
        fields.put(key, f);
        return f;
    }

    /** Creates a static group directly; returns its uuid. */
    public String createGroup(String name) {
        synchronized (lock) {
            Group g = new Group();
            g.uuid = UUID.randomUUID().toString();
            g.name = name;
            g.createdOn = tick();
            groups.put(g.uuid, g);
            return g.uuid;
        }
    }

    /** Creates a contact directly (not counted as created by the API); returns its uuid. */
    public String createContact(String name, String... urns) {
        synchronized (lock) {
            Contact c = newContact(tick());
            c.name = name;
            List<String> norm = new ArrayList<>();
            for (String u : urns) norm.add(Objects.requireNonNull(Urns.normalize(u, opts.countryCode), "invalid URN " + u));
            setUrns(c, norm);
            return c.uuid;
        }
    }

    /** Sets a contact's status (active, blocked, stopped, archived), e.g. to simulate a STOP opt-out. */
    public void setContactStatus(String urnOrUuid, String status) {
        synchronized (lock) {
            Contact c = find(urnOrUuid);
            if (c == null) throw new IllegalArgumentException("no contact " + urnOrUuid);
            setStatus(c, status);
        }
    }

    /** The contact as the API would show it. */
    public Optional<JsonNode> contact(String urnOrUuid) {
        synchronized (lock) {
            Contact c = find(urnOrUuid);
            return c == null ? Optional.empty() : Optional.of(contactJson(c));
        }
    }

    private Contact find(String urnOrUuid) {
        Contact c = contacts.get(urnOrUuid);
        if (c != null) return c;
        String norm = Urns.normalize(urnOrUuid, opts.countryCode);
        return norm == null ? null : byUrn.get(norm);
    }

    public int contactCount() {
        synchronized (lock) {
            return (int) contacts.values().stream().filter(c -> !c.deleted).count();
        }
    }

    /** Contacts created by {@code POST /contacts.json} (create or upsert-create). */
    public int contactsCreatedByApi() {
        synchronized (lock) {
            return contactsCreatedByApi;
        }
    }

    /** Contacts created implicitly by broadcasts/flow starts to unknown URNs, or by inbound messages. */
    public int contactsCreatedByMessaging() {
        synchronized (lock) {
            return contactsCreatedByMessaging;
        }
    }

    public List<BroadcastRecord> broadcasts() {
        synchronized (lock) {
            advance();
            List<BroadcastRecord> out = new ArrayList<>();
            for (Broadcast b : broadcasts) {
                Map<String, String> text = new LinkedHashMap<>();
                b.text.fields().forEachRemaining(e -> text.put(e.getKey(), e.getValue().asText()));
                out.add(new BroadcastRecord(b.uuid, b.id, List.copyOf(b.urns), b.contacts.stream().map(c -> c.uuid).toList(),
                        b.groups.stream().map(g -> g.uuid).toList(), text, b.recipients.stream().map(c -> c.uuid).toList(), broadcastStatus(b)));
            }
            return out;
        }
    }

    public List<FlowStartRecord> flowStarts() {
        synchronized (lock) {
            advance();
            List<FlowStartRecord> out = new ArrayList<>();
            for (Start s : starts) {
                out.add(new FlowStartRecord(s.uuid, s.id, s.flow.uuid(), List.copyOf(s.urns), s.contacts.stream().map(c -> c.uuid).toList(),
                        s.groups.stream().map(g -> g.uuid).toList(), s.params.deepCopy(), s.recipients.stream().map(c -> c.uuid).toList(), startStatus(s)));
            }
            return out;
        }
    }

    /** Every outgoing message, oldest first. */
    public List<Delivery> outgoing() {
        synchronized (lock) {
            advance();
            return msgs.stream().filter(m -> !m.incoming).map(this::delivery).toList();
        }
    }

    /** Outgoing messages per contact uuid (proves "every recipient got exactly one message"). */
    public Map<String, List<Delivery>> outgoingByContact() {
        Map<String, List<Delivery>> out = new LinkedHashMap<>();
        for (Delivery d : outgoing()) out.computeIfAbsent(d.contactUuid(), k -> new ArrayList<>()).add(d);
        return out;
    }

    /** Outgoing messages to one contact (by URN or uuid). */
    public List<Delivery> outgoingTo(String urnOrUuid) {
        String uuid;
        synchronized (lock) {
            Contact c = find(urnOrUuid);
            if (c == null) return List.of();
            uuid = c.uuid;
        }
        return outgoing().stream().filter(d -> d.contactUuid().equals(uuid)).toList();
    }

    private Delivery delivery(Msg m) {
        return new Delivery(m.uuid, m.id, m.contact.uuid, m.urn, m.text, m.broadcast == null ? null : m.broadcast.uuid,
                m.start == null ? null : m.start.uuid, m.status);
    }

    /** Every webhook/resthook call made so far. */
    public List<WebhookCall> webhookCalls() { return List.copyOf(webhookCalls); }

    /** Forgets the throttle history (e.g. between benchmark phases). */
    public void resetRateLimit() { throttle.reset(); }

    /** Changes a scope's rate at run time (null = unthrottled). */
    public void rateLimit(String scope, RateLimit rate) { throttle.rate(scope, rate); }

    public Map<String, RateLimit> rateLimits() { return throttle.rates(); }

    // ---------------------------------------------------------------------------------------------------------------
    // plumbing

    private static Set<String> languages() {
        Set<String> out = new java.util.HashSet<>(Set.of("kpe", "bsq", "vai", "kri", "lir", "gkp", "dnj", "mev", "lom", "gba",
                "men", "tem", "ful", "fuf", "fuc", "hau", "ibo", "yor", "twi", "aka", "ewe", "lin", "kin", "lug", "nyn", "ach",
                "teo", "swh", "swa", "amh", "orm", "tir", "som", "zul", "xho", "sot", "tsn", "nya", "sna", "nde", "mlg", "wol",
                "bam", "mos", "pcm", "arb", "zho", "cmn", "hin", "urd", "ben", "por", "spa", "fra", "eng", "ara"));
        for (String two : Locale.getISOLanguages()) {
            try {
                out.add(new Locale(two).getISO3Language());
            } catch (java.util.MissingResourceException ignored) {
                // no three-letter code
            }
        }
        return Set.copyOf(out);
    }

    /** Unique, strictly increasing epoch microseconds, so every object has a distinct, ordered timestamp. */
    private long tick() {
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        lastMicros = Math.max(micros, lastMicros + 1);
        return lastMicros;
    }

    static String fmt(long micros) {
        return DATE.format(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000));
    }

    private static void putTime(ObjectNode o, String key, Long micros) {
        if (micros == null) o.putNull(key); else o.put(key, fmt(micros));
    }

    /** Parses an ISO-8601 query value to epoch microseconds; null when absent or unparseable (then ignored). */
    static Long parseTime(String s) {
        if (s == null || s.isBlank()) return null;
        for (String v : List.of(s.trim(), s.trim().replace(' ', '+'))) {
            Instant i = null;
            try {
                i = OffsetDateTime.parse(v).toInstant();
            } catch (RuntimeException ignored) {
                try {
                    i = LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
                } catch (RuntimeException ignored2) {
                    try {
                        i = LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
                    } catch (RuntimeException ignored3) {
                        // next candidate
                    }
                }
            }
            if (i != null) return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
        }
        return null;
    }

    private static <T> Predicate<T> window(Request req, ToLongFunction<T> key) {
        Long before = parseTime(req.param("before"));
        Long after = parseTime(req.param("after"));
        return t -> (before == null || key.applyAsLong(t) <= before) && (after == null || key.applyAsLong(t) >= after);
    }

    private static <T> Comparator<T> order(ToLongFunction<T> key, boolean ascending) {
        Comparator<T> c = Comparator.comparingLong(key);
        return ascending ? c : c.reversed();
    }

    /** DRF cursor pagination: position-based opaque cursor, absolute {@code next}/{@code previous}, no count. */
    private <T> Response page(Request req, List<T> items, ToLongFunction<T> key, boolean ascending, Function<T, JsonNode> ser) {
        int size = opts.pageSize;
        int n = items.size();
        int from;
        int to;
        String cursor = req.param("cursor");
        if (cursor == null) {
            from = 0;
            to = Math.min(size, n);
        } else {
            String decoded;
            try {
                decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return detail(404, "Invalid cursor");
            }
            Map<String, String> kv = new HashMap<>();
            for (String part : decoded.split("&")) {
                int eq = part.indexOf('=');
                if (eq > 0) kv.put(part.substring(0, eq), part.substring(eq + 1));
            }
            long pos;
            try {
                pos = Long.parseLong(kv.getOrDefault("p", ""));
            } catch (NumberFormatException e) {
                return detail(404, "Invalid cursor");
            }
            int boundary = 0; // number of items strictly before pos in output order
            while (boundary < n && (ascending ? key.applyAsLong(items.get(boundary)) < pos : key.applyAsLong(items.get(boundary)) > pos)) boundary++;
            if ("1".equals(kv.get("r"))) {
                to = boundary;
                from = Math.max(0, to - size);
            } else {
                from = boundary;
                while (from < n && key.applyAsLong(items.get(from)) == pos) from++;
                to = Math.min(n, from + size);
            }
        }
        ObjectNode o = obj();
        List<T> pageItems = items.subList(from, to);
        if (to < n && !pageItems.isEmpty()) o.put("next", link(req, "r=0&p=" + key.applyAsLong(pageItems.get(pageItems.size() - 1))));
        else o.putNull("next");
        if (from > 0 && !pageItems.isEmpty()) o.put("previous", link(req, "r=1&p=" + key.applyAsLong(pageItems.get(0))));
        else o.putNull("previous");
        ArrayNode results = o.putArray("results");
        for (T t : pageItems) results.add(ser.apply(t));
        return json(200, o);
    }

    private String link(Request req, String cursorValue) {
        String host = req.header("Host");
        if (host == null || host.isBlank()) host = "127.0.0.1:" + port();
        StringBuilder sb = new StringBuilder("http://").append(host).append(req.path()).append('?');
        if (req.rawQuery() != null) {
            for (String part : req.rawQuery().split("&")) {
                if (part.isEmpty() || part.startsWith("cursor=") || part.equals("cursor")) continue;
                sb.append(part).append('&');
            }
        }
        String c = Base64.getUrlEncoder().withoutPadding().encodeToString(cursorValue.getBytes(StandardCharsets.UTF_8));
        return sb.append("cursor=").append(URLEncoder.encode(c, StandardCharsets.UTF_8)).toString();
    }

    private static JsonNode body(Request req) throws JsonProcessingException {
        ParsedBody pre = PARSED.get();
        if (pre != null && pre.req() == req) {
            if (pre.error() != null) throw pre.error();
            return pre.node();
        }
        return parse(req);
    }

    private static JsonNode parse(Request req) throws JsonProcessingException {
        String text = req.bodyText();
        if (text.isBlank()) return JSON.createObjectNode();
        JsonNode n = JSON.readTree(text);
        return n == null ? NullNode.getInstance() : n;
    }

    /** A request's body as {@link #body} reads it, parsed by {@link #route} before it takes the lock. */
    private record ParsedBody(Request req, JsonNode node, JsonProcessingException error) {
        static ParsedBody of(Request req) {
            try {
                return new ParsedBody(req, parse(req), null);
            } catch (JsonProcessingException e) {
                return new ParsedBody(req, null, e);
            }
        }
    }

    private static final ThreadLocal<ParsedBody> PARSED = new ThreadLocal<>();

    /** The request's JSON object, or null when the body is not JSON or not an object (see {@link #badBody}). */
    private static JsonNode objectBody(Request req) {
        try {
            JsonNode n = body(req);
            return n.isObject() ? n : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** RapidPro's 400 for a body {@link #objectBody} refused: the parse error, or the non-object message. */
    private static Response badBody(Request req) {
        try {
            body(req);
            return nonField("Request body should be a single JSON object");
        } catch (JsonProcessingException e) {
            return parseError(e);
        }
    }

    private static Response parseError(JsonProcessingException e) {
        return detail(400, "JSON parse error - " + e.getOriginalMessage());
    }

    private static String pyType(JsonNode n) {
        if (n.isTextual()) return "str";
        if (n.isInt() || n.isLong()) return "int";
        if (n.isNumber()) return "float";
        if (n.isBoolean()) return "bool";
        if (n.isArray()) return "list";
        if (n.isObject()) return "dict";
        return "NoneType";
    }

    static ObjectNode obj() { return JSON.createObjectNode(); }

    private static ObjectNode ref(String uuid, String name) { return obj().put("uuid", uuid).put("name", name); }

    private static Response json(int status, JsonNode body) {
        try {
            return Response.json(status, JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Response detail(int status, String detail) { return json(status, obj().put("detail", detail)); }

    private static Response notFound() { return detail(404, "Not found."); }

    private static Response nonField(String message) {
        ObjectNode o = obj();
        o.putArray("non_field_errors").add(message);
        return json(400, o);
    }

    /** A DRF validation error body: {@code {field: [msg]}} or {@code {field: {"<index>": [msg]}}}. */
    private static final class Errors {
        final ObjectNode node = obj();

        void field(String f, String msg) {
            JsonNode existing = node.get(f);
            if (existing instanceof ArrayNode a) a.add(msg);
            else if (existing == null) node.putArray(f).add(msg);
        }

        void indexed(String f, int index, String msg) {
            JsonNode existing = node.get(f);
            ObjectNode o;
            if (existing instanceof ObjectNode x) o = x;
            else if (existing == null) o = node.putObject(f);
            else return;
            JsonNode list = o.get(Integer.toString(index));
            if (list instanceof ArrayNode a) a.add(msg);
            else o.putArray(Integer.toString(index)).add(msg);
        }

        boolean any() { return !node.isEmpty(); }

        Response response() { return json(400, node); }
    }
}
