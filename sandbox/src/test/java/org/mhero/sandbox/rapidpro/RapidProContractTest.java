package org.mhero.sandbox.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Status codes and body shapes compared with the contract samples (contracts/samples/rapidpro). */
class RapidProContractTest {
    private RapidProSimulator sim;

    private Api start(RapidProOptions o) {
        sim = RapidProSimulator.start(o);
        return new Api(sim);
    }

    private Api start() { return start(RapidProOptions.defaults().noRateLimit()); }

    @AfterEach
    void stop() {
        if (sim != null) sim.close();
    }

    static Set<String> keys(JsonNode n) {
        Set<String> out = new TreeSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    // ---------------------------------------------------------------------------------------------------- auth

    @Test
    void badTokenIs403WithSampleShape() {
        Api api = start();
        Api.Resp r = api.withAuthorization("Token 0000000000000000000000000000000000000000").get("contacts.json");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json()).isEqualTo(Api.sample("api_v2_error_403_invalid_token.json"));
        assertThat(r.header("X-Temba-Workspace")).isNull();

        Api.Resp none = api.withAuthorization(null).get("contacts.json");
        assertThat(none.status()).isEqualTo(403);
        assertThat(keys(none.json())).containsExactly("detail");

        Api.Resp ok = api.get("contacts.json");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("X-Temba-Workspace")).isEqualTo(RapidProOptions.DEFAULT_WORKSPACE);
        assertThat(ok.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void basicEmailTokenWorks() {
        Api api = start();
        assertThat(api.withAuthorization(Api.basic(RapidProOptions.DEFAULT_EMAIL, RapidProOptions.DEFAULT_TOKEN)).get("groups.json").status()).isEqualTo(200);
        assertThat(api.withAuthorization(Api.basic("other@example.org", RapidProOptions.DEFAULT_TOKEN)).get("groups.json").status()).isEqualTo(403);
    }

    @Test
    void unknownEndpointAndWrongMethod() {
        Api api = start();
        Api.Resp r = api.get("nothing.json");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("detail").asText()).isEqualTo("Not found.");
        Api.Resp m = api.delete("flows.json");
        assertThat(m.status()).isEqualTo(405);
        assertThat(keys(m.json())).containsExactly("detail");
        assertThat(api.send("PUT", "contacts.json", "{}").status()).isEqualTo(405);
        assertThat(api.post("contacts.json?uuid=" + java.util.UUID.randomUUID(), Map.of()).status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------------------------------------------- throttle

    @Test
    void throttleIs429WithRetryAfterPerWorkspace() {
        Api api = start(RapidProOptions.defaults().rateLimit("5/2s").extraToken("ffffffffffffffffffffffffffffffffffffffff"));
        Api other = api.withAuthorization("Token ffffffffffffffffffffffffffffffffffffffff");
        Api anon = api.withAuthorization("Token bad");
        for (int i = 0; i < 3; i++) assertThat(api.get("contacts.json").status()).isEqualTo(200);
        for (int i = 0; i < 5; i++) assertThat(anon.get("contacts.json").status()).isEqualTo(403); // do not count
        for (int i = 0; i < 2; i++) assertThat(other.get("contacts.json").status()).isEqualTo(200); // same workspace budget
        Api.Resp r = api.get("contacts.json");
        assertThat(r.status()).isEqualTo(429);
        JsonNode sample = Api.sample("api_v2_error_429_throttled.json");
        assertThat(keys(r.json())).isEqualTo(keys(sample));
        assertThat(r.json().get("detail").asText()).matches("Request was throttled\\. Expected available in \\d+ seconds?\\.");
        int retryAfter = Integer.parseInt(r.header("Retry-After"));
        assertThat(retryAfter).isBetween(1, 2);
        assertThat(r.json().get("detail").asText()).contains(" " + retryAfter + " ");
        assertThat(other.get("contacts.json").status()).isEqualTo(429);
        // other scopes have their own budget
        assertThat(api.get("messages.json").status()).isEqualTo(200);
        assertThat(api.get("groups.json").status()).isEqualTo(200);
    }

    @Test
    void throttleRecoversAfterWindow() throws Exception {
        Api api = start(RapidProOptions.defaults().rateLimit("2/1s"));
        assertThat(api.get("runs.json").status()).isEqualTo(200);
        assertThat(api.get("runs.json").status()).isEqualTo(200);
        Api.Resp r = api.get("runs.json");
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("Retry-After")).isEqualTo("1");
        Thread.sleep(1050);
        assertThat(api.get("runs.json").status()).isEqualTo(200);
    }

    @Test
    void defaultRatesFollowFlavour() {
        start(RapidProOptions.defaults());
        assertThat(sim.rateLimits()).containsEntry("v2.contacts", RateLimit.parse("3600/hour")).doesNotContainKey("v2.broadcasts");
        sim.close();
        start(RapidProOptions.defaults().flavour(Flavour.V7_4));
        assertThat(sim.rateLimits()).containsEntry("v2", RateLimit.parse("2500/hour")).containsEntry("v2.broadcasts", RateLimit.parse("36000/hour"));
    }

    @Test
    void injectedFaultsHaveRapidProShapes() {
        Api api = start();
        sim.faults().force429(1);
        Api.Resp t = api.get("contacts.json");
        assertThat(t.status()).isEqualTo(429);
        assertThat(t.header("Retry-After")).isEqualTo("1");
        assertThat(keys(t.json())).containsExactly("detail");
        sim.faults().force5xx(1);
        Api.Resp e = api.get("contacts.json");
        assertThat(e.status()).isEqualTo(500);
        assertThat(e.body()).isEqualTo("Server Error. Site administrators have been notified.");
        assertThat(e.header("Content-Type")).startsWith("text/plain");
    }

    // ---------------------------------------------------------------------------------------------------- 400 shapes

    @Test
    void invalidContactFieldsGiveSampleErrorBody() {
        Api api = start();
        sim.createField("nickname", "Nickname", "text");
        Api.Resp r = api.post("contacts.json", Map.of("name", "Jim", "language", "xyz", "urns", List.of("1234556789"),
                "groups", List.of("59686b4e-14bc-4160-9376-b649b218c806"), "fields", Map.of("hmmm", "X")));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json()).isEqualTo(Api.sample("api_v2_error_400_contact_fields.json"));
    }

    @Test
    void nonObjectBodyAndQueryParamErrors() {
        Api api = start();
        Api.Resp r = api.post("contacts.json", "[]");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json()).isEqualTo(Api.sample("api_v2_error_400_non_field.json"));
        String uuid = sim.createContact("A", "tel:+231770000001");
        Api.Resp q = api.post("contacts.json?uuid=" + uuid + "&urn=" + enc("tel:+231770000001"), Map.of());
        assertThat(q.status()).isEqualTo(400);
        assertThat(q.json()).isEqualTo(Api.sample("api_v2_error_400_query_param.json"));
    }

    @Test
    void urnTakenCurrentShape() {
        Api api = start();
        sim.createContact("Bobby", "tel:+250785555555");
        Api.Resp r = api.post("contacts.json", Map.of("name", "Robert", "urns", List.of("tel:+250-78-5555555")));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json()).isEqualTo(Api.sample("api_v2_error_400_urn_taken.json"));
    }

    @Test
    void urnTakenLegacyShape() {
        Api api = start(RapidProOptions.defaults().noRateLimit().flavour(Flavour.V7_4));
        sim.createContact("Bobby", "tel:+250785555555");
        Api.Resp r = api.post("contacts.json", Map.of("name", "Robert", "urns", List.of("tel:+250785555555")));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json()).isEqualTo(Api.sample("api_v2_error_400_urn_taken_legacy.json"));
    }

    @Test
    void listLimitsAndNameLength() {
        Api api = start();
        List<String> urns = new ArrayList<>();
        for (int i = 0; i < 101; i++) urns.add("tel:+2317700" + String.format("%05d", i));
        Api.Resp r = api.post("contacts.json", Map.of("urns", urns));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("urns").get(0).asText()).isEqualTo("Ensure this field has no more than 100 elements.");
        assertThat(api.post("contacts.json", Map.of("urns", urns.subList(0, 100))).status()).isEqualTo(201);
        Api.Resp n = api.post("contacts.json", Map.of("name", "x".repeat(65)));
        assertThat(n.status()).isEqualTo(400);
        assertThat(n.json().get("name").isArray()).isTrue();
        Api.Resp t = api.post("contacts.json", Map.of("urns", List.of("tel:+231880000001", "whatsapp:+231770000002")));
        assertThat(t.json().get("urns").get("1").get(0).asText()).startsWith("Invalid URN: whatsapp:+231770000002");
        assertThat(t.json().get("urns").has("0")).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------- contacts

    @Test
    void createResponseAndListHaveSampleKeys() {
        Api api = start();
        sim.createField("nickname", "Nickname", "text");
        sim.createField("side_kick", "Side Kick", "text");
        String group = sim.createGroup("Devs");
        Api.Resp r = api.post("contacts.json", Map.of("name", "Ben Haggerty", "language", "eng",
                "urns", List.of("tel:+250788123123", "twitter:ben"), "groups", List.of(group), "fields", Map.of("nickname", "Macklemore")));
        assertThat(r.status()).isEqualTo(201);
        JsonNode sample = Api.sample("api_v2_contact_create_response.json");
        assertThat(keys(r.json())).isEqualTo(keys(sample));
        assertThat(keys(r.json().get("groups").get(0))).isEqualTo(keys(sample.get("groups").get(0)));
        assertThat(r.json().get("fields").get("side_kick").isNull()).isTrue(); // every field present, null when unset
        assertThat(r.json().get("status").asText()).isEqualTo("active");
        assertThat(r.json().get("created_on").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
        assertThat(sim.contactsCreatedByApi()).isEqualTo(1);

        Api.Resp list = api.get("contacts.json");
        JsonNode ls = Api.sample("api_v2_contacts_list_response.json");
        assertThat(keys(list.json())).isEqualTo(keys(ls));
        assertThat(keys(list.json().get("results").get(0))).isEqualTo(keys(ls.get("results").get(0)));
    }

    @Test
    void upsertByUrn200Or201AndPartialUpdate() {
        Api api = start();
        sim.createField("nickname", "Nickname", "text");
        sim.createField("globalid", "Global ID", "text");
        String urn = enc("tel:+250783835665");
        Api.Resp created = api.post("contacts.json?urn=" + urn, Map.of("name", "Ben", "fields", Map.of("globalid", "g-1", "nickname", "B")));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("urns").get(0).asText()).isEqualTo("tel:+250783835665");
        Api.Resp updated = api.post("contacts.json?urn=" + urn, Api.sample("api_v2_contact_update_by_urn_request.json"));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("uuid")).isEqualTo(created.json().get("uuid"));
        assertThat(updated.json().get("name").asText()).isEqualTo("Ben");
        assertThat(updated.json().get("fields").get("nickname").asText()).isEqualTo("Ben");
        assertThat(updated.json().get("fields").get("globalid").asText()).isEqualTo("g-1");
        // clearing with ""
        Api.Resp cleared = api.post("contacts.json?uuid=" + created.json().get("uuid").asText(), Map.of("fields", Map.of("nickname", "")));
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.json().get("fields").get("nickname").isNull()).isTrue();
        // urns not allowed with ?urn=
        Api.Resp bad = api.post("contacts.json?urn=" + urn, Map.of("urns", List.of("tel:+250785555555")));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("urns").isArray()).isTrue();
        // national number normalised with the workspace country
        Api.Resp national = api.post("contacts.json?urn=" + enc("tel:0770-000-111"), Map.of("name", "National"));
        assertThat(national.status()).isEqualTo(201);
        assertThat(national.json().get("urns").get(0).asText()).isEqualTo("tel:+231770000111");
        assertThat(sim.contactsCreatedByApi()).isEqualTo(2);
    }

    @Test
    void deleteAndTombstones() {
        Api api = start();
        String uuid = sim.createContact("Del", "tel:+231770000009");
        assertThat(api.delete("contacts.json").status()).isEqualTo(400);
        assertThat(api.delete("contacts.json?urn=" + enc("tel:+231770000009")).status()).isEqualTo(204);
        assertThat(api.delete("contacts.json?uuid=" + uuid).status()).isEqualTo(404);
        assertThat(api.get("contacts.json").json().get("results")).isEmpty();
        JsonNode t = api.get("contacts.json?deleted=true").json().get("results").get(0);
        assertThat(t.get("uuid").asText()).isEqualTo(uuid);
        assertThat(t.get("name").isNull()).isTrue();
        assertThat(t.get("urns")).isEmpty();
    }

    @Test
    void cursorPagingVisitsEach600ContactsOnce() {
        Api api = start();
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 600; i++) created.add(sim.createContact("HW " + i, "tel:+23188" + String.format("%07d", i)));
        Set<String> seen = new LinkedHashSet<>();
        List<Integer> sizes = new ArrayList<>();
        String url = "contacts.json";
        String lastModified = null;
        while (url != null) {
            JsonNode page = api.get(url).json();
            assertThat(keys(page)).containsExactlyInAnyOrder("next", "previous", "results");
            sizes.add(page.get("results").size());
            for (JsonNode c : page.get("results")) {
                assertThat(seen.add(c.get("uuid").asText())).isTrue();
                String m = c.get("modified_on").asText();
                if (lastModified != null) assertThat(m).isLessThan(lastModified); // -modified_on
                lastModified = m;
            }
            url = page.get("next").isNull() ? null : page.get("next").asText();
            if (url != null) {
                assertThat(url).startsWith(sim.baseUrl() + "/api/v2/contacts.json?").contains("cursor=");
            }
        }
        assertThat(sizes).containsExactly(250, 250, 100);
        assertThat(seen).isEqualTo(created);
    }

    @Test
    void afterIsInclusiveAndReverseIsOldestFirst() {
        Api api = start();
        for (int i = 0; i < 5; i++) sim.createContact("C" + i, "tel:+2317700000" + i);
        JsonNode all = api.get("contacts.json").json().get("results");
        assertThat(all.get(0).get("name").asText()).isEqualTo("C4");
        String third = all.get(2).get("modified_on").asText(); // C2
        JsonNode after = api.get("contacts.json?after=" + enc(third)).json().get("results");
        assertThat(names(after)).containsExactly("C4", "C3", "C2");
        JsonNode before = api.get("contacts.json?before=" + enc(third)).json().get("results");
        assertThat(names(before)).containsExactly("C2", "C1", "C0");
        JsonNode rev = api.get("contacts.json?reverse=true&after=" + enc(third)).json().get("results");
        assertThat(names(rev)).containsExactly("C2", "C3", "C4");
    }

    @Test
    void reversePagingOverManyContacts() {
        Api api = start(RapidProOptions.defaults().noRateLimit().pageSize(10));
        for (int i = 0; i < 25; i++) sim.createContact(String.format("C%02d", i), "tel:+23177100" + String.format("%04d", i));
        List<String> order = new ArrayList<>();
        String url = "contacts.json?reverse=true";
        while (url != null) {
            JsonNode page = api.get(url).json();
            order.addAll(names(page.get("results")));
            url = page.get("next").isNull() ? null : page.get("next").asText();
        }
        assertThat(order).hasSize(25);
        assertThat(order).isSorted();
    }

    static List<String> names(JsonNode results) {
        List<String> out = new ArrayList<>();
        results.forEach(r -> out.add(r.get("name").asText()));
        return out;
    }

    // ---------------------------------------------------------------------------------------------------- groups, fields, actions

    @Test
    void groupsAndFieldsMatchSamples() {
        Api api = start();
        Api.Resp g = api.post("groups.json", Api.sample("api_v2_group_create_request.json"));
        assertThat(g.status()).isEqualTo(201);
        assertThat(keys(g.json())).containsAll(keys(Api.sample("api_v2_group_create_response.json")));
        assertThat(keys(api.get("groups.json").json().get("results").get(0)))
                .isEqualTo(keys(Api.sample("api_v2_groups_list_response.json").get("results").get(0)));
        Api.Resp dup = api.post("groups.json", Map.of("name", "REPORTERS"));
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.json().get("name").isArray()).isTrue();
        Api.Resp renamed = api.post("groups.json?uuid=" + g.json().get("uuid").asText(), Map.of("name", "Health Workers"));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().get("name").asText()).isEqualTo("Health Workers");

        Api.Resp f = api.post("fields.json", Api.sample("api_v2_field_create_request.json"));
        assertThat(f.status()).isEqualTo(201);
        assertThat(f.json()).isEqualTo(Api.sample("api_v2_field_create_response.json"));
        assertThat(api.get("fields.json").json()).isEqualTo(Api.sample("api_v2_fields_list_response.json"));
        Api.Resp v7 = api.post("fields.json", Map.of("label", "mHero Entity-Type", "value_type", "text"));
        assertThat(v7.status()).isEqualTo(201);
        assertThat(v7.json().get("key").asText()).isEqualTo("mhero_entity_type");
        Api.Resp reserved = api.post("fields.json", Map.of("name", "Has", "type", "text"));
        assertThat(reserved.status()).isEqualTo(400);
        assertThat(reserved.json().get("name").get(0).asText()).contains("\"has\"");
        Api.Resp digit = api.post("fields.json", Map.of("name", "1st dose", "type", "text"));
        assertThat(digit.status()).isEqualTo(400);
        Api.Resp badName = api.post("fields.json", Map.of("name", "a.b", "type", "text"));
        assertThat(badName.status()).isEqualTo(400);
        Api.Resp badType = api.post("fields.json", Map.of("name", "Weight", "type", "float"));
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.json().has("type")).isTrue();
        assertThat(api.post("fields.json", Map.of("name", "nick NAME", "type", "text")).status()).isEqualTo(400);
    }

    @Test
    void contactActions() {
        Api api = start();
        sim.createGroup("Testers");
        String a = sim.createContact("Ann", "tel:+250788000001");
        sim.createContact("Bob", "tel:+250788000002");
        JsonNode sampleReq = Api.sample("api_v2_contact_actions_request.json");
        Api.Resp unknown = api.post("contact_actions.json", sampleReq);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("contacts").get(0).asText()).startsWith("No such object: ");
        assertThat(api.post("contact_actions.json", Map.of("contacts", List.of(a, "tel:+250788000002"), "action", "add", "group", "testers")).status()).isEqualTo(204);
        assertThat(api.get("groups.json?name=Testers").json().get("results").get(0).get("count").asInt()).isEqualTo(2);
        Api.Resp noGroup = api.post("contact_actions.json", Map.of("contacts", List.of(a), "action", "add"));
        assertThat(noGroup.json().has("non_field_errors")).isTrue();
        assertThat(api.post("contact_actions.json", Map.of("contacts", List.of(a), "action", "block")).status()).isEqualTo(204);
        assertThat(sim.contact(a).orElseThrow().get("status").asText()).isEqualTo("blocked");
        assertThat(sim.contact(a).orElseThrow().get("groups")).isEmpty();
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) many.add(a);
        assertThat(api.post("contact_actions.json", Map.of("contacts", many, "action", "block")).json().get("contacts").get(0).asText())
                .isEqualTo("Ensure this field has no more than 100 elements.");
        assertThat(api.get("contact_actions.json").status()).isEqualTo(405);
    }

    // ---------------------------------------------------------------------------------------------------- broadcasts, starts, messages

    @Test
    void broadcastWith101UrnsIs400() {
        Api api = start();
        List<String> urns = new ArrayList<>();
        for (int i = 0; i < 101; i++) urns.add("tel:+2317701" + String.format("%05d", i));
        Api.Resp r = api.post("broadcasts.json", Map.of("urns", urns, "text", "hi"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json()).isEqualTo(Api.parse("{\"urns\": [\"Ensure this field has no more than 100 elements.\"]}"));
        assertThat(sim.broadcasts()).isEmpty();
        assertThat(api.post("broadcasts.json", Map.of("urns", urns.subList(0, 100), "text", "hi")).status()).isEqualTo(201);
        assertThat(sim.contactsCreatedByMessaging()).isEqualTo(100);
        assertThat(sim.contactsCreatedByApi()).isZero();
    }

    @Test
    void broadcastSkipsStoppedAndBlockedAndEachRecipientGetsOneMessage() throws Exception {
        Api api = start(RapidProOptions.defaults().noRateLimit().asyncStep(Duration.ofMillis(20)));
        String a = sim.createContact("Ann", "tel:+231770000001");
        String b = sim.createContact("Bob", "tel:+231770000002");
        String c = sim.createContact("Cat", "tel:+231770000003");
        sim.setContactStatus("tel:+231770000002", "stopped");
        sim.setContactStatus(c, "blocked");
        Api.Resp r = api.post("broadcasts.json", Map.of("urns", List.of("tel:+231770000001", "tel:+231770000002", "tel:+231770000004"),
                "contacts", List.of(c, a), "text", "Hello @contact.name"));
        assertThat(r.status()).isEqualTo(201);
        JsonNode sample = Api.sample("api_v2_broadcast_create_response.json");
        assertThat(keys(r.json())).containsAll(keys(sample));
        assertThat(r.json().get("status").asText()).isEqualTo("pending");
        assertThat(r.json().get("text").get("eng").asText()).isEqualTo("Hello @contact.name");

        RapidProSimulator.BroadcastRecord rec = sim.broadcasts().get(0);
        assertThat(rec.recipientContactUuids()).hasSize(2).contains(a).doesNotContain(b, c);
        Map<String, List<RapidProSimulator.Delivery>> byContact = sim.outgoingByContact();
        assertThat(byContact).hasSize(2);
        byContact.values().forEach(l -> assertThat(l).hasSize(1));
        assertThat(byContact.get(a).get(0).text()).isEqualTo("Hello Ann");

        String uuid = r.json().get("uuid").asText();
        String status = null;
        for (int i = 0; i < 100 && !"completed".equals(status); i++) {
            Thread.sleep(10);
            status = api.get("broadcasts.json?uuid=" + uuid).json().get("results").get(0).get("status").asText();
        }
        assertThat(status).isEqualTo("completed");
        JsonNode sent = api.get("messages.json?folder=sent").json();
        assertThat(sent.get("results")).hasSize(2);
        JsonNode msgSample = Api.sample("api_v2_messages_list_response.json");
        assertThat(keys(sent.get("results").get(0))).isEqualTo(keys(msgSample.get("results").get(0)));
        assertThat(sent.get("results").get(0).get("direction").asText()).isEqualTo("out");
        assertThat(api.get("messages.json?broadcast=" + uuid).json().get("results")).hasSize(2);
        assertThat(api.get("messages.json?folder=sent&contact=" + a).status()).isEqualTo(400);
    }

    @Test
    void broadcastIdentityByFlavour() {
        Api api = start(RapidProOptions.defaults().noRateLimit().flavour(Flavour.V7_4));
        Api.Resp r = api.post("broadcasts.json", ((com.fasterxml.jackson.databind.node.ObjectNode) Api.sample("api_v2_broadcast_create_request.json").deepCopy())
                .without("contacts"));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().has("id")).isTrue();
        assertThat(r.json().has("uuid")).isFalse();
        assertThat(r.json().get("id").isIntegralNumber()).isTrue();
        Api.Resp msgs = api.get("messages.json");
        assertThat(msgs.json().get("results").get(0).has("id")).isTrue();
    }

    @Test
    void flowStartsRequireKnownFlow() {
        FlowDef flow = FlowDef.survey("f5901b62-ba76-4003-9c62-72fdacc1b7b7", "Thrift Shop", "color");
        Api api = start(RapidProOptions.defaults().noRateLimit().flow(flow));
        Api.Resp bad = api.post("flow_starts.json", Map.of("flow", "00000000-0000-0000-0000-000000000000", "urns", List.of("tel:+12065551212")));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("flow").get(0).asText()).isEqualTo("No such object: 00000000-0000-0000-0000-000000000000");
        Api.Resp ok = api.post("flow_starts.json", Map.of("flow", flow.uuid(), "urns", List.of("twitter:sirmixalot", "tel:+12065551212"),
                "params", Map.of("first_name", "Ryan")));
        assertThat(ok.status()).isEqualTo(201);
        assertThat(keys(ok.json())).isEqualTo(keys(Api.sample("api_v2_flow_start_create_response.json")));
        assertThat(ok.json().get("status").asText()).isEqualTo("pending");
        assertThat(sim.flowStarts().get(0).recipientContactUuids()).hasSize(2);
        JsonNode flows = api.get("flows.json").json().get("results").get(0);
        assertThat(flows.get("results").get(0).get("key").asText()).isEqualTo("color");
        Api.Resp none = api.post("flow_starts.json", Map.of("flow", flow.uuid()));
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.json().has("non_field_errors")).isTrue();
        List<String> contacts = new ArrayList<>();
        for (int i = 0; i < 101; i++) contacts.add(java.util.UUID.randomUUID().toString());
        Api.Resp tooMany = api.post("flow_starts.json", Map.of("flow", flow.uuid(), "contacts", contacts));
        assertThat(tooMany.json().get("contacts").get(0).asText()).isEqualTo("Ensure this field has no more than 100 elements.");
    }

    @Test
    void runsRejectFlowAndContactTogether() {
        Api api = start();
        Api.Resp r = api.get("runs.json?flow=a&contact=b");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).isEqualTo("URL can only contain one of the following parameters: contact, flow");
    }

    @Test
    void rateLimitParsing() {
        assertThat(RateLimit.parse("3600/hour")).isEqualTo(RateLimit.of(3600, Duration.ofHours(1)));
        assertThat(RateLimit.parse("10/minute").period()).isEqualTo(Duration.ofMinutes(1));
        assertThat(RateLimit.parse("5/second").period()).isEqualTo(Duration.ofSeconds(1));
        assertThat(RateLimit.parse("5/2s")).isEqualTo(RateLimit.of(5, Duration.ofSeconds(2)));
        assertThat(RateLimit.parse("5/2")).isEqualTo(RateLimit.of(5, Duration.ofSeconds(2)));
        assertThat(RateLimit.parse("100/d").period()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void fieldKeyDerivation() {
        assertThat(RapidProSimulator.makeKey("Nick name")).isEqualTo("nick_name");
        assertThat(RapidProSimulator.makeKey(" Global--ID ")).isEqualTo("global_id");
        assertThat(RapidProSimulator.validKey("1st_dose")).isFalse();
        assertThat(RapidProSimulator.validKey("is")).isFalse();
        assertThat(RapidProSimulator.validKey("a".repeat(37))).isFalse();
    }

    @Test
    void everyCallIsRecorded() {
        Api api = start();
        api.get("contacts.json");
        api.withAuthorization(null).get("contacts.json");
        assertThat(sim.calls().all()).extracting(c -> c.status()).containsExactly(200, 403);
    }
}
