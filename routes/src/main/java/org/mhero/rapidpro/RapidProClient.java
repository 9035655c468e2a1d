package org.mhero.rapidpro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * RapidPro API v2 client for contacts, contact actions, groups and fields (contract rapidpro.md). Plain Java: the
 * routes call it, their error policy retries what it marks retryable.
 *
 * <ul>
 *   <li>Every request takes a permit from the workspace's shared {@link RateLimiter} first.</li>
 *   <li>429: the {@code Retry-After} header blocks the limiter (every caller) and the same request is sent again, up to
 *       {@code maxAttempts} times; then {@link RapidProRetryableException}. A throttled request was not processed, so
 *       repeating a POST is safe.</li>
 *   <li>5xx, timeouts, connection errors: {@link RapidProRetryableException} (no retry here: the route backs off).</li>
 *   <li>Other 4xx: {@link RapidProRequestException} with status, error keys and list indexes (§2).</li>
 *   <li>Logs carry method, endpoint, status and durations; never the token, URNs or names.</li>
 * </ul>
 * Thread-safe.
 */
public final class RapidProClient {
    private static final Logger LOG = LoggerFactory.getLogger(RapidProClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int MAX_LIST_ITEMS = 100;

    private final URI base;          // .../api/v2/
    private final String authorization;
    private final RateLimiter limiter;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration maxRetryAfter;
    private final boolean legacyFieldPayload;
    private final Set<String> knownFields = ConcurrentHashMap.newKeySet();
    private volatile boolean fieldsLoaded;

    private RapidProClient(Builder b) {
        this.base = apiBase(b.baseUrl);
        this.authorization = "Token " + Objects.requireNonNull(b.token, "token");
        this.limiter = Objects.requireNonNull(b.limiter, "limiter (one per workspace, shared)");
        this.requestTimeout = b.requestTimeout;
        this.maxAttempts = b.maxAttempts;
        this.maxRetryAfter = b.maxRetryAfter;
        this.legacyFieldPayload = b.legacyFieldPayload;
        this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * @param baseUrl the workspace's host ({@code https://rapidpro.example.org}) or its API root
     *                ({@code https://rapidpro.example.org/api/v2/})
     * @param token   the API token (sent as {@code Authorization: Token …}, never logged)
     * @param limiter the workspace's limiter, shared with every other client of the same workspace
     */
    public static Builder builder(String baseUrl, String token, RateLimiter limiter) {
        return new Builder(baseUrl, token, limiter);
    }

    public static final class Builder {
        private final String baseUrl;
        private final String token;
        private final RateLimiter limiter;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int maxAttempts = 5;
        private Duration maxRetryAfter = Duration.ofMinutes(5);
        private boolean legacyFieldPayload;
        private HttpClient httpClient;

        private Builder(String baseUrl, String token, RateLimiter limiter) {
            this.baseUrl = baseUrl;
            this.token = token;
            this.limiter = limiter;
        }

        public Builder connectTimeout(Duration d) { this.connectTimeout = d; return this; }
        /** Per request, until the response headers arrive. */
        public Builder requestTimeout(Duration d) { this.requestTimeout = d; return this; }
        /** Attempts of one request when throttled (429), ≥ 1. */
        public Builder maxAttempts(int n) {
            if (n < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
            this.maxAttempts = n;
            return this;
        }
        /** A Retry-After longer than this is not waited for here: it still blocks the limiter, and the call fails retryable. */
        public Builder maxRetryAfter(Duration d) { this.maxRetryAfter = d; return this; }
        /** Create fields with v7's {@code label}/{@code value_type} instead of {@code name}/{@code type}. */
        public Builder legacyFieldPayload(boolean legacy) { this.legacyFieldPayload = legacy; return this; }
        public Builder httpClient(HttpClient client) { this.httpClient = client; return this; }
        public RapidProClient build() { return new RapidProClient(this); }
    }

    public RateLimiter limiter() { return limiter; }
    public URI apiBase() { return base; }

    // ---------------------------------------------------------------------------------------------------------------
    // contacts

    /**
     * {@code POST contacts.json?urn=<urn>}: creates the contact (201) or updates it (200); only the keys present in
     * the payload change. Unknown field keys are refused (400 {@code fields}): call {@link #ensureFields} first.
     */
    public UpsertResult upsertContactByUrn(String urn, ContactPayload payload) {
        Objects.requireNonNull(urn, "urn");
        Response r = send("POST", "contacts.json", Map.of("urn", urn), payload.toJson());
        UpsertResult.Outcome outcome = r.status == 201 ? UpsertResult.Outcome.CREATED : UpsertResult.Outcome.UPDATED;
        return new UpsertResult(outcome, r.json.path("uuid").asText(null), r.json);
    }

    /** {@code POST contacts.json} with {@code urns} (≤ 100): a plain create (201). A taken or invalid URN is a 400 {@code urns} with its index. */
    public RapidProContact createContact(List<String> urns, ContactPayload payload) {
        checkList(urns, "urns");
        ObjectNode body = payload.toJson();
        ArrayNode a = body.putArray("urns");
        urns.forEach(a::add);
        return RapidProContact.parse(send("POST", "contacts.json", Map.of(), body).json);
    }

    /** {@code POST contacts.json?uuid=}: updates an existing contact (200); 404 when unknown. */
    public RapidProContact updateContact(String uuid, ContactPayload payload) {
        return RapidProContact.parse(send("POST", "contacts.json", Map.of("uuid", uuid), payload.toJson()).json);
    }

    /**
     * {@code POST contacts.json?uuid=} with {@code urns}: updates a known contact and moves it to new numbers (a worker
     * whose number changed keeps one contact). 400 with key {@code urns} when a number belongs to another contact.
     */
    public RapidProContact updateContact(String uuid, List<String> urns, ContactPayload payload) {
        checkList(urns, "urns");
        ObjectNode body = payload.toJson();
        ArrayNode a = body.putArray("urns");
        urns.forEach(a::add);
        return RapidProContact.parse(send("POST", "contacts.json", Map.of("uuid", uuid), body).json);
    }

    /** {@code GET contacts.json?urn=}. */
    public Optional<RapidProContact> contactByUrn(String urn) {
        return first(send("GET", "contacts.json", Map.of("urn", urn), null).json);
    }

    /** {@code GET contacts.json?uuid=}. */
    public Optional<RapidProContact> contactByUuid(String uuid) {
        return first(send("GET", "contacts.json", Map.of("uuid", uuid), null).json);
    }

    private static Optional<RapidProContact> first(JsonNode page) {
        JsonNode results = page.path("results");
        return results.size() == 0 ? Optional.empty() : Optional.of(RapidProContact.parse(results.get(0)));
    }

    /**
     * One page of contacts modified at or after {@code after} (inclusive: dedupe with {@link PageDedup}), oldest
     * first ({@code reverse=true}). Pass the previous page's {@code next} as {@code cursorUrl} to continue (then
     * {@code after} is ignored: the cursor URL carries it); null for the first page; {@code after} null for all.
     */
    public Page<RapidProContact> contactsModifiedSince(Instant after, String cursorUrl) {
        return contactsModifiedSince(after, cursorUrl, false);
    }

    /** As {@link #contactsModifiedSince(Instant, String)}; {@code deleted=true} lists tombstones of deleted contacts. */
    public Page<RapidProContact> contactsModifiedSince(Instant after, String cursorUrl, boolean deleted) {
        Response r;
        if (cursorUrl != null) {
            r = sendTo("GET", "contacts.json", followable(cursorUrl), null);
        } else {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("reverse", "true");
            if (after != null) q.put("after", RapidProTimes.format(after));
            if (deleted) q.put("deleted", "true");
            r = send("GET", "contacts.json", q, null);
        }
        return page(r.json, RapidProContact::parse);
    }

    /**
     * {@code POST contact_actions.json} (204): {@code contacts} are ≤ 100 uuids or URNs; {@code add}/{@code remove}
     * need {@code groupUuid}, the other actions must not have one.
     */
    public void contactActions(List<String> contacts, ContactAction action, String groupUuid) {
        checkList(contacts, "contacts");
        Objects.requireNonNull(action, "action");
        if (action.needsGroup() && (groupUuid == null || groupUuid.isBlank())) {
            throw new IllegalArgumentException("action " + action.wire() + " needs a group");
        }
        if (!action.needsGroup() && groupUuid != null) {
            throw new IllegalArgumentException("action " + action.wire() + " takes no group");
        }
        ObjectNode body = JSON.createObjectNode();
        ArrayNode a = body.putArray("contacts");
        contacts.forEach(a::add);
        body.put("action", action.wire());
        if (groupUuid != null) body.put("group", groupUuid);
        send("POST", "contact_actions.json", Map.of(), body);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // broadcasts and flow starts

    /** What RapidPro answered for a broadcast or a flow start: its identity ({@code uuid}, or the v7 integer {@code id}). */
    public record Created(String id, JsonNode json) {}

    /**
     * {@code POST broadcasts.json {text, urns, contacts}} (201): ≤ 100 URNs and ≤ 100 contact uuids. RapidPro creates
     * contacts for unknown URNs itself, so no contact call is needed first.
     */
    public Created createBroadcast(String text, List<String> urns, List<String> contacts) {
        ObjectNode body = JSON.createObjectNode().put("text", text);
        recipients(body, urns, contacts);
        return created(send("POST", "broadcasts.json", Map.of(), body).json);
    }

    /**
     * {@code POST flow_starts.json {flow, urns, contacts, params}} (201); {@code params} is a JSON object (null for none),
     * exposed to the flow as {@code @trigger.params}.
     */
    public Created startFlow(String flowUuid, List<String> urns, List<String> contacts, JsonNode params) {
        ObjectNode body = JSON.createObjectNode().put("flow", flowUuid);
        recipients(body, urns, contacts);
        if (params != null && !params.isNull()) body.set("params", params);
        return created(send("POST", "flow_starts.json", Map.of(), body).json);
    }

    /** Broadcasts created at or after {@code after}, one page (follow {@code next} with {@code cursorUrl}). */
    public Page<JsonNode> broadcastsCreatedSince(Instant after, String cursorUrl) {
        return listSince("broadcasts.json", after, cursorUrl);
    }

    /** Flow starts modified at or after {@code after}, one page. */
    public Page<JsonNode> flowStartsSince(Instant after, String cursorUrl) {
        return listSince("flow_starts.json", after, cursorUrl);
    }

    /**
     * Runs of a flow modified at or after {@code after} (inclusive), oldest first ({@code reverse=true}), one page;
     * follow {@code next} with {@code cursorUrl} (contract §10). Runs are the system of record for survey answers.
     */
    public Page<JsonNode> runsModifiedSince(String flowUuid, Instant after, String cursorUrl) {
        Response r;
        if (cursorUrl != null) {
            r = sendTo("GET", "runs.json", followable(cursorUrl), null);
        } else {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("flow", flowUuid);
            q.put("reverse", "true");
            if (after != null) q.put("after", RapidProTimes.format(after));
            r = send("GET", "runs.json", q, null);
        }
        return page(r.json, n -> n);
    }

    /** Messages in the inbox folder (incoming, not handled by a flow) created at or after {@code after}, one page, newest first. */
    public Page<JsonNode> inboxMessagesSince(Instant after, String cursorUrl) {
        return folderMessagesSince("inbox", after, cursorUrl);
    }

    /**
     * The messages of one broadcast ({@code messages.json?broadcast=<id>}), one page; follow {@code next} with
     * {@code cursorUrl}. Each carries the contact, the URN and the message {@code status} (queued, wired, sent,
     * delivered, read, errored, failed).
     */
    public Page<JsonNode> broadcastMessages(String broadcastId, String cursorUrl) {
        Response r = cursorUrl != null ? sendTo("GET", "messages.json", followable(cursorUrl), null)
                : send("GET", "messages.json", Map.of("broadcast", broadcastId), null);
        return page(r.json, n -> n);
    }

    /** The messages of a folder ({@code inbox}, {@code sent}, {@code failed}, ...) created at or after {@code after}, one page, newest first. */
    public Page<JsonNode> folderMessagesSince(String folder, Instant after, String cursorUrl) {
        Response r;
        if (cursorUrl != null) {
            r = sendTo("GET", "messages.json", followable(cursorUrl), null);
        } else {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("folder", folder);
            if (after != null) q.put("after", RapidProTimes.format(after));
            r = send("GET", "messages.json", q, null);
        }
        return page(r.json, n -> n);
    }

    /** The flow with this uuid, if the workspace has it ({@code GET flows.json?uuid=}). */
    public Optional<JsonNode> flow(String uuid) {
        for (JsonNode f : send("GET", "flows.json", Map.of("uuid", uuid), null).json.path("results")) {
            if (uuid.equals(f.path("uuid").asText())) return Optional.of(f);
        }
        return Optional.empty();
    }

    private Page<JsonNode> listSince(String endpoint, Instant after, String cursorUrl) {
        Response r;
        if (cursorUrl != null) {
            r = sendTo("GET", endpoint, followable(cursorUrl), null);
        } else {
            Map<String, String> q = new LinkedHashMap<>();
            if (after != null) q.put("after", RapidProTimes.format(after));
            r = send("GET", endpoint, q, null);
        }
        return page(r.json, n -> n);
    }

    private static void recipients(ObjectNode body, List<String> urns, List<String> contacts) {
        if ((urns == null || urns.isEmpty()) && (contacts == null || contacts.isEmpty())) {
            throw new IllegalArgumentException("a broadcast needs urns or contacts");
        }
        if (urns != null && !urns.isEmpty()) {
            checkList(urns, "urns");
            ArrayNode a = body.putArray("urns");
            urns.forEach(a::add);
        }
        if (contacts != null && !contacts.isEmpty()) {
            checkList(contacts, "contacts");
            ArrayNode a = body.putArray("contacts");
            contacts.forEach(a::add);
        }
    }

    private static Created created(JsonNode json) {
        String id = json.hasNonNull("uuid") ? json.get("uuid").asText() : json.hasNonNull("id") ? json.get("id").asText() : null;
        return new Created(id, json);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // groups

    /** {@code GET groups.json?name=} (names are unique case-insensitively). */
    public Optional<RapidProGroup> findGroupByName(String name) {
        JsonNode page = send("GET", "groups.json", Map.of("name", name), null).json;
        for (JsonNode g : page.path("results")) {
            RapidProGroup group = RapidProGroup.parse(g);
            if (group.name() != null && group.name().equalsIgnoreCase(name.trim())) return Optional.of(group);
        }
        return Optional.empty();
    }

    /** {@code POST groups.json {"name"}} (201); 400 {@code name} when it exists. */
    public RapidProGroup createGroup(String name) {
        if (name == null || name.isBlank() || name.strip().length() > 64) {
            throw new IllegalArgumentException("group name must be 1 to 64 characters");
        }
        ObjectNode body = JSON.createObjectNode().put("name", name.strip());
        return RapidProGroup.parse(send("POST", "groups.json", Map.of(), body).json);
    }

    /** The group with this name, created when missing (a concurrent create is tolerated). */
    public RapidProGroup ensureGroup(String name) {
        Optional<RapidProGroup> existing = findGroupByName(name);
        if (existing.isPresent()) return existing.get();
        try {
            return createGroup(name);
        } catch (RapidProRequestException e) {
            if (e.status() == 400 && e.hasError("name")) {
                Optional<RapidProGroup> again = findGroupByName(name);
                if (again.isPresent()) return again.get();
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // fields

    /** Every contact field of the workspace (all pages of {@code fields.json}). */
    public List<RapidProField> fields() {
        List<RapidProField> out = new ArrayList<>();
        Page<RapidProField> p = page(send("GET", "fields.json", Map.of(), null).json, RapidProField::parse);
        out.addAll(p.results());
        while (p.hasNext()) {
            p = page(sendTo("GET", "fields.json", followable(p.next()), null).json, RapidProField::parse);
            out.addAll(p.results());
        }
        for (RapidProField f : out) if (f.key() != null) knownFields.add(f.key());
        fieldsLoaded = true;
        return out;
    }

    /**
     * Creates a field whose key is exactly {@code key} (§8: RapidPro derives the key from the name, so the name is
     * the key with spaces for underscores). Throws {@link IllegalArgumentException} for a key that breaks §8's rules.
     */
    public RapidProField createField(String key, RapidProField.Type type) {
        String name = RapidProField.nameForKey(key);
        ObjectNode body = RapidProField.createBody(JSON.createObjectNode(), name, type, legacyFieldPayload);
        RapidProField f = RapidProField.parse(send("POST", "fields.json", Map.of(), body).json);
        if (f.key() != null) knownFields.add(f.key());
        if (!key.equals(f.key())) {
            LOG.warn("RapidPro created field key '{}' for requested key '{}'", f.key(), key);
        }
        return f;
    }

    /**
     * Makes sure every key exists as a text field, creating the missing ones; returns the keys created. The
     * workspace's fields are listed once and remembered (see {@link #forgetFields()}).
     */
    public Set<String> ensureFields(Collection<String> keys) {
        for (String k : keys) RapidProField.validateKey(k);
        if (!fieldsLoaded || !knownFields.containsAll(keys)) fields();
        Set<String> created = new LinkedHashSet<>();
        for (String k : keys) {
            if (knownFields.contains(k)) continue;
            try {
                createField(k, RapidProField.Type.TEXT);
            } catch (RapidProRequestException e) {
                // created meanwhile by someone else: the name is then not unique
                if (e.status() == 400) {
                    fields();
                    if (knownFields.contains(k)) continue;
                }
                throw e;
            }
            created.add(k);
        }
        if (!created.isEmpty()) LOG.info("RapidPro: created {} contact field(s): {}", created.size(), created);
        return created;
    }

    /** Drops the remembered field keys (after a 400 {@code fields}: someone deleted a field in RapidPro). */
    public void forgetFields() {
        knownFields.clear();
        fieldsLoaded = false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // transport

    private record Response(int status, JsonNode json) {}

    private static <T> Page<T> page(JsonNode body, Function<JsonNode, T> parse) {
        List<T> items = new ArrayList<>();
        for (JsonNode n : body.path("results")) items.add(parse.apply(n));
        JsonNode next = body.get("next");
        return new Page<>(items, next == null || next.isNull() ? null : next.asText());
    }

    private static void checkList(List<String> items, String what) {
        if (items == null || items.isEmpty()) throw new IllegalArgumentException(what + " must not be empty");
        if (items.size() > MAX_LIST_ITEMS) throw new IllegalArgumentException("at most " + MAX_LIST_ITEMS + " " + what + " per request, got " + items.size());
    }

    private Response send(String method, String endpoint, Map<String, String> query, JsonNode body) {
        StringBuilder sb = new StringBuilder(endpoint);
        char sep = '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            sb.append(sep).append(enc(e.getKey())).append('=').append(enc(e.getValue()));
            sep = '&';
        }
        return sendTo(method, endpoint, base.resolve(sb.toString()), body);
    }

    /**
     * A {@code next} link, followed for its path and query but always sent to the configured host and scheme: the
     * token never goes to another host, and a proxy that makes RapidPro build {@code http://} links (missing
     * {@code X-Forwarded-Proto}) does not downgrade us.
     */
    URI followable(String next) {
        URI u = URI.create(next);
        if (u.getRawPath() == null || !u.getRawPath().startsWith(base.getRawPath())) {
            throw new IllegalArgumentException("next link is outside the RapidPro API root " + base.getRawPath());
        }
        String rebased = base.getScheme() + "://" + base.getRawAuthority() + u.getRawPath()
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        return URI.create(rebased);
    }

    private Response sendTo(String method, String endpoint, URI uri, JsonNode body) {
        byte[] bytes = null;
        if (body != null) {
            try {
                bytes = JSON.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        for (int attempt = 1; ; attempt++) {
            RateLimiter.Permit permit;
            try {
                permit = limiter.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RapidProRetryableException(method, endpoint, 0, method + " " + endpoint + " interrupted while waiting for the rate limiter", null, e);
            }
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                    .timeout(requestTimeout)
                    .header("Authorization", authorization)
                    .header("Accept", "application/json")
                    .header("User-Agent", "mHero");
            if (bytes != null) {
                rb.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
            } else {
                rb.method(method, HttpRequest.BodyPublishers.noBody());
            }
            long t0 = System.nanoTime();
            HttpResponse<String> res;
            try (permit) {
                res = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (res.statusCode() == 429) permit.notCounted(); // DRF does not record a refused request
            } catch (HttpTimeoutException e) {
                throw new RapidProRetryableException(method, endpoint, 0, method + " " + endpoint + " timed out", null, e);
            } catch (IOException e) {
                throw new RapidProRetryableException(method, endpoint, 0, method + " " + endpoint + " failed: " + e.getClass().getSimpleName(), null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RapidProRetryableException(method, endpoint, 0, method + " " + endpoint + " interrupted", null, e);
            }
            int status = res.statusCode();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (LOG.isDebugEnabled()) LOG.debug("RapidPro {} {} -> {} in {} ms", method, endpoint, status, ms);

            if (status >= 200 && status < 300) {
                return new Response(status, parse(res.body()));
            }
            if (status == 429) {
                Duration wait = retryAfter(res);
                limiter.onRetryAfter(wait);
                if (attempt >= maxAttempts || wait.compareTo(maxRetryAfter) > 0) {
                    LOG.warn("RapidPro {} {} throttled (429), Retry-After {} s; giving up after {} attempt(s)", method, endpoint, wait.toSeconds(), attempt);
                    throw new RapidProRetryableException(method, endpoint, 429, method + " " + endpoint + " throttled (429) after "
                            + attempt + " attempt(s); Retry-After " + wait.toSeconds() + " s", wait, null);
                }
                LOG.warn("RapidPro {} {} throttled (429): waiting Retry-After {} s (attempt {}/{}); limiter {}", method, endpoint, wait.toSeconds(), attempt, maxAttempts, limiter.rate());
                continue;
            }
            if (status >= 500) {
                throw new RapidProRetryableException(method, endpoint, status, method + " " + endpoint + " failed: HTTP " + status
                        + " " + oneLine(ApiError.truncate(res.body() == null ? "" : res.body(), 200)), null, null);
            }
            String text = res.body();
            JsonNode json = null;
            try {
                json = text == null || text.isBlank() ? null : JSON.readTree(text);
            } catch (JsonProcessingException ignored) {
                // an HTML error page from a proxy: kept as the detail
            }
            RapidProRequestException e = new RapidProRequestException(method, endpoint, status, ApiError.parse(json, text));
            LOG.debug("{}", e.getMessage());
            throw e;
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) return JSON.createObjectNode();
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("RapidPro answered 2xx with a body that is not JSON", e);
        }
    }

    /** {@code Retry-After}: seconds or an HTTP date; missing or unreadable → 1 s (DRF always sends seconds). */
    static Duration retryAfter(HttpResponse<?> res) {
        return parseRetryAfter(res.headers().firstValue("Retry-After").orElse(null), Instant.now());
    }

    static Duration parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) return Duration.ofSeconds(1);
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException ignored) {
            // not seconds
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (RuntimeException e) {
            return Duration.ofSeconds(1);
        }
    }

    private static String oneLine(String s) { return s.replaceAll("\\s+", " ").trim(); }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    static URI apiBase(String baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        String s = baseUrl.trim();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        if (!s.toLowerCase(Locale.ROOT).endsWith("/api/v2")) s = s + "/api/v2";
        URI u = URI.create(s + "/");
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw new IllegalArgumentException("RapidPro base URL must be http(s)://host[/api/v2/]");
        }
        return u;
    }
}
