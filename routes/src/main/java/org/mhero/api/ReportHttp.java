package org.mhero.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.mhero.broadcast.BroadcastRejected;
import org.mhero.broadcast.BroadcastService;
import org.mhero.broadcast.BroadcastView;
import org.mhero.report.ReportStore;
import org.mhero.report.Subject;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The report resources of the API, under {@code /api/reports/<broadcasts|flows|quizzes>/<id, flow uuid or quiz name>}:
 * <pre>
 * GET  …                   the funnel (targeted, reached, responded, completed, each with its % of the step before),
 *                          by cadre and by district
 * GET  …/non-responders    the targeted workers who did not respond (?after=&lt;worker id&gt;&amp;limit=)
 * POST …/follow-up         {"text": "..."} or {"flow": "&lt;uuid&gt;"}: a broadcast to the non-responders (201)
 * </pre>
 */
public final class ReportHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FOLLOW_UP_FIELDS = Set.of("text", "flow", "title");

    private final Supplier<ReportStore> reports;
    private final Supplier<BroadcastService> broadcasts;
    private final int maxBodyBytes;

    public ReportHttp(Supplier<ReportStore> reports, Supplier<BroadcastService> broadcasts, int maxBodyBytes) {
        this.reports = reports;
        this.broadcasts = broadcasts;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The subject of a report path: {@code /api/reports/<kind>/<key>[/...]}; 404 when it is none. */
    static Subject subject(String uri) throws ApiProblem {
        String p = uri == null ? "" : uri;
        int q = p.indexOf('?');
        if (q >= 0) p = p.substring(0, q);
        String[] s = p.split("/");
        Subject.Kind kind = s.length >= 5 ? Subject.Kind.ofPath(s[3]) : null;
        if (kind == null) throw new ApiProblem(404, null, "no resource " + uri);
        try {
            return Subject.of(kind, java.net.URLDecoder.decode(s[4], StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(404, "id", e.getMessage());
        }
    }

    public ApiResponse report(@Header(ApiHttp.URI) String uri) throws ApiProblem, SQLException {
        Subject s = subject(uri);
        ReportStore.Report r = store().report(s).orElseThrow(() -> notFound(s));
        return ApiResponse.ok(json(r).toString());
    }

    public ApiResponse nonResponders(@Header(ApiHttp.URI) String uri, @Header("after") String after, @Header("limit") String limit)
            throws ApiProblem, SQLException {
        Subject s = subject(uri);
        long a = ApiPaths.number("after", after, 0, 0, Long.MAX_VALUE);
        int l = (int) ApiPaths.number("limit", limit, 100, 1, 1000);
        List<ReportStore.NonResponder> page = store().nonResponders(s, a, l).orElseThrow(() -> notFound(s));
        ObjectNode o = JSON.createObjectNode();
        ArrayNode items = o.putArray("results");
        for (ReportStore.NonResponder n : page) {
            items.addObject().put("worker", n.workerId()).put("name", n.name()).put("cadre", n.cadre()).put("district", n.district())
                    .put("reached", n.reached());
        }
        if (page.size() == l) o.put("next_after", page.get(page.size() - 1).workerId()); else o.putNull("next_after");
        return ApiResponse.ok(o.toString());
    }

    public ApiResponse followUp(@Header(ApiHttp.URI) String uri, @Body InputStream body, @ExchangeProperty("mheroUser") String user)
            throws ApiProblem, SQLException, BroadcastRejected {
        Subject s = subject(uri);
        ObjectNode o = ApiJson.object(ApiHttp.read(body, maxBodyBytes));
        ApiJson.known(o, FOLLOW_UP_FIELDS, "", "a follow-up (give text or flow)");
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String n = names.next();
            if (!o.get(n).isTextual()) throw ApiProblem.bad(n, "must be a string");
        }
        String text = o.hasNonNull("text") ? o.get("text").asText() : null;
        String flow = o.hasNonNull("flow") ? o.get("flow").asText() : null;
        if ((text == null) == (flow == null)) throw ApiProblem.bad("text", "give exactly one of text and flow");
        BroadcastService service = broadcasts.get();
        if (service == null) throw new ApiProblem(503, null, "broadcasts are not running (see mhero:problems)");
        BroadcastView v = store().followUp(s, o.hasNonNull("title") ? o.get("title").asText() : null, text, flow, user, service).orElseThrow(() -> notFound(s));
        return new ApiResponse(201, ApiJson.view(v), Map.of("Location", "/api/broadcasts/" + v.id()));
    }

    /** The report as JSON: {subject, title, funnel: [{step, count, percent_of_previous}], by_cadre: [...], by_district: [...]}. */
    static ObjectNode json(ReportStore.Report r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", r.subject().kind().name().toLowerCase(java.util.Locale.ROOT));
        o.put("id", r.subject().key());
        o.put("title", r.title());
        steps(o.putArray("funnel"), r.funnel());
        rows(o.putArray("by_cadre"), "cadre", r.byCadre());
        rows(o.putArray("by_district"), "district", r.byDistrict());
        return o;
    }

    private static void rows(ArrayNode a, String name, List<ReportStore.Row> rows) {
        for (ReportStore.Row row : rows) {
            ObjectNode o = a.addObject().put(name, row.value());
            steps(o.putArray("funnel"), row.steps());
        }
    }

    private static void steps(ArrayNode a, List<ReportStore.Step> steps) {
        for (ReportStore.Step st : steps) {
            ObjectNode o = a.addObject().put("step", st.name()).put("count", st.count());
            if (st.percentOfPrevious() == null) o.putNull("percent_of_previous"); else o.put("percent_of_previous", st.percentOfPrevious());
        }
    }

    private ReportStore store() throws ApiProblem {
        ReportStore s = reports.get();
        if (s == null) throw new ApiProblem(503, null, "reports are not running (see mhero:problems)");
        return s;
    }

    private static ApiProblem notFound(Subject s) {
        return new ApiProblem(404, "id", "no " + s);
    }
}
