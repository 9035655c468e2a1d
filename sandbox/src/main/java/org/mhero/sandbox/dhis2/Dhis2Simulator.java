package org.mhero.sandbox.dhis2;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mhero.sandbox.core.Query;
import org.mhero.sandbox.core.SimHttpServer;
import org.mhero.sandbox.dhis2.DataValueImporter.StoredValue;
import org.mhero.sandbox.dhis2.Dhis2Options.UserFormat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A contract simulator of the DHIS2 Web API (contracts/dhis2.md §10): Basic and ApiToken auth with WebMessage
 * errors, unversioned and versioned {@code /api}, metadata lists with {@code pager}/{@code fields}/{@code filter}/
 * {@code order}, users in flattened or legacy form, and {@code POST /api/dataValueSets} with the 2.38+ WebMessage
 * envelope (200 / 409) or the bare pre-2.38 ImportSummary.
 */
public final class Dhis2Simulator extends SimHttpServer {
    private static final Pattern VERSIONED = Pattern.compile("^/api/(\\d{2})(/.*)?$");
    private static final Set<String> COLLECTIONS = Set.of("organisationUnits", "users", "dataElements", "dataSets",
            "organisationUnitLevels", "categoryCombos", "categoryOptionCombos");

    private final ObjectMapper json = new ObjectMapper();
    private final Dhis2Options options;
    private final Dhis2Model model;
    private final DataValueImporter importer;
    private volatile UserFormat userFormat;
    private volatile String version;
    private final List<String> payloads = new CopyOnWriteArrayList<>();
    private final Map<String, ObjectNode> jobSummaries = new ConcurrentHashMap<>();
    private final AtomicInteger jobSeq = new AtomicInteger();

    private Dhis2Simulator(Dhis2Options options) throws IOException {
        super(options.port, options.threads);
        this.options = options;
        this.model = new Dhis2Model(options, json);
        this.importer = new DataValueImporter(model, options);
        this.userFormat = options.userFormat;
        this.version = options.version;
    }

    /** Generates the data and starts listening on 127.0.0.1. */
    public static Dhis2Simulator start(Dhis2Options options) {
        try {
            Dhis2Simulator s = new Dhis2Simulator(options);
            s.start();
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start DHIS2 simulator", e);
        }
    }

    // ------------------------------------------------------------------ test-facing API

    public Dhis2Model model() { return model; }
    public Dhis2Options options() { return options; }
    public UserFormat userFormat() { return userFormat; }
    public void userFormat(UserFormat f) { this.userFormat = f; }
    public String version() { return version; }
    public void version(String v) { this.version = v; }
    /** Replaces the clock used for period locks (E7640/E7641/E7643) and timestamps. */
    public void clock(Clock clock) { options.clock = clock; }
    /** The base of the Web API ({@code http://127.0.0.1:<port>/api}). */
    public String apiUrl() { return baseUrl() + "/api"; }
    /** Every data value currently stored. */
    public List<StoredValue> dataValues() { return List.copyOf(importer.store().values()); }
    /** The stored value for (data element, period, org unit) in the default combos, or null. UIDs. */
    public StoredValue dataValue(String dataElementId, String period, String orgUnitId) {
        return importer.store().get(new DataValueImporter.Key(dataElementId, period, orgUnitId, Dhis2Model.DEFAULT_COC, Dhis2Model.DEFAULT_COC));
    }
    /** The raw bodies of every {@code POST /api/dataValueSets} received (including rejected ones), in order. */
    public List<String> receivedPayloads() { return List.copyOf(payloads); }
    public void clearDataValues() { importer.store().clear(); payloads.clear(); }

    // ------------------------------------------------------------------ errors

    private ObjectNode webMessage(int code, String httpStatus, String status, String message) {
        ObjectNode n = json.createObjectNode();
        n.put("httpStatus", httpStatus).put("httpStatusCode", code).put("status", status);
        if (message != null) n.put("message", message);
        return n;
    }

    private Response send(int code, JsonNode body) {
        try {
            return Response.json(code, json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Response error(int code, String httpStatus, String message) {
        return send(code, webMessage(code, httpStatus, "ERROR", message));
    }

    @Override
    protected Response throttled(long retryAfterSeconds) {
        return error(429, "Too Many Requests", "Too many requests, please try again later.")
                .withHeader("Retry-After", Long.toString(retryAfterSeconds));
    }

    @Override
    protected Response serverError() {
        return error(500, "Internal Server Error", "An unexpected error occurred, please check the server logs.");
    }

    // ------------------------------------------------------------------ dispatch

    @Override
    protected Response handle(Request req) throws Exception {
        String path = req.path();
        if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        if (path.endsWith(".json")) path = path.substring(0, path.length() - 5);
        if (!path.startsWith("/api")) return error(404, "Not Found", "Not found: " + req.path());
        Matcher m = VERSIONED.matcher(path);
        if (m.matches()) {
            int minor = Integer.parseInt(m.group(1));
            int own = minor();
            if (minor > own || minor < own - 2) return error(404, "Not Found", "API version " + minor + " is not supported");
            path = "/api" + (m.group(2) == null ? "" : m.group(2));
        }
        String rest = path.length() <= 4 ? "" : path.substring(5);
        if (rest.equals("ping") || rest.equals("system/ping")) return Response.of(200, "text/plain", "pong");

        String token = authenticate(req);
        if (token == null) {
            return error(401, "Unauthorized", "Unauthorized").withHeader("WWW-Authenticate", "Basic realm=\"DHIS2\"");
        }
        boolean write = !req.method().equals("GET") && !req.method().equals("HEAD");
        if (write && options.readOnlyApiTokens.contains(token)) {
            return error(403, "Forbidden", "You don't have the proper permissions to create this object.");
        }
        Map<String, String> params = single(req.query());
        String[] seg = rest.split("/");
        switch (seg[0]) {
            case "system" -> {
                if (seg.length == 2 && seg[1].equals("info")) return send(200, systemInfo());
                if (seg.length == 4 && seg[1].equals("taskSummaries") && jobSummaries.containsKey(seg[3])) {
                    return send(200, jobSummaries.get(seg[3]));
                }
                if (seg.length == 4 && seg[1].equals("tasks") && jobSummaries.containsKey(seg[3])) {
                    ArrayNode a = json.createArrayNode();
                    a.addObject().put("uid", seg[3]).put("level", "INFO").put("category", seg[2])
                            .put("time", model.now()).put("message", "Import done").put("completed", true).put("id", seg[3]);
                    return send(200, a);
                }
            }
            case "me" -> {
                if (!req.method().equals("GET")) break;
                ObjectNode me = userView(model.byId(Dhis2Model.ADMIN_ID));
                String f = params.get("fields");
                if (f != null) me = MetadataQuery.project(json, me, MetadataQuery.parseFields(f), resolver());
                return send(200, me);
            }
            case "dataValueSets" -> {
                if (req.method().equals("POST")) return importDataValues(req, params);
                if (req.method().equals("GET")) return exportDataValues(params);
            }
            default -> {
                if (COLLECTIONS.contains(seg[0]) && req.method().equals("GET")) {
                    if (seg.length == 1) return list(req, seg[0], params);
                    return single(seg[0], seg[1], seg.length > 2 ? seg[2] : null, params);
                }
            }
        }
        return error(404, "Not Found", "Not found: " + req.path());
    }

    private int minor() {
        String[] p = version.split("\\.");
        return Integer.parseInt(p.length > 1 ? p[1] : p[0]);
    }

    private String authenticate(Request req) {
        String h = req.header("Authorization");
        if (h == null) return null;
        if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String up = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
                return up.equals(options.username + ":" + options.password) ? "basic" : null;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        if (h.regionMatches(true, 0, "ApiToken ", 0, 9)) {
            String t = h.substring(9).trim();
            return options.apiTokens.contains(t) || options.readOnlyApiTokens.contains(t) ? t : null;
        }
        return null;
    }

    private static Map<String, String> single(Map<String, List<String>> q) {
        Map<String, String> m = new LinkedHashMap<>();
        q.forEach((k, v) -> { if (!v.isEmpty()) m.put(k, v.get(0)); });
        return m;
    }

    private Function<String, ObjectNode> resolver() {
        return id -> {
            ObjectNode n = model.byId(id);
            return n != null && model.user(id) != null ? userView(n) : n;
        };
    }

    private ObjectNode systemInfo() {
        ObjectNode n = json.createObjectNode();
        n.put("contextPath", baseUrl()).put("userAgent", "mhero-sandbox").put("calendar", "iso8601")
                .put("dateFormat", "yyyy-mm-dd").put("serverDate", model.now()).put("serverTimeZoneId", "Africa/Monrovia")
                .put("version", version).put("revision", "sandbox").put("buildTime", "2024-01-01T00:00:00.000")
                .put("systemId", "eed3d451-4ff5-4193-b951-ffcc68954299").put("systemName", "mHero sandbox DHIS2")
                .put("instanceBaseUrl", baseUrl()).put("emailConfigured", false).put("isMetadataVersionEnabled", false);
        return n;
    }

    // ------------------------------------------------------------------ users: flattened / legacy

    private static final List<String> CREDENTIAL_FIELDS = List.of("username", "externalAuth", "disabled", "twoFA",
            "lastLogin", "passwordLastUpdated", "invitation", "selfRegistered", "userRoles",
            "cogsDimensionConstraints", "catDimensionConstraints");

    /** The user as this server version shows it; in LEGACY form the credential fields move into {@code userCredentials}. */
    private ObjectNode userView(ObjectNode flat) {
        if (userFormat == UserFormat.FLATTENED) return flat;
        ObjectNode out = json.createObjectNode();
        ObjectNode cred = json.createObjectNode();
        cred.put("id", credentialsId(flat.get("id").asText()));
        cred.putObject("userInfo").put("id", flat.get("id").asText());
        flat.fields().forEachRemaining(e -> {
            if (CREDENTIAL_FIELDS.contains(e.getKey())) cred.set(e.getKey(), e.getValue());
            else out.set(e.getKey(), e.getValue());
        });
        cred.put("created", flat.path("created").asText());
        out.set("userCredentials", cred);
        return out;
    }

    /** Filters see both forms (so {@code disabled} and {@code userCredentials.disabled} work either way). */
    private ObjectNode userFilterView(ObjectNode flat) {
        ObjectNode merged = flat.deepCopy();
        ObjectNode cred = merged.putObject("userCredentials");
        for (String f : CREDENTIAL_FIELDS) if (flat.has(f)) cred.set(f, flat.get(f));
        return merged;
    }

    private static String credentialsId(String userId) {
        char[] c = userId.toCharArray();
        for (int i = 1; i < c.length; i++) {
            char x = c[i];
            c[i] = Character.isDigit(x) ? (char) ('0' + (x - '0' + 3) % 10) : Character.isUpperCase(x) ? Character.toLowerCase(x) : Character.toUpperCase(x);
        }
        return new String(c);
    }

    // ------------------------------------------------------------------ metadata

    private Response single(String collection, String id, String sub, Map<String, String> params) {
        ObjectNode full = model.byId(id);
        List<ObjectNode> all = model.collection(collection);
        if (full == null || all.stream().noneMatch(n -> n.get("id").asText().equals(id))) {
            return send(404, webMessage(404, "Not Found", "ERROR", singular(collection) + " with id " + id + " could not be found.")
                    .put("errorCode", "E1005"));
        }
        if (sub != null && collection.equals("organisationUnits")) {
            List<ObjectNode> items = switch (sub) {
                case "children" -> all.stream().filter(n -> id.equals(n.path("parent").path("id").asText(null))).toList();
                case "descendants" -> all.stream().filter(n -> n.path("path").asText().contains("/" + id)).toList();
                case "ancestors" -> {
                    List<ObjectNode> a = new ArrayList<>();
                    for (JsonNode r : full.path("ancestors")) a.add(model.byId(r.get("id").asText()));
                    a.add(full);
                    yield a;
                }
                default -> null;
            };
            if (items == null) return error(404, "Not Found", "Not found");
            return listResponse(null, collection, items, params, null);
        }
        ObjectNode view = collection.equals("users") ? userView(full) : full;
        String f = params.getOrDefault("fields", "*");
        return send(200, MetadataQuery.project(json, view, MetadataQuery.parseFields(f), resolver()));
    }

    private static String singular(String collection) {
        return switch (collection) {
            case "organisationUnits" -> "OrganisationUnit";
            case "users" -> "User";
            case "dataElements" -> "DataElement";
            case "dataSets" -> "DataSet";
            case "organisationUnitLevels" -> "OrganisationUnitLevel";
            case "categoryCombos" -> "CategoryCombo";
            default -> "CategoryOptionCombo";
        };
    }

    /**
     * Everything a list's selection (which items, in which order) depends on besides the model: the collection, the
     * filters with their junction, the order, the users' own parameters, and the user format (filters that go through a
     * reference to a user see it as it is served). Paging and {@code fields} are not part of it.
     */
    private record Selector(String collection, List<String> filters, boolean or, String order, UserFormat format,
                            String query, String phoneNumber, String ou, boolean includeChildren) {}

    /** A selection computed at one version of the model. */
    private record Selection(long version, List<ObjectNode> items) {}

    /**
     * The selections of recent list queries, so that walking the pages of one query filters and sorts once rather than
     * once per page (a real DHIS2 answers each page with a SQL query and an index; filtering 10,000 users per page made
     * the simulator the bottleneck of every benchmark). An entry computed at an older model version is not used.
     */
    private final Map<Selector, Selection> selections = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Selector, Selection> eldest) { return size() > 32; }
    };

    private Response list(Request req, String collection, Map<String, String> params) {
        boolean users = collection.equals("users");
        List<String> filterSpecs = req.query().getOrDefault("filter", List.of());
        List<MetadataQuery.Filter> filters = new ArrayList<>();
        try {
            for (String f : filterSpecs) filters.add(MetadataQuery.parseFilter(f));
        } catch (IllegalArgumentException e) {
            return error(400, "Bad Request", e.getMessage());
        }
        boolean or = "OR".equalsIgnoreCase(params.get("rootJunction"));
        String order = params.get("order");
        Selector selector = new Selector(collection, List.copyOf(filterSpecs), or, order, userFormat,
                users ? params.get("query") : null, users ? params.get("phoneNumber") : null, users ? params.get("ou") : null,
                users && Boolean.parseBoolean(params.get("includeChildren")));
        long version = model.version();   // read before the items: a change made meanwhile makes this entry stale
        Selection cached;
        synchronized (selections) {
            cached = selections.get(selector);
        }
        List<ObjectNode> kept;
        if (cached != null && cached.version() == version) {
            kept = cached.items();
        } else {
            try {
                kept = select(collection, filters, or, order, params);
            } catch (IllegalArgumentException e) {
                return error(400, "Bad Request", e.getMessage());
            }
            synchronized (selections) {
                selections.put(selector, new Selection(version, kept));
            }
        }
        return listResponse(req, collection, kept, params, users ? this::userView : null);
    }

    /** The items of a collection that pass the filters and the users' parameters, in the requested order. */
    private List<ObjectNode> select(String collection, List<MetadataQuery.Filter> filters, boolean or, String order,
                                    Map<String, String> params) {
        List<ObjectNode> items = model.collection(collection);
        boolean users = collection.equals("users");
        Function<String, ObjectNode> resolver = resolver();
        List<ObjectNode> kept = new ArrayList<>();
        for (ObjectNode n : items) {
            if (!filters.isEmpty()) {
                ObjectNode view = users ? userFilterView(n) : n;
                boolean ok = or ? filters.stream().anyMatch(f -> MetadataQuery.matches(view, f, resolver))
                        : filters.stream().allMatch(f -> MetadataQuery.matches(view, f, resolver));
                if (!ok) continue;
            }
            if (users && !userParams(n, params)) continue;
            kept.add(n);
        }
        if (order != null) {
            Comparator<JsonNode> c = MetadataQuery.order(order, resolver);
            if (c != null) kept.sort(c);
        }
        return List.copyOf(kept);
    }

    private boolean userParams(ObjectNode n, Map<String, String> p) {
        String q = p.get("query");
        if (q != null) {
            String lq = q.toLowerCase();
            boolean hit = false;
            for (String f : List.of("firstName", "surname", "username", "email", "phoneNumber", "displayName")) {
                if (n.path(f).asText("").toLowerCase().contains(lq)) hit = true;
            }
            if (!hit) return false;
        }
        String phone = p.get("phoneNumber");
        if (phone != null && !phone.equals(n.path("phoneNumber").asText(null))) return false;
        String ou = p.get("ou");
        if (ou != null) {
            boolean children = Boolean.parseBoolean(p.get("includeChildren"));
            boolean hit = false;
            for (JsonNode r : n.path("organisationUnits")) {
                String id = r.path("id").asText();
                if (id.equals(ou) || (children && model.isUnder(id, ou))) hit = true;
            }
            return hit;
        }
        return true;
    }

    private Response listResponse(Request req, String collection, List<ObjectNode> items, Map<String, String> params,
                                  Function<ObjectNode, ObjectNode> view) {
        List<MetadataQuery.Field> fields = MetadataQuery.parseFields(params.getOrDefault("fields", "id,displayName"));
        boolean paging = !"false".equalsIgnoreCase(params.get("paging"));
        ObjectNode out = json.createObjectNode();
        List<ObjectNode> page = items;
        if (paging) {
            int pageSize = intParam(params.get("pageSize"), 50);
            if (pageSize < 1) pageSize = 50;
            int pageNo = Math.max(1, intParam(params.get("page"), 1));
            int total = items.size();
            int pageCount = 1;
            for (int t = total; t > pageSize; t -= pageSize) pageCount++;
            int from = Math.min(total, (pageNo - 1) * pageSize);
            page = items.subList(from, Math.min(total, from + pageSize));
            ObjectNode pager = out.putObject("pager");
            pager.put("page", pageNo).put("pageCount", pageCount).put("total", total).put("pageSize", pageSize);
            if (pageNo < pageCount) pager.put("nextPage", pageLink(req, pageNo + 1, pageSize));
            if (pageNo > 1) pager.put("prevPage", pageLink(req, pageNo - 1, pageSize));
        }
        ArrayNode arr = out.putArray(collection);
        Function<String, ObjectNode> resolver = resolver();
        for (ObjectNode n : page) arr.add(MetadataQuery.project(json, view == null ? n : view.apply(n), fields, resolver));
        return send(200, out);
    }

    private String pageLink(Request req, int page, int pageSize) {
        if (req == null) return null;
        String host = req.header("Host");
        StringBuilder b = new StringBuilder(host != null ? "http://" + host : baseUrl()).append(req.path()).append('?');
        if (req.rawQuery() != null) {
            for (String part : req.rawQuery().split("&")) {
                String k = Query.decode(part.split("=", 2)[0]);
                if (k.equals("page") || k.equals("pageSize") || part.isEmpty()) continue;
                b.append(part).append('&');
            }
        }
        b.append("page=").append(page);
        if (pageSize != 50) b.append("&pageSize=").append(pageSize);
        return b.toString();
    }

    private static int intParam(String s, int def) {
        try {
            return s == null ? def : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return def;
        }
    }

    // ------------------------------------------------------------------ data values

    private Response importDataValues(Request req, Map<String, String> params) {
        String body = req.bodyText();
        payloads.add(body);
        String ct = req.header("Content-Type");
        String mediaType = ct == null ? "" : ct.split(";")[0].trim().toLowerCase();
        if (!mediaType.equals("application/json")) {
            return error(415, "Unsupported Media Type", "Content type '" + (ct == null ? "" : ct) + "' not supported");
        }
        JsonNode set;
        try {
            set = json.readTree(body);
        } catch (JsonProcessingException e) {
            return error(400, "Bad Request", "JSON parse error: " + e.getOriginalMessage());
        }
        if (set == null || !set.isObject() || (set.has("dataValues") && !set.get("dataValues").isArray())) {
            return error(400, "Bad Request", "Invalid data value set payload");
        }
        String storedBy = options.username;
        DataValueImporter.Result r = importer.importSet(set, params, storedBy);
        boolean bare = minor() < 38;
        ObjectNode summary = DataValueImporter.summaryJson(json, r, bare);
        if (Boolean.parseBoolean(params.get("async"))) {
            String id = "job" + jobSeq.incrementAndGet() + "Imp";
            id = (id + "XXXXXXXXXXX").substring(0, 11);
            jobSummaries.put(id, bare ? summary : DataValueImporter.summaryJson(json, r, false));
            ObjectNode msg = webMessage(200, "OK", "OK", "Initiated dataValueImport");
            msg.putObject("response").put("name", "dataValueImport").put("id", id).put("created", model.now())
                    .put("jobType", "DATAVALUE_IMPORT").put("relativeNotifierEndpoint", "/api/system/tasks/DATAVALUE_IMPORT/" + id);
            return send(200, msg);
        }
        if (bare) return send(200, summary);
        ObjectNode msg = switch (r.status()) {
            case "SUCCESS" -> webMessage(200, "OK", "OK", "Import was successful.");
            case "WARNING" -> webMessage(409, "Conflict", "WARNING", "One more conflicts encountered, please check import summary.");
            default -> webMessage(409, "Conflict", "ERROR", "An error occurred, please check import summary.");
        };
        msg.set("response", summary);
        return send(msg.get("httpStatusCode").asInt(), msg);
    }

    private Response exportDataValues(Map<String, String> params) {
        String ds = params.get("dataSet"), pe = params.get("period"), ou = params.get("orgUnit");
        boolean children = Boolean.parseBoolean(params.get("children"));
        Dhis2Model.DataSet set = ds == null ? null : model.dataSet(ds) != null ? model.dataSet(ds) : model.dataSetByCode(ds);
        ObjectNode out = json.createObjectNode();
        if (set != null) out.put("dataSet", set.id());
        if (pe != null) out.put("period", pe);
        if (ou != null) out.put("orgUnit", ou);
        ArrayNode arr = out.putArray("dataValues");
        for (StoredValue v : dataValues()) {
            if (set != null && !set.dataElementIds().contains(v.dataElement())) continue;
            if (pe != null && !pe.equals(v.period())) continue;
            if (ou != null && !(ou.equals(v.orgUnit()) || (children && model.isUnder(v.orgUnit(), ou)))) continue;
            ObjectNode o = arr.addObject();
            o.put("dataElement", v.dataElement()).put("period", v.period()).put("orgUnit", v.orgUnit())
                    .put("categoryOptionCombo", v.categoryOptionCombo()).put("attributeOptionCombo", v.attributeOptionCombo())
                    .put("value", v.value()).put("storedBy", v.storedBy())
                    .put("lastUpdated", LocalDateTime.ofInstant(v.lastUpdated(), options.clock.getZone()).format(Dhis2Model.TS))
                    .put("followup", v.followup());
            if (v.comment() != null) o.put("comment", v.comment());
        }
        return send(200, out);
    }
}
