package org.mhero.dhis2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.mhero.ihris.LocationHierarchy;
import org.mhero.sandbox.dhis2.Dhis2Model;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Simulator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** DHIS2 organisation units → locations, labelled by level, ancestors from the path. */
class Dhis2OrgUnitMapperTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Dhis2OrgUnitMapper MAPPER = new Dhis2OrgUnitMapper(Map.of(1, "country", 2, "region", 3, "district", 4, "facility"));

    static JsonNode sample(String name) throws IOException {
        return JSON.readTree(Path.of(System.getProperty("mhero.contracts.dir", "../contracts"), "samples", "dhis2", name).toFile());
    }

    @Test
    void aFacilityGetsItsDistrictRegionAndCountryFromItsPath() throws IOException {
        LocationHierarchy.Node n = MAPPER.map(JSON.readTree("""
                {"id":"Fac","code":"FAC0001","name":"Gbarnga Clinic 1","level":4,"path":"/Root/Reg/Dist/Fac",
                 "parent":{"id":"Dist"},"lastUpdated":"2024-01-15T08:00:00.000"}"""));
        assertThat(n).isEqualTo(new LocationHierarchy.Node("Fac", "Gbarnga Clinic 1", "facility", "Dist", "/Root/Reg/Dist/Fac",
                "Root", "Reg", "Dist", n.contentHash()));
        LocationHierarchy.Node region = MAPPER.map(JSON.readTree("""
                {"id":"Reg","name":"Bong County","level":2,"path":"/Root/Reg","parent":{"id":"Root"}}"""));
        assertThat(region.level()).isEqualTo("region");
        assertThat(region.regionId()).isEqualTo("Reg");
        assertThat(region.countryId()).isEqualTo("Root");
        assertThat(region.districtId()).isNull();
    }

    @Test
    void theHashChangesWithWhatWeStoreOnly() throws IOException {
        String a = "{\"id\":\"Fac\",\"name\":\"A\",\"level\":4,\"path\":\"/R/G/D/Fac\",\"lastUpdated\":\"2024-01-15T08:00:00.000\"}";
        String touched = a.replace("2024-01-15T08:00:00.000", "2024-02-01T08:00:00.000");
        String renamed = a.replace("\"A\"", "\"B\"");
        String moved = a.replace("/R/G/D/Fac", "/R/G/D2/Fac");
        assertThat(MAPPER.map(JSON.readTree(touched)).contentHash()).isEqualTo(MAPPER.map(JSON.readTree(a)).contentHash());
        assertThat(MAPPER.map(JSON.readTree(renamed)).contentHash()).isNotEqualTo(MAPPER.map(JSON.readTree(a)).contentHash());
        assertThat(MAPPER.map(JSON.readTree(moved)).contentHash()).isNotEqualTo(MAPPER.map(JSON.readTree(a)).contentHash());
    }

    @Test
    void levelsWithoutANameAndUnitsWithoutLevelOrPath() throws IOException {
        // the root of the legacy-format sample: a path and no level -> level 1 from the path
        JsonNode root = sample("dhis2core_it_create_user_with_legacy_format.json").get("organisationUnits").get(0);
        LocationHierarchy.Node r = MAPPER.map(root);
        assertThat(r.level()).isEqualTo("country");
        assertThat(r.countryId()).isEqualTo("inVD5SdytkT");
        assertThat(r.path()).isEqualTo("/inVD5SdytkT");
        assertThat(r.parentSourceId()).isNull();

        // metadata-import units with a parent only
        JsonNode units = sample("dhis2core_it_orgunit_create_with_persisted_parent.json").get("organisationUnits");
        LocationHierarchy.Node site = MAPPER.map(units.get(0));
        assertThat(site.sourceId()).isEqualTo("B8eJEMldsP7");
        assertThat(site.parentSourceId()).isEqualTo("bFzxXwTkSWA");
        assertThat(site.path()).isEqualTo("/bFzxXwTkSWA/B8eJEMldsP7");
        assertThat(site.level()).isEqualTo("unknown");

        LocationHierarchy.Node deep = MAPPER.map(JSON.readTree("{\"id\":\"V\",\"name\":\"Village\",\"level\":6,\"path\":\"/A/B/C/D/E/V\"}"));
        assertThat(deep.level()).isEqualTo("level-6");
        assertThat(deep.districtId()).isEqualTo("C");
        assertThat(MAPPER.map(JSON.readTree("{\"name\":\"no id\"}"))).isNull();
    }

    @Test
    void everySimulatorUnitIsPlacedInItsTree() throws Exception {
        try (Dhis2Simulator sim = Dhis2Simulator.start(Dhis2Options.defaults())) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(sim.baseUrl() + Dhis2Api.orgUnitsUrl(1000, 1)
                            .replace("[", "%5B").replace("]", "%5D")))
                    .header("Authorization", "ApiToken " + Dhis2Options.DEFAULT_TOKEN).build();
            HttpResponse<String> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode units = JSON.readTree(res.body()).get("organisationUnits");
            assertThat(units).hasSize(sim.model().orgUnits().size());
            for (JsonNode u : units) {
                LocationHierarchy.Node n = MAPPER.map(u);
                Dhis2Model.OrgUnit o = sim.model().orgUnit(n.sourceId());
                assertThat(n.name()).isEqualTo(o.name());
                assertThat(n.parentSourceId()).isEqualTo(o.parentId());
                assertThat(n.path()).isEqualTo(o.path());
                assertThat(n.level()).isEqualTo(MAPPER.levelName(o.level()));
                if (o.level() == 4) {
                    Dhis2Model.OrgUnit district = sim.model().orgUnit(o.parentId());
                    assertThat(n.districtId()).isEqualTo(district.id());
                    assertThat(n.regionId()).isEqualTo(district.parentId());
                    assertThat(n.countryId()).isEqualTo(sim.model().orgUnitsAtLevel(1).get(0).id());
                }
            }
        }
    }
}
