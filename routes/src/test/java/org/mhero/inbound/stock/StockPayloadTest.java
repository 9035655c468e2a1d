package org.mhero.inbound.stock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.mhero.config.Pid;
import org.mhero.inbound.stock.StockGrammar.Item;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class StockPayloadTest {
    static final ZoneId MONROVIA = ZoneId.of("Africa/Monrovia"); // UTC+0
    static final ZoneId NAIROBI = ZoneId.of("Africa/Nairobi");   // UTC+3

    @Test
    void theMonthIsTheOneOfTheMessagesArrivalInTheConfiguredZone() {
        Instant lateOnTheLastDay = Instant.parse("2026-11-30T22:30:00Z");
        assertThat(StockPayload.period(lateOnTheLastDay, MONROVIA, "monthly", 0)).isEqualTo("202611");
        assertThat(StockPayload.period(lateOnTheLastDay, NAIROBI, "monthly", 0)).as("already December in Nairobi").isEqualTo("202612");
        assertThat(StockPayload.period(Instant.parse("2026-01-03T10:00:00Z"), MONROVIA, "monthly", -1)).isEqualTo("202512");
    }

    @Test
    void weeksAreIsoWeeksFromMondayNamedByTheWeeksYear() {
        assertThat(StockPayload.period(Instant.parse("2026-11-22T12:00:00Z"), MONROVIA, "weekly", 0)).isEqualTo("2026W47"); // a Sunday
        assertThat(StockPayload.period(Instant.parse("2026-11-23T00:30:00Z"), MONROVIA, "weekly", 0)).isEqualTo("2026W48"); // Monday
        assertThat(StockPayload.period(Instant.parse("2026-11-22T22:30:00Z"), NAIROBI, "weekly", 0)).isEqualTo("2026W48");
        assertThat(StockPayload.period(Instant.parse("2027-01-01T12:00:00Z"), MONROVIA, "weekly", 0)).as("1 Jan 2027 is in 2026's week 53")
                .isEqualTo("2026W53");
        assertThat(StockPayload.period(Instant.parse("2026-01-05T12:00:00Z"), MONROVIA, "weekly", 0)).isEqualTo("2026W2");
        assertThat(StockPayload.period(Instant.parse("2026-01-05T12:00:00Z"), MONROVIA, "weekly", -1)).isEqualTo("2026W1");
    }

    @Test
    void theBodyIsOneDataValueSetWithCodesAndStringValues() throws Exception {
        String body = StockPayload.body("STOCK", "202611", "DiszpKrYNg8", null, List.of(new Item("ORS", "ORS", 40), new Item("ZN", "ZINC", 0)));
        JsonNode set = new ObjectMapper().readTree(body);
        assertThat(set.get("dataSet").asText()).isEqualTo("STOCK");
        assertThat(set.get("period").asText()).isEqualTo("202611");
        assertThat(set.get("orgUnit").asText()).isEqualTo("DiszpKrYNg8");
        assertThat(set.get("dataValues")).hasSize(2);
        assertThat(set.get("dataValues").get(1).get("dataElement").asText()).isEqualTo("ZINC");
        assertThat(set.get("dataValues").get(1).get("value").isTextual()).isTrue();
        assertThat(set.get("dataValues").get(1).get("value").asText()).isEqualTo("0");
        assertThat(set.get("dataValues").get(0).has("categoryOptionCombo")).isFalse();

        JsonNode withCoc = new ObjectMapper().readTree(StockPayload.body(null, "2026W47", "DiszpKrYNg8", "default", List.of(new Item("ORS", "ORS", 1))));
        assertThat(withCoc.has("dataSet")).isFalse();
        assertThat(withCoc.get("dataValues").get(0).get("categoryOptionCombo").asText()).isEqualTo("default");
    }

    @Test
    void theQueryAsksForCodesAndASynchronousImport() {
        assertThat(StockPayload.query(true, false)).isEqualTo(
                "dataElementIdScheme=CODE&orgUnitIdScheme=UID&dataSetIdScheme=CODE&importStrategy=CREATE_AND_UPDATE&async=false");
        assertThat(StockPayload.query(false, true)).contains("categoryOptionComboIdScheme=CODE").doesNotContain("dataSetIdScheme");
    }

    static Map<String, String> shipped() throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(System.getProperty("mhero.etc.dir", "../etc"), "org.mhero.inbound.cfg"))) {
            p.load(r);
        }
        Map<String, String> m = new HashMap<>();
        p.forEach((k, v) -> m.put(k.toString(), v.toString()));
        return m;
    }

    @Test
    void theShippedSettingsAreValid() throws Exception {
        Pid pid = new Pid("org.mhero.inbound", shipped());
        StockSettings s = StockSettings.from(pid);
        assertThat(pid.problems()).isEmpty();
        assertThat(s.items()).containsEntry("ORS", "ORS").containsEntry("ZINC", "ZINC");
        assertThat(s.periodType()).isEqualTo("monthly");
        assertThat(s.dataSet()).isEqualTo("STOCK");
        assertThat(s.categoryOptionCombo()).isNull();
        assertThat(s.replies().received()).contains("{items}");
    }

    @Test
    void badSettingsAreNamedByKey() throws Exception {
        Map<String, String> v = shipped();
        v.put("stock.item.OR S", "ORS");
        v.put("stock.item.ors", "ORS2");
        v.put("stock.period.type", "daily");
        v.put("stock.time.zone", "Mars/Olympus");
        v.put("stock.orgunit.ihris", "DiszpKrYNg8");
        v.put("stock.orgunit.ihris.f-1", "not-a-uid");
        v.put("stock.orgunit.ihris.f-2", "DiszpKrYNg8");
        Pid pid = new Pid("org.mhero.inbound", v);
        StockSettings s = StockSettings.from(pid);
        assertThat(pid.problems()).extracting(Pid.Problem::key).containsExactlyInAnyOrder("stock.item.OR S", "stock.item.ors",
                "stock.period.type", "stock.time.zone", "stock.orgunit.ihris", "stock.orgunit.ihris.f-1");
        assertThat(s.orgUnits()).containsEntry("ihris:f-2", "DiszpKrYNg8");
    }

    @Test
    void repliesAreFilledAndCutToThreeSms() {
        assertThat(StockReports.fill("Stock for {period}: {received}NOT recorded: {failed}.", Map.of("period", "Nov 2026", "received", "", "failed", "ZINC 12 (x)")))
                .isEqualTo("Stock for Nov 2026: NOT recorded: ZINC 12 (x).");
        assertThat(StockReports.fill("{problems}", Map.of("problems", "x".repeat(600)))).hasSize(459).endsWith("...");
        assertThat(StockReports.fill(null, Map.of())).isNull();
        assertThat(StockReports.label("202611")).isEqualTo("Nov 2026");
        assertThat(StockReports.label("2026W7")).isEqualTo("week 7 of 2026");
    }
}
