package org.mhero.sandbox.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Simulated health workers answering: runs, inbound messages, flow webhooks and resthooks. */
class RapidProRespondTest {
    record Received(String path, Map<String, String> headers, JsonNode body) {}

    private HttpServer receiver;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger replyStatus = new AtomicInteger(200);
    private RapidProSimulator sim;

    static final FlowDef SURVEY = FlowDef.of("1b6cf5d6-6d2e-4a5b-9d0e-5a1f2b3c4d5e", "Availability Survey",
            FlowDef.Result.choice("available", "Available", "At your facility this week?", "Yes", "No"),
            FlowDef.Result.text("stock_outs", "Stock Outs", "Which commodities are out of stock?"));

    @BeforeEach
    void receiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        receiver.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            Map<String, String> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> h.put(k, v.get(0)));
            received.add(new Received(ex.getRequestURI().getPath(), h, Api.parse(new String(body, StandardCharsets.UTF_8))));
            ex.sendResponseHeaders(replyStatus.get(), -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        if (sim != null) sim.close();
        receiver.stop(0);
    }

    private String receiverUrl(String path) { return "http://127.0.0.1:" + receiver.getAddress().getPort() + path; }

    private Api start(RapidProOptions o) {
        sim = RapidProSimulator.start(o.noRateLimit().flow(SURVEY).webhookTarget(receiverUrl("/webhook")).resthook("mhero-results"));
        return new Api(sim);
    }

    private List<String> urns(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add("tel:+23177" + String.format("%07d", i));
        return out;
    }

    @Test
    void aFlowsStartsAnswerAsOnePopulation() {
        Api api = start(RapidProOptions.defaults());
        List<String> all = urns(482);
        for (int from = 0; from < all.size(); from += 100) {
            api.post("flow_starts.json", Map.of("flow", SURVEY.uuid(), "urns", all.subList(from, Math.min(all.size(), from + 100))));
        }
        // per start the rates would round five times (60+60+60+60+49 reached, 34*4+28 answered); together they round once
        RapidProSimulator.RespondResult res = sim.respond(ResponseProfile.forFlow(SURVEY.uuid()).webhooks(false)
                .reachRate(289 / 482.0).answerRate(165 / 289.0).completionRate(119 / 165.0));
        assertThat(res.recipients()).isEqualTo(482);
        assertThat(res.reached()).isEqualTo(289);
        assertThat(res.answered()).isEqualTo(165);
        assertThat(res.completed()).isEqualTo(119);
        assertThat(api.get("runs.json?flow=" + SURVEY.uuid() + "&responded=true").json().get("results")).hasSize(165);
        assertThat(sim.respond(ResponseProfile.forFlow(SURVEY.uuid()).webhooks(false)).reached())
                .as("runs that ended are not answered again; every other one is (the default reach rate is 1)").isEqualTo(482 - 119);
    }

    @Test
    void flowStartRespondedDeterministicallyWithWebhooks() {
        Api api = start(RapidProOptions.defaults());
        String start = api.post("flow_starts.json", Map.of("flow", SURVEY.uuid(), "urns", urns(10))).json().get("uuid").asText();
        RapidProSimulator.RespondResult res = sim.respond(ResponseProfile.forFlowStart(start)
                .reachRate(0.8).answerRate(0.75).completionRate(0.5).answers("available", "yes", "No", "maybe"));
        assertThat(res.recipients()).isEqualTo(10);
        assertThat(res.reached()).isEqualTo(8);
        assertThat(res.answered()).isEqualTo(6);
        assertThat(res.completed()).isEqualTo(3);
        assertThat(res.calls()).hasSize(3).allSatisfy(c -> assertThat(c.status()).isEqualTo(200));
        assertThat(received).hasSize(3);

        Received w = received.get(0);
        assertThat(w.path()).isEqualTo("/webhook");
        assertThat(w.headers().get("X-Mailroom-Mode")).isEqualTo("normal");
        assertThat(w.headers().get("User-Agent")).startsWith("Mailroom/");
        assertThat(w.headers().get("Content-Type")).startsWith("application/json");
        assertThat(RapidProContractTest.keys(w.body())).containsExactlyInAnyOrder("contact", "flow", "results", "run", "input");
        assertThat(RapidProContractTest.keys(w.body().get("contact"))).containsExactlyInAnyOrder("uuid", "name", "urn");
        assertThat(RapidProContractTest.keys(w.body().get("flow"))).containsExactlyInAnyOrder("uuid", "name");
        assertThat(w.body().get("flow").get("uuid").asText()).isEqualTo(SURVEY.uuid());
        assertThat(RapidProContractTest.keys(w.body().get("results"))).containsExactlyInAnyOrder("available", "stock_outs");
        assertThat(RapidProContractTest.keys(w.body().get("results").get("available"))).containsExactlyInAnyOrder("value", "category");
        assertThat(w.body().get("results").get("available").get("category").asText()).isIn("Yes", "No", "Other");
        assertThat(w.body().get("run").get("uuid").asText()).isNotBlank();
        assertThat(w.body().get("input").get("text").asText()).isNotBlank();

        // the same run is visible by polling
        String runUuid = w.body().get("run").get("uuid").asText();
        JsonNode run = api.get("runs.json?uuid=" + runUuid).json().get("results").get(0);
        assertThat(run.get("exit_type").asText()).isEqualTo("completed");
        assertThat(run.get("contact").has("urn_display")).isTrue();
        assertThat(run.get("values").get("available").has("input")).isFalse();
        JsonNode sample = Api.sample("api_v2_runs_list_response.json").get("results").get(0);
        assertThat(RapidProContractTest.keys(run)).containsAll(RapidProContractTest.keys(sample));
        assertThat(RapidProContractTest.keys(run.get("values").get("available"))).isEqualTo(RapidProContractTest.keys(sample.get("values").get("color")));

        JsonNode runs = api.get("runs.json?flow=" + SURVEY.uuid()).json().get("results");
        assertThat(runs).hasSize(10);
        assertThat(api.get("runs.json?flow=" + SURVEY.uuid() + "&responded=true").json().get("results")).hasSize(6);
        assertThat(api.get("messages.json?folder=flows").json().get("results")).hasSize(6 + 3); // 3 partial + 3×2 complete
        assertThat(api.get("messages.json?folder=failed").json().get("results")).hasSize(2);

        // determinism: the same profile on a fresh simulator picks the same shape
        Set<String> completedUrns = new HashSet<>();
        for (JsonNode r : runs) if ("completed".equals(r.get("exit_type").asText(null))) completedUrns.add(r.get("contact").get("urn").asText());
        assertThat(completedUrns).hasSize(3);
    }

    @Test
    void runsAfterWatermarkInclusiveReverse() {
        Api api = start(RapidProOptions.defaults());
        String start = api.post("flow_starts.json", Map.of("flow", SURVEY.uuid(), "urns", urns(5))).json().get("uuid").asText();
        sim.respond(ResponseProfile.forFlowStart(start));
        JsonNode runs = api.get("runs.json?flow=" + SURVEY.uuid() + "&reverse=true").json().get("results");
        assertThat(runs).hasSize(5);
        String wm = runs.get(2).get("modified_on").asText();
        JsonNode after = api.get("runs.json?flow=" + SURVEY.uuid() + "&reverse=true&after=" + URLEncoder.encode(wm, StandardCharsets.UTF_8)).json().get("results");
        assertThat(after).hasSize(3);
        assertThat(after.get(0).get("uuid")).isEqualTo(runs.get(2).get("uuid"));
    }

    @Test
    void scriptAndStoppedContactSkipped() {
        Api api = start(RapidProOptions.defaults());
        sim.createContact("Stopped", "tel:+231770009999");
        sim.setContactStatus("tel:+231770009999", "stopped");
        List<String> recipients = new ArrayList<>(urns(3));
        recipients.add("tel:+231770009999");
        String start = api.post("flow_starts.json", Map.of("flow", SURVEY.uuid(), "urns", recipients)).json().get("uuid").asText();
        assertThat(sim.flowStarts().get(0).recipientContactUuids()).hasSize(3);
        RapidProSimulator.RespondResult res = sim.respond(ResponseProfile.forFlowStart(start).answerRate(0)
                .script("tel:+231770000001", "No", "Zinc, ORS"));
        assertThat(res.completed()).isEqualTo(1);
        JsonNode body = received.get(0).body();
        assertThat(body.get("contact").get("urn").asText()).isEqualTo("tel:+231770000001");
        assertThat(body.get("results").get("available").get("category").asText()).isEqualTo("No");
        assertThat(body.get("results").get("stock_outs").get("value").asText()).isEqualTo("Zinc, ORS");
        assertThat(sim.outgoingTo("tel:+231770009999")).isEmpty();
    }

    @Test
    void webhookFailureIsNotRetried() {
        replyStatus.set(500);
        Api api = start(RapidProOptions.defaults());
        String start = api.post("flow_starts.json", Map.of("flow", SURVEY.uuid(), "urns", urns(1))).json().get("uuid").asText();
        RapidProSimulator.RespondResult res = sim.respond(ResponseProfile.forFlowStart(start));
        assertThat(res.calls()).hasSize(1);
        assertThat(res.calls().get(0).status()).isEqualTo(500);
        assertThat(received).hasSize(1);
    }

    @Test
    void resthookSubscribersGetFixedPayloadAnd410Unsubscribes() {
        Api api = start(RapidProOptions.defaults().flavour(Flavour.V7_4));
        Api.Resp sub = api.post("resthook_subscribers.json", Map.of("resthook", "mhero-results", "target_url", receiverUrl("/resthook")));
        assertThat(sub.status()).isEqualTo(201);
        assertThat(RapidProContractTest.keys(sub.json())).isEqualTo(RapidProContractTest.keys(Api.sample("api_v2_resthook_subscriber_create_response.json")));
        assertThat(api.post("resthook_subscribers.json", Map.of("resthook", "nope", "target_url", receiverUrl("/x"))).status()).isEqualTo(400);
        String start = api.post("flow_starts.json", Map.of("flow", SURVEY.uuid(), "urns", urns(2))).json().get("uuid").asText();
        sim.respond(ResponseProfile.forFlowStart(start).webhooks(false).resthook("mhero-results"));
        assertThat(received).hasSize(2).allSatisfy(r -> assertThat(r.path()).isEqualTo("/resthook"));
        JsonNode p = received.get(0).body();
        assertThat(RapidProContractTest.keys(p)).containsExactlyInAnyOrder("contact", "flow", "path", "results", "run", "input", "channel");
        assertThat(RapidProContractTest.keys(p.get("contact"))).containsExactlyInAnyOrder("uuid", "name", "urn", "language");
        assertThat(RapidProContractTest.keys(p.get("flow"))).containsExactlyInAnyOrder("uuid", "name", "revision");
        assertThat(RapidProContractTest.keys(p.get("run"))).containsExactlyInAnyOrder("uuid", "created_on");
        assertThat(RapidProContractTest.keys(p.get("results").get("available")))
                .containsExactlyInAnyOrder("name", "value", "category", "category_localized", "input", "node_uuid", "created_on");
        assertThat(RapidProContractTest.keys(p.get("input").get("urn"))).containsExactlyInAnyOrder("scheme", "path", "display");
        assertThat(received.get(0).headers().get("User-Agent")).contains("Mailroom/");

        JsonNode events = api.get("resthook_events.json").json();
        JsonNode sample = Api.sample("api_v2_resthook_events_list_response.json");
        assertThat(RapidProContractTest.keys(events.get("results").get(0))).isEqualTo(RapidProContractTest.keys(sample.get("results").get(0)));

        // v7.4 shapes
        JsonNode run = api.get("runs.json").json().get("results").get(0);
        assertThat(run.get("contact").has("urn_display")).isFalse();
        assertThat(run.get("values").get("available").has("input")).isTrue();
        assertThat(api.get("flow_starts.json?uuid=" + start).json().get("results").get(0).get("status").asText()).isEqualTo("complete");

        replyStatus.set(410);
        String start2 = api.post("flow_starts.json", Map.of("flow", SURVEY.uuid(), "urns", urns(1), "restart_participants", true)).json().get("uuid").asText();
        sim.respond(ResponseProfile.forFlowStart(start2).webhooks(false).resthook("mhero-results"));
        assertThat(api.get("resthook_subscribers.json").json().get("results")).isEmpty();
    }

    @Test
    void broadcastRepliesAndInjectInbound() {
        Api api = start(RapidProOptions.defaults());
        JsonNode b = api.post("broadcasts.json", Map.of("urns", urns(4), "text", "Reply OK")).json();
        RapidProSimulator.RespondResult res = sim.respond(ResponseProfile.forBroadcast(b.get("uuid").asText()).answerRate(0.5).replies("OK"));
        assertThat(res.answered()).isEqualTo(2);
        JsonNode inbox = api.get("messages.json?folder=inbox").json().get("results");
        assertThat(inbox).hasSize(2);
        assertThat(inbox.get(0).get("direction").asText()).isEqualTo("in");
        assertThat(inbox.get(0).get("status").asText()).isEqualTo("handled");

        sim.injectInbound("tel:+231779999999", "hello");
        assertThat(api.get("messages.json?folder=inbox").json().get("results")).hasSize(3);
        FlowDef keyword = FlowDef.survey("0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d", "Report", "report");
        sim.addFlow(keyword);
        String run = sim.injectInbound("tel:+231779999999", "REPORT 12 cases", keyword.uuid(), null);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).body().get("run").get("uuid").asText()).isEqualTo(run);
        assertThat(received.get(0).body().get("results").get("report").get("value").asText()).isEqualTo("REPORT 12 cases");
    }
}
