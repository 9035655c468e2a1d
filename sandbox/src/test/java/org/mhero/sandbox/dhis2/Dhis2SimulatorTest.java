package org.mhero.sandbox.dhis2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mhero.sandbox.dhis2.Dhis2Model.DataInputPeriod;
import org.mhero.sandbox.dhis2.Dhis2Model.DataSet;
import org.mhero.sandbox.dhis2.Dhis2Model.OrgUnit;
import org.mhero.sandbox.dhis2.Dhis2Options.UserFormat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class Dhis2SimulatorTest {
    static final Path SAMPLES = Path.of(System.getProperty("mhero.contracts.dir", "../contracts"), "samples", "dhis2");
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static Dhis2Simulator sim;
    static String basic;

    record Res(int status, JsonNode body, String raw) {}

    @BeforeAll
    static void start() {
        sim = Dhis2Simulator.start(Dhis2Options.defaults().users(40));
        basic = "Basic " + Base64.getEncoder().encodeToString("admin:district".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() { sim.close(); }

    @BeforeEach
    void reset() {
        sim.clearDataValues();
        sim.userFormat(UserFormat.FLATTENED);
        sim.version("2.40.3");
        sim.faults().reset();
        DataSet ds = sim.model().stockDataSet();
        sim.model().putDataSet(ds.withLocks(0, 1, List.of()));
    }

    static Res get(String pathAndQuery) throws Exception { return call("GET", pathAndQuery, basic, null, null); }

    static Res call(String method, String pathAndQuery, String auth, String contentType, String body) throws Exception {
        String url = pathAndQuery.startsWith("http") ? pathAndQuery : sim.baseUrl() + pathAndQuery;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/json");
        if (auth != null) b.header("Authorization", auth);
        if (contentType != null) b.header("Content-Type", contentType);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode n = null;
        try { n = JSON.readTree(r.body()); } catch (Exception ignored) { }
        return new Res(r.statusCode(), n, r.body());
    }

    static Res post(String query, String json) throws Exception {
        return call("POST", "/api/dataValueSets" + query, basic, "application/json", json);
    }

    static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    static Set<String> keys(JsonNode n) {
        Set<String> s = new TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    static String currentMonth() { return String.format("%04d%02d", LocalDate.now().getYear(), LocalDate.now().getMonthValue()); }

    // ------------------------------------------------------------------ auth, versions

    @Test
    void authAndSystemEndpoints() throws Exception {
        assertThat(call("GET", "/api/ping", null, null, null).status()).isEqualTo(200);
        Res unauth = call("GET", "/api/me", null, null, null);
        assertThat(unauth.status()).isEqualTo(401);
        assertThat(unauth.body().get("httpStatusCode").asInt()).isEqualTo(401);
        assertThat(unauth.body().get("status").asText()).isEqualTo("ERROR");
        String wrong = "Basic " + Base64.getEncoder().encodeToString("admin:nope".getBytes(StandardCharsets.UTF_8));
        assertThat(call("GET", "/api/me", wrong, null, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/me", "ApiToken d2pat_wrong", null, null).status()).isEqualTo(401);
        Res me = call("GET", "/api/me", "ApiToken " + Dhis2Options.DEFAULT_TOKEN, null, null);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.body().get("username").asText()).isEqualTo("admin");
        assertThat(get("/api/system/info").body().get("version").asText()).isEqualTo("2.40.3");
        assertThat(get("/api/40/organisationUnits?fields=id").status()).isEqualTo(200);
        assertThat(get("/api/38/system/info").status()).isEqualTo(200);
        assertThat(get("/api/37/system/info").status()).isEqualTo(404);
        Res notFound = get("/api/organisationUnits/abcdefghijk");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.body().get("httpStatus").asText()).isEqualTo("Not Found");
    }

    @Test
    void faultsAreWebMessages() throws Exception {
        sim.faults().force5xx(1);
        Res r = get("/api/organisationUnits");
        assertThat(r.status()).isEqualTo(500);
        assertThat(keys(r.body())).contains("httpStatus", "httpStatusCode", "status", "message");
        sim.faults().force429(1);
        r = get("/api/organisationUnits");
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.body().get("httpStatusCode").asInt()).isEqualTo(429);
    }

    // ------------------------------------------------------------------ metadata

    @Test
    void pagingVisitsEveryUnitOnce() throws Exception {
        List<String> seen = new ArrayList<>();
        String next = "/api/organisationUnits?fields=id,code,name,level,path,parent%5Bid%5D&order=id:asc&pageSize=7";
        int pages = 0;
        int total = -1;
        while (next != null) {
            Res r = get(next);
            assertThat(r.status()).isEqualTo(200);
            JsonNode pager = r.body().get("pager");
            total = pager.get("total").asInt();
            assertThat(pager.get("pageSize").asInt()).isEqualTo(7);
            for (JsonNode ou : r.body().get("organisationUnits")) seen.add(ou.get("id").asText());
            next = pager.has("nextPage") ? pager.get("nextPage").asText() : null;
            if (next != null) assertThat(next).startsWith("http://").contains("pageSize=7").contains("order=id:asc");
            pages++;
            assertThat(pager.get("page").asInt()).isEqualTo(pages);
            assertThat(pager.get("pageCount").asInt()).isEqualTo((total + 6) / 7);
        }
        int expected = sim.model().orgUnits().size();
        assertThat(expected).isEqualTo(1 + 3 + 9 + 36);
        assertThat(total).isEqualTo(expected);
        assertThat(seen).hasSize(expected).doesNotHaveDuplicates();
        assertThat(new ArrayList<>(seen)).isSorted();
        // default page size is 50 and paging=false has no pager
        assertThat(get("/api/organisationUnits").body().get("pager").get("pageSize").asInt()).isEqualTo(50);
        Res all = get("/api/organisationUnits?paging=false&fields=id");
        assertThat(all.body().has("pager")).isFalse();
        assertThat(all.body().get("organisationUnits").size()).isEqualTo(expected);
    }

    @Test
    void orgUnitFieldsAndFilters() throws Exception {
        OrgUnit root = sim.model().orgUnitsAtLevel(1).get(0);
        Res r = get("/api/organisationUnits?filter=path:like:/" + root.id() + "/&filter=level:eq:4"
                + "&fields=id,code,name,level,path,parent%5Bid,code%5D&pageSize=500&order=id:asc");
        JsonNode units = r.body().get("organisationUnits");
        assertThat(units.size()).isEqualTo(36);
        JsonNode u = units.get(0);
        assertThat(keys(u)).containsExactlyInAnyOrder("id", "code", "name", "level", "path", "parent");
        assertThat(keys(u.get("parent"))).containsExactlyInAnyOrder("id", "code");
        assertThat(u.get("path").asText()).startsWith("/" + root.id() + "/").endsWith("/" + u.get("id").asText());
        assertThat(u.get("id").asText()).hasSize(11);
        assertThat(u.get("path").asText().split("/")).hasSize(5);

        Res byCode = get("/api/organisationUnits?filter=code:in:%5BFAC0001,FAC0002,NOPE%5D&fields=id,code,name,path");
        assertThat(byCode.body().get("organisationUnits").size()).isEqualTo(2);
        OrgUnit district = sim.model().orgUnitsAtLevel(3).get(0);
        assertThat(get("/api/organisationUnits?filter=parent.id:eq:" + district.id()).body().get("pager").get("total").asInt()).isEqualTo(4);
        assertThat(get("/api/organisationUnits?filter=parent:null").body().get("pager").get("total").asInt()).isEqualTo(1);
        assertThat(get("/api/organisationUnits?filter=parent.code:eq:" + district.code()).body().get("pager").get("total").asInt()).isEqualTo(4);
        assertThat(get("/api/organisationUnits?filter=name:ilike:COUNTY&filter=level:eq:2").body().get("pager").get("total").asInt()).isEqualTo(3);
        assertThat(get("/api/organisationUnits?filter=level:eq:1&filter=level:eq:2&rootJunction=OR").body().get("pager").get("total").asInt()).isEqualTo(4);
        assertThat(get("/api/organisationUnits?filter=code:ieq:fac0001").body().get("pager").get("total").asInt()).isEqualTo(1);
        assertThat(get("/api/organisationUnits?filter=lastUpdated:ge:2000-01-01").body().get("pager").get("total").asInt()).isEqualTo(49);
        assertThat(get("/api/organisationUnits?filter=lastUpdated:ge:2999-01-01T00:00:00.000").body().get("pager").get("total").asInt()).isEqualTo(0);

        // one unit with ancestors, default :all, children sub-resource
        Res one = get("/api/organisationUnits/" + u.get("id").asText() + "?fields=id,name,level,path,ancestors%5Bid,name,level%5D");
        JsonNode anc = one.body().get("ancestors");
        assertThat(anc.size()).isEqualTo(3);
        assertThat(anc.get(0).get("level").asInt()).isEqualTo(1);
        assertThat(keys(get("/api/organisationUnits/" + root.id()).body())).contains("id", "path", "level", "children", "code");
        assertThat(get("/api/organisationUnits/" + district.id() + "/children").body().get("organisationUnits").size()).isEqualTo(4);
        JsonNode levels = get("/api/organisationUnitLevels?fields=level,name&order=level:asc").body().get("organisationUnitLevels");
        assertThat(levels.size()).isEqualTo(4);
        assertThat(levels.get(3).get("name").asText()).isEqualTo("Facility");
        assertThat(keys(levels.get(0))).containsExactlyInAnyOrder("level", "name");
    }

    @Test
    void usersFlattenedAndLegacyMatchSampleKeys() throws Exception {
        String q = "/api/users?filter=phoneNumber:!null&fields=id,username,firstName,surname,phoneNumber,whatsApp,disabled,"
                + "organisationUnits%5Bid,code,name,path,level%5D&pageSize=200&order=id:asc";
        JsonNode users = get(q).body().get("users");
        long withPhone = sim.model().users().stream().filter(u -> u.phoneNumber() != null).count();
        assertThat(users.size()).isEqualTo((int) withPhone);
        JsonNode first = users.get(0);
        assertThat(first.has("username")).isTrue();
        assertThat(keys(first.get("organisationUnits").get(0))).containsExactlyInAnyOrder("id", "code", "name", "path", "level");
        Set<String> shapes = new HashSet<>();
        for (JsonNode u : users) shapes.add(u.get("phoneNumber").asText().replaceAll("\\d", "9"));
        assertThat(shapes).contains("9999999999", "+999999999999", "999999999999", "999-999-9999", "++999999999999",
                "9999999999/9999999999", "+999 99 999 9999", "(999) 999.9999", " ");
        assertThat(users.get(0).get("phoneNumber").asText()).isNotNull();
        assertThat(sim.model().users().stream().filter(u -> u.phoneNumber() != null && u.phoneNumber().startsWith("0")))
                .allMatch(u -> u.expectedE164().get(0).equals("+231" + u.phoneNumber().replaceAll("[^0-9]", "").substring(1, 10)));
        assertThat(get("/api/users?filter=disabled:eq:true&paging=false").body().get("users").size())
                .isEqualTo((int) sim.model().users().stream().filter(Dhis2Model.User::disabled).count());
        OrgUnit root = sim.model().orgUnitsAtLevel(1).get(0);
        assertThat(get("/api/users?filter=organisationUnits.path:like:/" + root.id() + "/&paging=false").body().get("users").size())
                .isEqualTo(sim.model().users().size());
        assertThat(get("/api/users?filter=organisationUnits.level:eq:3&paging=false").body().get("users").size())
                .isEqualTo((int) sim.model().users().stream().filter(u -> sim.model().orgUnit(u.orgUnitIds().get(0)).level() == 3).count());

        JsonNode sampleFlat = JSON.readTree(SAMPLES.resolve("dhis2core_e2e_setup_users_flattened.json").toFile()).get("users").get(0);
        String uid = sim.model().users().get(0).id();
        JsonNode flat = get("/api/users/" + uid + "?fields=:all").body();
        Set<String> expected = keys(sampleFlat);
        expected.remove("password");
        assertThat(keys(flat)).containsAll(expected);
        assertThat(keys(get("/api/users/" + uid).body())).containsAll(expected);
        JsonNode excluded = get("/api/users/" + uid + "?fields=:all,!surname,organisationUnits%5Bid,level%5D").body();
        assertThat(keys(excluded)).as("a preset, an exclusion and a nested selection together")
                .containsAll(keys(flat).stream().filter(k -> !k.equals("surname")).toList()).doesNotContain("surname");
        assertThat(keys(excluded.get("organisationUnits").get(0))).containsExactlyInAnyOrder("id", "level");
        assertThat(excluded.get("firstName")).isEqualTo(flat.get("firstName"));

        sim.userFormat(UserFormat.LEGACY);
        JsonNode sampleLegacy = JSON.readTree(SAMPLES.resolve("dhis2core_it_create_user_with_legacy_format.json").toFile()).get("users").get(0);
        JsonNode legacy = get("/api/users/" + uid + "?fields=*").body();
        assertThat(keys(legacy)).containsAll(keys(sampleLegacy)).doesNotContain("username", "disabled");
        assertThat(keys(legacy.get("userCredentials"))).containsAll(keys(sampleLegacy.get("userCredentials")));
        assertThat(legacy.get("userCredentials").get("userInfo").get("id").asText()).isEqualTo(uid);
        JsonNode listed = get("/api/users?filter=userCredentials.disabled:eq:false&fields=id,phoneNumber,userCredentials%5Busername,disabled%5D&paging=false").body().get("users");
        assertThat(listed.size()).isEqualTo(1 + (int) sim.model().users().stream().filter(u -> !u.disabled()).count());
        assertThat(keys(listed.get(0).get("userCredentials"))).containsExactlyInAnyOrder("username", "disabled");
        assertThat(get("/api/me").body().has("userCredentials")).isTrue();
    }

    @Test
    void lastUpdatedFilterSeesChangedUsers() throws Exception {
        String since = LocalDateTime.now().minusSeconds(5).format(Dhis2Model.TS);
        assertThat(get("/api/users?filter=lastUpdated:ge:" + since).body().get("pager").get("total").asInt()).isZero();
        Dhis2Model.User u = sim.model().users().get(3);
        sim.model().updateUser(u.id(), x -> x.withPhoneNumber("+231770000001", List.of("+231770000001")));
        JsonNode hits = get("/api/users?filter=lastUpdated:ge:" + since + "&fields=id,phoneNumber").body().get("users");
        assertThat(hits.size()).isEqualTo(1);
        assertThat(hits.get(0).get("phoneNumber").asText()).isEqualTo("+231770000001");
    }

    @Test
    void theSamePageQueryAfterAChangeAnswersTheChangedUsers() throws Exception {
        String q = "/api/users?filter=phoneNumber:!null&fields=id,phoneNumber&pageSize=5&order=id:asc&page=1";
        JsonNode before = get(q).body();
        int total = before.get("pager").get("total").asInt();
        String firstId = before.get("users").get(0).get("id").asText();
        assertThat(get(q).body()).isEqualTo(before);   // asked again, unchanged: the same answer

        // a user added, changed and removed between two requests of the same page (ids start with a letter: first by id)
        String id = "A0000000000";
        Dhis2Model.User template = sim.model().user(firstId);
        sim.model().putUser(new Dhis2Model.User(id, "added1", "Added", "User", null, "0770000003", null, false,
                template.orgUnitIds(), template.created(), template.lastUpdated(), List.of("+231770000003")));
        try {
            JsonNode added = get(q).body();
            assertThat(added.get("pager").get("total").asInt()).isEqualTo(total + 1);
            assertThat(added.get("users").get(0).get("id").asText()).isEqualTo(id);
            assertThat(added.get("users").get(0).get("phoneNumber").asText()).isEqualTo("0770000003");
            assertThat(added.get("users").get(1).get("id").asText()).isEqualTo(firstId);

            sim.model().updateUser(id, x -> x.withPhoneNumber("+231770000002", List.of("+231770000002")));
            assertThat(get(q).body().get("users").get(0).get("phoneNumber").asText()).isEqualTo("+231770000002");

            sim.model().updateUser(id, x -> x.withPhoneNumber(null, List.of()));   // no number: filtered out
            JsonNode filtered = get(q).body();
            assertThat(filtered.get("pager").get("total").asInt()).isEqualTo(total);
            assertThat(filtered.get("users").get(0).get("id").asText()).isEqualTo(firstId);
        } finally {
            sim.model().removeUser(id);
        }
        assertThat(get(q).body()).isEqualTo(before);
    }

    @Test
    void dataElementsAndDataSets() throws Exception {
        JsonNode des = get("/api/dataElements?filter=code:in:%5BORS,ZINC%5D&fields=id,code,name,valueType,categoryCombo%5Bid,categoryOptionCombos%5Bid,code,name%5D%5D&paging=false").body().get("dataElements");
        assertThat(des.size()).isEqualTo(2);
        assertThat(des.get(0).get("valueType").asText()).isEqualTo("INTEGER_ZERO_OR_POSITIVE");
        assertThat(des.get(0).get("categoryCombo").get("categoryOptionCombos").get(0).get("id").asText()).isEqualTo(Dhis2Model.DEFAULT_COC);
        JsonNode ds = get("/api/dataSets?filter=code:eq:STOCK&fields=id,code,name,periodType,openFuturePeriods,expiryDays,"
                + "dataSetElements%5BdataElement%5Bid,code,valueType%5D%5D,organisationUnits%5Bid,code%5D").body().get("dataSets").get(0);
        assertThat(ds.get("periodType").asText()).isEqualTo("Monthly");
        assertThat(ds.get("dataSetElements").get(0).get("dataElement").has("code")).isTrue();
        assertThat(ds.get("organisationUnits").size()).isEqualTo(sim.model().stockDataSet().orgUnitIds().size());
        assertThat(ds.get("organisationUnits").get(0).get("code").asText()).startsWith("FAC");
    }

    // ------------------------------------------------------------------ data values

    String value(String de, String pe, String ou, String value) {
        return "{\"dataElement\":\"" + de + "\",\"period\":\"" + pe + "\",\"orgUnit\":\"" + ou + "\",\"value\":" + (value == null ? "null" : "\"" + value + "\"") + "}";
    }

    String set(String... values) { return "{\"dataValues\":[" + String.join(",", values) + "]}"; }

    static final String CODES = "?dataElementIdScheme=CODE&orgUnitIdScheme=CODE";

    @Test
    void okEnvelopeMatchesSampleAndCountsImportUpdateIgnore() throws Exception {
        String pe = currentMonth();
        Res r = post(CODES, set(value("ORS", pe, "FAC0001", "40"), value("ZINC", pe, "FAC0001", "12"), value("AMOX", pe, "FAC0001", "0")));
        assertThat(r.status()).isEqualTo(200);
        JsonNode sample = JSON.readTree(SAMPLES.resolve("CONSTRUCTED_dataValueSets_200_ok.response.json").toFile());
        assertThat(keys(r.body())).isEqualTo(keys(sample));
        assertThat(keys(r.body().get("response"))).isEqualTo(keys(sample.get("response")));
        assertThat(keys(r.body().get("response").get("importCount"))).isEqualTo(keys(sample.get("response").get("importCount")));
        assertThat(r.body().get("message").asText()).isEqualTo("Import was successful.");
        assertThat(r.body().at("/response/importCount/imported").asInt()).isEqualTo(3);
        assertThat(sim.dataValues()).hasSize(3);
        String ors = sim.model().dataElementByCode("ORS").id();
        String fac = sim.model().orgUnitByCode("FAC0001").id();
        assertThat(sim.dataValue(ors, pe, fac).value()).isEqualTo("40");

        r = post(CODES, set(value("ORS", pe, "FAC0001", "40"), value("ZINC", pe, "FAC0001", "13"), value("RDT", pe, "FAC0001", "5")));
        assertThat(r.status()).isEqualTo(200);
        JsonNode c = r.body().at("/response/importCount");
        assertThat(c.get("imported").asInt()).isEqualTo(1);
        assertThat(c.get("updated").asInt()).isEqualTo(1);
        assertThat(c.get("ignored").asInt()).isEqualTo(1);
        assertThat(sim.receivedPayloads()).hasSize(2);

        // UID scheme + set-level period/orgUnit + dry run stores nothing
        String zinc = sim.model().dataElementByCode("ZINC").id();
        r = post("?dryRun=true", "{\"dataSet\":\"" + sim.model().stockDataSet().id() + "\",\"period\":\"" + pe + "\",\"orgUnit\":\"" + fac
                + "\",\"dataValues\":[{\"dataElement\":\"" + zinc + "\",\"value\":\"99\"}]}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().at("/response/importCount/updated").asInt()).isEqualTo(1);
        assertThat(sim.dataValue(zinc, pe, fac).value()).isEqualTo("13");
        // zero for a non-significant element is ignored, not stored
        r = post(CODES, set(value("PARA", pe, "FAC0001", "0")));
        assertThat(r.body().at("/response/importCount/ignored").asInt()).isEqualTo(1);
        assertThat(sim.dataValues()).hasSize(4);
    }

    @Test
    void conflictEnvelopeMatchesSampleAndStoresTheOthers() throws Exception {
        String pe = currentMonth();
        Res r = post(CODES, set(value("ORS", pe, "FAC0001", "40"), value("STOCK_UNKNOWN", pe, "FAC0001", "3"), value("ZINC", pe, "FAC_UNKNOWN", "1")));
        assertThat(r.status()).isEqualTo(409);
        JsonNode sample = JSON.readTree(SAMPLES.resolve("CONSTRUCTED_dataValueSets_409_conflicts.response.json").toFile());
        assertThat(keys(r.body())).isEqualTo(keys(sample));
        assertThat(keys(r.body().get("response"))).isEqualTo(keys(sample.get("response")));
        JsonNode conflicts = r.body().at("/response/conflicts");
        assertThat(conflicts.size()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            assertThat(keys(conflicts.get(i))).isEqualTo(keys(sample.at("/response/conflicts").get(i)));
            // exactly the sample's conflicts (same input as the CONSTRUCTED sample)
            assertThat(conflicts.get(i)).isEqualTo(sample.at("/response/conflicts").get(i));
        }
        assertThat(r.body().get("status").asText()).isEqualTo("WARNING");
        assertThat(r.body().get("message").asText()).isEqualTo(sample.get("message").asText());
        assertThat(r.body().at("/response/rejectedIndexes")).isEqualTo(sample.at("/response/rejectedIndexes"));
        assertThat(r.body().at("/response/importCount")).isEqualTo(sample.at("/response/importCount"));
        assertThat(sim.dataValues()).hasSize(1);

        // every value rejected: still WARNING (dhis2-core), nothing stored
        r = post(CODES, set(value("NOPE", pe, "FAC0001", "1"), value("NOPE", pe, "FAC0002", "1")));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.body().get("status").asText()).isEqualTo("WARNING");
        assertThat(r.body().at("/response/conflicts").size()).isEqualTo(1);
        assertThat(r.body().at("/response/conflicts/0/indexes").toString()).isEqualTo("[0,1]");
    }

    String conflictCode(Res r) {
        assertThat(r.status()).isEqualTo(409);
        return r.body().at("/response/conflicts/0/errorCode").asText();
    }

    @Test
    void eachConflictCode() throws Exception {
        String pe = currentMonth();
        assertThat(conflictCode(post(CODES, set(value("NOPE", pe, "FAC0001", "1"))))).isEqualTo("E7610");
        assertThat(conflictCode(post(CODES, set(value("ORS", pe, "NOPE", "1"))))).isEqualTo("E7612");
        assertThat(conflictCode(post(CODES, set(value("ORS", "2024M13", "FAC0001", "1"))))).isEqualTo("E7611");
        assertThat(conflictCode(post(CODES, set(value("ORS", "202413", "FAC0001", "1"))))).isEqualTo("E7611");
        assertThat(conflictCode(post(CODES, set(value("ORS", "2024W05", "FAC0001", "1"))))).isEqualTo("E7632");
        Res bad = post(CODES, set(value("ORS", pe, "FAC0001", "-3")));
        assertThat(conflictCode(bad)).isEqualTo("E7619");
        assertThat(bad.body().at("/response/conflicts/0/value").asText())
                .isEqualTo("Value must match data element's `ORS` type constraints: value_not_zero_or_positive_integer");
        assertThat(conflictCode(post(CODES, set(value("FRIDGE_TEMP", pe, "FAC0001", "abc"))))).isEqualTo("E7619");
        assertThat(conflictCode(post(CODES, set(value("ORS", pe, "FAC0001", null))))).isEqualTo("E7618");
        assertThat(conflictCode(post(CODES, set(value("ORS", pe, "FAC0001", " "))))).isEqualTo("E7618");
        // E7633 needs strictDataElements and a data set in the payload
        Res notInSet = post(CODES + "&dataSetIdScheme=CODE&strictDataElements=true",
                "{\"dataSet\":\"STOCK\",\"dataValues\":[" + value("VITA", pe, "FAC0001", "3") + "]}");
        assertThat(conflictCode(notInSet)).isEqualTo("E7633");
        // FAC0010 is not assigned to the stock data set
        assertThat(sim.model().stockDataSet().orgUnitIds()).doesNotContain(sim.model().orgUnitByCode("FAC0010").id());
        assertThat(conflictCode(post(CODES, set(value("ORS", pe, "FAC0010", "1"))))).isEqualTo("E7636");
        // set level: unknown data set / org unit abort the import with status ERROR
        Res noSet = post("?dataSetIdScheme=CODE", "{\"dataSet\":\"NOPE\",\"dataValues\":[]}");
        assertThat(conflictCode(noSet)).isEqualTo("E7600");
        assertThat(noSet.body().get("status").asText()).isEqualTo("ERROR");
        assertThat(noSet.body().get("message").asText()).isEqualTo("An error occurred, please check import summary.");
        Res noOu = post(CODES, "{\"orgUnit\":\"NOPE\",\"period\":\"" + pe + "\",\"dataValues\":[{\"dataElement\":\"ORS\",\"value\":\"1\"}]}");
        assertThat(conflictCode(noOu)).isEqualTo("E7603");
        assertThat(noOu.body().at("/response/status").asText()).isEqualTo("ERROR");
        assertThat(sim.dataValues()).isEmpty();
    }

    @Test
    void periodLocks() throws Exception {
        DataSet ds = sim.model().stockDataSet();
        LocalDate today = LocalDate.now();
        String lastMonth = Periods.shift(Periods.containing("Monthly", today), -1).iso();
        String twoBack = Periods.shift(Periods.containing("Monthly", today), -3).iso();
        String next = Periods.shift(Periods.containing("Monthly", today), 1).iso();
        // expiry: 1 day after the end of a period three months back is long past
        sim.model().putDataSet(ds.withLocks(1, 1, List.of()));
        Res expired = post(CODES, set(value("ORS", twoBack, "FAC0001", "1")));
        assertThat(conflictCode(expired)).isEqualTo("E7640");
        assertThat(expired.body().at("/response/conflicts/0/value").asText()).contains(ds.id());
        // future: openFuturePeriods 1 = only up to the current period
        assertThat(conflictCode(post(CODES, set(value("ORS", next, "FAC0001", "1"))))).isEqualTo("E7641");
        // openFuturePeriods 0 closes the current period too (DHIS2 semantics)
        sim.model().putDataSet(ds.withLocks(0, 0, List.of()));
        assertThat(conflictCode(post(CODES, set(value("ORS", currentMonth(), "FAC0001", "1"))))).isEqualTo("E7641");
        assertThat(post(CODES, set(value("ORS", lastMonth, "FAC0001", "1"))).status()).isEqualTo(200);
        // data input periods: only last month, closed yesterday
        sim.model().putDataSet(ds.withLocks(0, 1, List.of(new DataInputPeriod(lastMonth, null, LocalDateTime.now().minusDays(1)))));
        Res closed = post(CODES, set(value("ORS", lastMonth, "FAC0001", "2")));
        assertThat(conflictCode(closed)).isEqualTo("E7643");
        assertThat(conflictCode(post(CODES, set(value("ORS", currentMonth(), "FAC0001", "2"))))).isEqualTo("E7643");
    }

    @Test
    void pre238BareSummaryAndErrors() throws Exception {
        sim.version("2.37.9");
        String pe = currentMonth();
        Res r = post(CODES, set(value("ORS", pe, "FAC0001", "1"), value("NOPE", pe, "FAC0001", "1")));
        assertThat(r.status()).isEqualTo(200);
        JsonNode sample = JSON.readTree(SAMPLES.resolve("CONSTRUCTED_dataValueSets_pre238_bare-ImportSummary.response.json").toFile());
        assertThat(keys(r.body())).isEqualTo(keys(sample));
        assertThat(r.body().get("status").asText()).isEqualTo("WARNING");
        r = post(CODES, set(value("ORS", pe, "FAC0002", "1")));
        assertThat(r.body()).isNotNull();
        assertThat(r.body().get("status").asText()).isEqualTo("SUCCESS");
        sim.version("2.40.3");

        assertThat(call("POST", "/api/dataValueSets", basic, "text/plain", "x").status()).isEqualTo(415);
        Res malformed = call("POST", "/api/dataValueSets", basic, "application/json", "{\"dataValues\":[");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().get("httpStatusCode").asInt()).isEqualTo(400);
        assertThat(call("POST", "/api/dataValueSets", null, "application/json", "{}").status()).isEqualTo(401);
    }

    @Test
    void asyncImportAndExport() throws Exception {
        String pe = currentMonth();
        Res r = post(CODES + "&async=true", set(value("ORS", pe, "FAC0001", "7")));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get("message").asText()).isEqualTo("Initiated dataValueImport");
        String id = r.body().at("/response/id").asText();
        JsonNode summary = get("/api/system/taskSummaries/DATAVALUE_IMPORT/" + id).body();
        assertThat(summary.get("responseType").asText()).isEqualTo("ImportSummary");
        assertThat(summary.at("/importCount/imported").asInt()).isEqualTo(1);
        JsonNode exported = get("/api/dataValueSets?dataSet=" + sim.model().stockDataSet().id() + "&period=" + pe
                + "&orgUnit=" + sim.model().orgUnitByCode("FAC0001").id()).body();
        assertThat(exported.get("dataValues").size()).isEqualTo(1);
        assertThat(exported.at("/dataValues/0/value").asText()).isEqualTo("7");
    }

    static List<String> names(Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void generatorIsDeterministic() {
        try (Dhis2Simulator other = Dhis2Simulator.start(Dhis2Options.defaults().users(40))) {
            assertThat(other.model().orgUnits()).isEqualTo(sim.model().orgUnits().stream()
                    .map(o -> other.model().orgUnit(o.id())).toList());
            assertThat(other.model().users().get(5).phoneNumber()).isEqualTo(sim.model().users().get(5).phoneNumber());
        }
        assertThat(Files.exists(SAMPLES)).isTrue();
    }
}
