package org.mhero.dhis2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.sandbox.dhis2.Dhis2Model;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Options.UserFormat;
import org.mhero.sandbox.dhis2.Dhis2Simulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** DHIS2 users → health workers, on the dhis2-core and docs samples (both formats) and on the simulator's users. */
class Dhis2UserMapperTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Dhis2UserMapper MAPPER = new Dhis2UserMapper(new PhoneNormalizer("LR"), Dhis2Settings.RULE_DEEPEST);
    static Dhis2Simulator sim;

    @BeforeAll
    static void start() { sim = Dhis2Simulator.start(Dhis2Options.defaults().users(120)); }

    @AfterAll
    static void stop() { sim.close(); }

    static JsonNode sample(String name) throws IOException {
        return JSON.readTree(Path.of(System.getProperty("mhero.contracts.dir", "../contracts"), "samples", "dhis2", name).toFile());
    }

    static JsonNode usersFromSimulator(UserFormat format) throws Exception {
        sim.userFormat(format);
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(sim.baseUrl() + Dhis2Api.usersUrl(1000, 1, null)
                            .replace("[", "%5B").replace("]", "%5D")))
                    .header("Authorization", "ApiToken " + Dhis2Options.DEFAULT_TOKEN).header("Accept", "application/json").build();
            HttpResponse<String> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            return JSON.readTree(res.body()).get("users");
        } finally {
            sim.userFormat(UserFormat.FLATTENED);
        }
    }

    @Test
    void mapsFlattenedUsersFromTheE2eSetup() throws IOException {
        JsonNode u = sample("dhis2core_e2e_setup_users_flattened.json").get("users").get(0);
        HealthWorkerRecord r = MAPPER.map(u);
        assertThat(r.registry()).isEqualTo("dhis2");
        assertThat(r.sourceId()).isEqualTo("PQD6wXJ2r5j");
        assertThat(r.displayName()).isEqualTo("TA Superuser");
        assertThat(r.givenNames()).isEqualTo("TA");
        assertThat(r.familyName()).isEqualTo("Superuser");
        assertThat(r.active()).isTrue();
        assertThat(r.sourceVersion()).isEqualTo("2019-04-23T09:35:15.027");
        assertThat(r.sourceUpdated()).as("zone-less: the server's wall clock").isEqualTo(Instant.parse("2019-04-23T09:35:15.027Z"));
        assertThat(r.phones()).isEmpty();
        // four units without level or path: equally deep, so the smallest id
        assertThat(r.facilitySourceId()).isEqualTo("ImspTQPwCqd");
    }

    @Test
    void readsTheOffsetTimestampShape() throws IOException {
        HealthWorkerRecord r = MAPPER.map(sample("dhis2core_it_user_new_flattened.json").get("users").get(0));
        assertThat(r.sourceUpdated()).isEqualTo(Instant.parse("2016-03-12T06:20:43.502Z"));
        assertThat(r.displayName()).isEqualTo("User AA");
        assertThat(r.facilitySourceId()).isEqualTo("inVD5SdytkT");
    }

    @Test
    void legacyUsersReadTheirCredentialsInsideUserCredentials() throws IOException {
        JsonNode users = sample("dhis2core_it_create_user_with_legacy_format.json").get("users");
        assertThat(users).hasSize(3);
        for (JsonNode u : users) {
            HealthWorkerRecord r = MAPPER.map(u);
            assertThat(r.active()).isTrue();
            assertThat(r.facilitySourceId()).isEqualTo("inVD5SdytkT");
            assertThat(r.sourceUpdated()).isNotNull();
        }
        assertThat(MAPPER.map(users.get(0)).displayName()).isEqualTo("User BB");

        // a legacy user disabled inside userCredentials is inactive; the same flag at the top level wins
        var legacy = (com.fasterxml.jackson.databind.node.ObjectNode) users.get(0).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) legacy.get("userCredentials")).put("disabled", true);
        assertThat(MAPPER.map(legacy).active()).isFalse();
        legacy.put("disabled", false);
        assertThat(MAPPER.map(legacy).active()).isTrue();
    }

    @Test
    void theDocumentedLegacyPayloadGivesItsWhatsAppNumber() throws IOException {
        HealthWorkerRecord r = MAPPER.map(sample("docs241_user_create_legacy-userCredentials.request.json"));
        assertThat(r.sourceId()).isEqualTo("Mj8balLULKp");
        assertThat(r.displayName()).isEqualTo("John Doe");
        assertThat(r.phones()).singleElement().satisfies(p -> {
            assertThat(p.e164()).isEqualTo("+15417543010");
            assertThat(p.use()).isEqualTo("whatsapp");
            assertThat(p.primary()).isTrue();
        });
        assertThat(r.facilitySourceId()).isEqualTo("Rp268JB6Ne4");
        assertThat(r.sourceUpdated()).isNull();
    }

    @Test
    void everySimulatorUserGetsTheNumbersItsPhoneTextHolds() throws Exception {
        Map<String, Dhis2Model.User> byId = new HashMap<>();
        sim.model().users().forEach(u -> byId.put(u.id(), u));
        JsonNode users = usersFromSimulator(UserFormat.FLATTENED);
        int checked = 0;
        for (JsonNode u : users) {
            Dhis2Model.User expected = byId.get(u.get("id").asText());
            if (expected == null) continue;   // the admin user has no phone and is filtered out anyway
            HealthWorkerRecord r = MAPPER.map(u);
            List<String> e164 = r.phones().stream().map(HealthWorkerRecord.Phone::e164).filter(e -> e != null).sorted().toList();
            assertThat(e164).as("%s: '%s'", expected.id(), expected.phoneNumber())
                    .isEqualTo(SimulatorNumbers.usable(SimulatorNumbers.numbers(expected)));
            long rejected = r.phones().stream().filter(p -> "INVALID_FOR_REGION".equals(p.invalidReason())).count();
            assertThat(rejected).as("kept as unusable: %s", expected.phoneNumber())
                    .isEqualTo(SimulatorNumbers.rejected(SimulatorNumbers.numbers(expected)).size());
            if (expected.phoneNumber().isBlank()) {
                assertThat(r.phones().get(0).invalidReason()).as("a blank phoneNumber is kept as EMPTY").isEqualTo("EMPTY");
            }
            assertThat(r.active()).isEqualTo(!expected.disabled());
            assertThat(r.phones().stream().filter(HealthWorkerRecord.Phone::primary).count()).isEqualTo(e164.isEmpty() ? 0 : 1);
            checked++;
        }
        assertThat(checked).isEqualTo(sim.model().users().stream().filter(u -> u.phoneNumber() != null).count());
    }

    @Test
    void bothUserFormatsGiveTheSameRecords() throws Exception {
        JsonNode flat = usersFromSimulator(UserFormat.FLATTENED);
        JsonNode legacy = usersFromSimulator(UserFormat.LEGACY);
        assertThat(legacy.get(0).has("userCredentials")).isTrue();
        assertThat(legacy.get(0).has("disabled")).isFalse();
        assertThat(legacy).hasSameSizeAs(flat);
        for (int i = 0; i < flat.size(); i++) {
            HealthWorkerRecord a = MAPPER.map(flat.get(i)), b = MAPPER.map(legacy.get(i));
            assertThat(b).isEqualTo(a);
            assertThat(b.contentHash()).isEqualTo(a.contentHash());
        }
    }

    @Test
    void theFacilityIsTheDeepestDataCaptureUnit() throws IOException {
        JsonNode u = JSON.readTree("""
                {"id":"u1","firstName":"Musu","surname":"Kollie","phoneNumber":"0770123456","lastUpdated":"2024-01-15T08:00:00.000",
                 "organisationUnits":[{"id":"Dist1","level":3,"path":"/Root/Reg/Dist1"},
                                      {"id":"zFac","level":4,"path":"/Root/Reg/Dist2/zFac"},
                                      {"id":"aFac","level":4,"path":"/Root/Reg/Dist1/aFac"}]}""");
        assertThat(MAPPER.map(u).facilitySourceId()).isEqualTo("aFac");
        JsonNode noLevel = JSON.readTree("""
                {"id":"u2","organisationUnits":[{"id":"Fac","path":"/Root/Reg/Dist/Fac"},{"id":"Dist","path":"/Root/Reg/Dist"}]}""");
        assertThat(MAPPER.map(noLevel).facilitySourceId()).as("level from the path").isEqualTo("Fac");
        assertThat(MAPPER.map(JSON.readTree("{\"id\":\"u3\"}")).facilitySourceId()).isNull();
    }

    @Test
    void whatsAppAddsOnlyAnotherNumberAndUnusableValuesAreKept() throws IOException {
        HealthWorkerRecord same = MAPPER.map(JSON.readTree("""
                {"id":"u1","phoneNumber":"0770123456","whatsApp":"+231 770 123 456"}"""));
        assertThat(same.phones()).singleElement().satisfies(p -> assertThat(p.e164()).isEqualTo("+231770123456"));

        HealthWorkerRecord other = MAPPER.map(JSON.readTree("""
                {"id":"u2","phoneNumber":"N/A","whatsApp":"0881234567"}"""));
        assertThat(other.phones()).hasSize(2);
        assertThat(other.phones().get(0)).satisfies(p -> {
            assertThat(p.e164()).isNull();
            assertThat(p.invalidReason()).isEqualTo("NOT_A_NUMBER");
            assertThat(p.primary()).isFalse();
        });
        assertThat(other.phones().get(1)).satisfies(p -> {
            assertThat(p.e164()).isEqualTo("+231881234567");
            assertThat(p.primary()).isTrue();
        });
        assertThat(other.displayName()).isNull();
        assertThat(other.active()).isTrue();
    }
}
