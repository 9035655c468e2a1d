package org.mhero.api;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Headers;
import org.mhero.broadcast.BroadcastRejected;
import org.mhero.broadcast.BroadcastService;
import org.mhero.broadcast.BroadcastView;
import org.mhero.store.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The API's stages as the routes of {@code camel/api.xml} call them: the bean binding (headers in, an
 * {@link ApiResponse} out) around the decisions of {@link BasicAuth}, {@link ApiPaths} and {@link ApiJson}, and the
 * calls to the {@link BroadcastService}. The service is looked up per request, so the API answers 503 while the
 * broadcast flow is not running (its configuration has problems) instead of not starting.
 */
public final class ApiHttp {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHttp.class);
    static final String URI = "CamelHttpUri";
    static final String METHOD = "CamelHttpMethod";

    private final BasicAuth auth;
    private final Supplier<BroadcastService> service;
    private final int maxBodyBytes;

    private final Supplier<org.mhero.inbound.InboundStore> inbound;
    private final Supplier<org.mhero.quiz.QuizStore> quizzes;

    public ApiHttp(BasicAuth auth, Supplier<BroadcastService> service, int maxBodyBytes) {
        this(auth, service, () -> null, () -> null, maxBodyBytes);
    }

    public ApiHttp(BasicAuth auth, Supplier<BroadcastService> service, Supplier<org.mhero.inbound.InboundStore> inbound,
                   Supplier<org.mhero.quiz.QuizStore> quizzes, int maxBodyBytes) {
        this.quizzes = quizzes;
        this.auth = auth;
        this.service = service;
        this.inbound = inbound;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** api.authenticate: the user, or 401/403. */
    public String authenticate(@Header("Authorization") String authorization) throws ApiProblem {
        return auth.admit(authorization);
    }

    /** api.resolve: the operation (the suffix of its {@code direct:api.*} route), or 404/405/413/415. */
    public String resolve(@Header(METHOD) String method, @Header(URI) String uri, @Header("Content-Type") String contentType,
                          @Header("Content-Length") String contentLength) throws ApiProblem {
        ApiPaths.Call call = ApiPaths.resolve(method, uri);
        if (contentLength != null && !contentLength.isBlank()) {
            try {
                if (Long.parseLong(contentLength.strip()) > maxBodyBytes) throw tooLarge(maxBodyBytes);
            } catch (NumberFormatException e) {
                throw ApiProblem.bad("content-length", "is not a number");
            }
        }
        if (call.operation().equals("create") || call.operation().equals("quiz-create") || call.operation().equals("report-follow-up")) {
            ApiPaths.requireJson(contentType);
        }
        return call.operation();
    }

    public ApiResponse create(@Body InputStream body, @ExchangeProperty("mheroUser") String user) throws ApiProblem, BroadcastRejected {
        var request = ApiJson.request(read(body));
        BroadcastView v = service().create(request, user);
        return new ApiResponse(201, ApiJson.view(v), Map.of("Location", "/api/broadcasts/" + v.id()));
    }

    public ApiResponse list(@Header("limit") String limit) throws ApiProblem {
        return ApiResponse.ok(ApiJson.views(service().list((int) ApiPaths.number("limit", limit, 50, 1, 500))));
    }

    public ApiResponse get(@Header(METHOD) String method, @Header(URI) String uri) throws ApiProblem {
        long id = ApiPaths.resolve(method, uri).id();
        BroadcastView v = service().get(id).orElseThrow(() -> new ApiProblem(404, "id", "no broadcast " + id));
        return ApiResponse.ok(ApiJson.view(v));
    }

    public ApiResponse deliveries(@Header(METHOD) String method, @Header(URI) String uri, @Header("status") String status,
                                  @Header("after") String after, @Header("limit") String limit) throws ApiProblem, BroadcastRejected {
        long id = ApiPaths.resolve(method, uri).id();
        String s = ApiPaths.status(status);
        long a = ApiPaths.number("after", after, 0, 0, Long.MAX_VALUE);
        int l = (int) ApiPaths.number("limit", limit, 100, 1, 1000);
        return ApiResponse.ok(ApiJson.deliveries(id, service().deliveries(id, s, a, l), l));
    }

    public ApiResponse cancel(@Header(METHOD) String method, @Header(URI) String uri) throws ApiProblem, BroadcastRejected {
        return ApiResponse.ok(ApiJson.view(service().cancel(ApiPaths.resolve(method, uri).id())));
    }

    public ApiResponse replay(@Header(METHOD) String method, @Header(URI) String uri, @Header("in_doubt") String inDoubt)
            throws ApiProblem, BroadcastRejected {
        long id = ApiPaths.resolve(method, uri).id();
        return ApiResponse.ok(ApiJson.replayed(service().replay(id, ApiPaths.flag("in_doubt", inDoubt))));
    }

    public ApiResponse replayAll(@Header("in_doubt") String inDoubt) throws ApiProblem, BroadcastRejected {
        return ApiResponse.ok(ApiJson.replayed(service().replay(0, ApiPaths.flag("in_doubt", inDoubt))));
    }

    public ApiResponse inbox(@Header("status") String status, @Header("route") String route, @Header("q") String q,
                             @Header("before") String before, @Header("limit") String limit) throws ApiProblem, java.sql.SQLException {
        String s = ApiPaths.inboxStatus(status);
        long b = ApiPaths.number("before", before, 0, 0, Long.MAX_VALUE);
        int l = (int) ApiPaths.number("limit", limit, 50, 1, 500);
        String r = route == null || route.isBlank() ? null : route.strip();
        String search = q == null || q.isBlank() ? null : q.strip();
        if (search != null && search.length() > 200) throw ApiProblem.bad("q", "is longer than 200 characters");
        return ApiResponse.ok(ApiJson.inbox(inbound().inbox(s, r, search, b, l, false), l));
    }

    public ApiResponse inboxReplay(@Header(METHOD) String method, @Header(URI) String uri) throws ApiProblem, java.sql.SQLException {
        long id = ApiPaths.resolve(method, uri).id();
        int n = inbound().replay(id);
        if (n == 0) throw new ApiProblem(409, "id", "message " + id + " is not a failed message (only failed ones are replayed)");
        return ApiResponse.ok(ApiJson.replayed(n));
    }

    public ApiResponse inboxReplayAll() throws ApiProblem, java.sql.SQLException {
        return ApiResponse.ok(ApiJson.replayed(inbound().replay(0)));
    }

    private org.mhero.inbound.InboundStore inbound() throws ApiProblem {
        var s = inbound == null ? null : inbound.get();
        if (s == null) throw new ApiProblem(503, null, "inbound messages are not running (see mhero:problems)");
        return s;
    }

    // ---- quizzes (/api/quizzes), through the quiz flow's store

    public ApiResponse quizList() throws ApiProblem, java.sql.SQLException {
        return ApiResponse.ok(QuizJson.list(quizzes().list()));
    }

    public ApiResponse quizCreate(@Body InputStream body, @ExchangeProperty("mheroUser") String user)
            throws ApiProblem, org.mhero.quiz.QuizRejected, java.sql.SQLException {
        var definition = QuizJson.request(read(body));
        var created = quizzes().create(definition, user);
        return new ApiResponse(201, QuizJson.summaryJson(created), Map.of("Location", "/api/quizzes/" + created.name()));
    }

    public ApiResponse quizGet(@Header(METHOD) String method, @Header(URI) String uri) throws ApiProblem, java.sql.SQLException {
        String name = ApiPaths.resolve(method, uri).name();
        var store = quizzes();
        var summary = store.summary(name).orElseThrow(() -> new ApiProblem(404, "name", "no quiz " + name));
        return ApiResponse.ok(QuizJson.detail(summary, store.definition(name).orElseThrow(), store.questions(name)));
    }

    public ApiResponse quizResults(@Header(METHOD) String method, @Header(URI) String uri, @Header("after") String after,
                                   @Header("limit") String limit) throws ApiProblem, java.sql.SQLException {
        String name = ApiPaths.resolve(method, uri).name();
        long a = ApiPaths.number("after", after, 0, 0, Long.MAX_VALUE);
        int l = (int) ApiPaths.number("limit", limit, 100, 1, 1000);
        var store = quizzes();
        if (!store.exists(name)) throw new ApiProblem(404, "name", "no quiz " + name);
        return ApiResponse.ok(QuizJson.workers(name, store.workers(name, a, l), l));
    }

    public ApiResponse quizClose(@Header(METHOD) String method, @Header(URI) String uri, @ExchangeProperty("mheroUser") String user)
            throws ApiProblem, java.sql.SQLException {
        String name = ApiPaths.resolve(method, uri).name();
        var store = quizzes();
        if (!store.close(name, user)) {
            if (!store.exists(name)) throw new ApiProblem(404, "name", "no quiz " + name);
            throw new ApiProblem(409, "status", "quiz " + name + " is already closed");
        }
        return ApiResponse.ok(QuizJson.summaryJson(store.summary(name).orElseThrow()));
    }

    private org.mhero.quiz.QuizStore quizzes() throws ApiProblem {
        var s = quizzes.get();
        if (s == null) throw new ApiProblem(503, null, "quizzes are not running (see mhero:problems)");
        return s;
    }

    /** An exception as the answer: its 4xx, or 500 (logged at ERROR without the request's content). */
    public ApiResponse problem(Exception e) {
        if (e instanceof ApiProblem p) return new ApiResponse(p.status(), ApiJson.error(p.getMessage(), p.field()), p.headers());
        if (e instanceof BroadcastRejected r) return new ApiResponse(r.status(), ApiJson.error(r.getMessage(), r.field()), Map.of());
        if (e instanceof org.mhero.quiz.QuizRejected r) return new ApiResponse(r.status(), ApiJson.error(r.getMessage(), r.field()), Map.of());
        if (e instanceof java.sql.SQLException) {
            LOG.warn("The API could not reach the database (answered 503): {}", Failures.describe(e));
            return new ApiResponse(503, ApiJson.error("the database is unavailable; try again later", null), Map.of("Retry-After", "10"));
        }
        LOG.error("The broadcast API failed: {}", Failures.describe(e));
        return new ApiResponse(500, ApiJson.error("internal error; see mHero's log", null), Map.of());
    }

    /**
     * api.respond: the status, the JSON and the extra headers of the answer. Every request header is removed first:
     * Camel would send them back as response headers (the Authorization header among them).
     */
    public String respond(@Body ApiResponse r, @Headers Map<String, Object> headers) {
        for (Iterator<String> it = headers.keySet().iterator(); it.hasNext(); ) {
            if (!it.next().regionMatches(true, 0, "Camel", 0, 5)) it.remove();
        }
        headers.put("CamelHttpResponseCode", r.status());
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.putAll(r.headers());
        return r.json();
    }

    private BroadcastService service() throws ApiProblem {
        BroadcastService s = service.get();
        if (s == null) throw new ApiProblem(503, null, "broadcasts are not running (see mhero:problems)");
        return s;
    }

    private String read(InputStream in) throws ApiProblem { return read(in, maxBodyBytes); }

    /** A request body as text, at most {@code maxBodyBytes} (413 beyond); null without one. */
    static String read(InputStream in, int maxBodyBytes) throws ApiProblem {
        if (in == null) return null;
        try (in) {
            byte[] b = in.readNBytes(maxBodyBytes + 1);
            if (b.length > maxBodyBytes) throw tooLarge(maxBodyBytes);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ApiProblem.bad("body", "could not be read");
        }
    }

    private static ApiProblem tooLarge(int maxBodyBytes) {
        return new ApiProblem(413, "body", "is larger than " + maxBodyBytes + " bytes (org.mhero.api max.body.bytes)");
    }
}
