package org.mhero.inbound.stock;

import org.junit.jupiter.api.Test;
import org.mhero.inbound.stock.ImportAnswer.ItemResult;
import org.mhero.inbound.stock.StockGrammar.Item;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ImportAnswerTest {
    static final List<Item> THREE = List.of(new Item("ORS", "ORS", 40), new Item("XYZ", "STOCK_UNKNOWN", 3), new Item("ZINC", "ZINC", 12));

    static String sample(String name) throws IOException {
        try (InputStream in = ImportAnswerTest.class.getResourceAsStream("/dhis2/" + name + ".response.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsTheWebMessageOf238AndLaterWithItsImportSummary() throws IOException {
        ImportAnswer ok = ImportAnswer.parse(sample("CONSTRUCTED_dataValueSets_200_ok"));
        assertThat(ok).isNotNull();
        assertThat(ok.bare()).isFalse();
        assertThat(ok.status()).isEqualTo("SUCCESS");
        assertThat(ok.counts()).containsEntry("imported", 3);
        assertThat(ok.clean()).isTrue();
    }

    @Test
    void readsTheBareImportSummaryOfOlderServers() throws IOException {
        ImportAnswer bare = ImportAnswer.parse(sample("CONSTRUCTED_dataValueSets_pre238_bare-ImportSummary"));
        assertThat(bare).isNotNull();
        assertThat(bare.bare()).isTrue();
        assertThat(bare.clean()).isTrue();
        assertThat(bare.counts()).containsEntry("imported", 3);
    }

    @Test
    void mapsConflictIndexesBackToTheItemsWithReasonsForTheSender() throws IOException {
        ImportAnswer a = ImportAnswer.parse(sample("CONSTRUCTED_dataValueSets_409_conflicts"));
        assertThat(a.clean()).isFalse();
        ImportAnswer.Judgement j = a.judge(THREE);
        assertThat(j.items()).extracting(ItemResult::failed).containsExactly(false, true, true);
        assertThat(j.failed()).extracting(ItemResult::errorCode).containsExactly("E7610", "E7612");
        assertThat(j.failed()).extracting(ItemResult::reason).containsExactly("unknown item", "your facility is not known in DHIS2");
        assertThat(j.operatorProblems()).as("an org unit DHIS2 does not know is mHero's mapping: an operator's matter")
                .containsExactly("E7612 Organisation unit not found or not accessible: `FAC_UNKNOWN`");
    }

    @Test
    void aWebMessageWithoutASummaryIsNoImportAnswer() throws IOException {
        assertThat(ImportAnswer.parse(sample("docs241_webMessage_403"))).isNull();
        assertThat(ImportAnswer.parse("<html>Bad gateway</html>")).isNull();
        assertThat(ImportAnswer.parse("")).isNull();
        assertThat(ImportAnswer.parse(null)).isNull();
    }

    @Test
    void oldServersNameTheItemByObjectWhenThereAreNoIndexes() {
        String body = """
                {"responseType":"ImportSummary","status":"WARNING","importCount":{"imported":2,"updated":0,"ignored":1,"deleted":0},
                 "conflicts":[{"object":"STOCK_UNKNOWN","value":"Data element not found or not accessible"}]}""";
        ImportAnswer.Judgement j = ImportAnswer.parse(body).judge(THREE);
        assertThat(j.failed()).extracting(r -> r.item().item()).containsExactly("XYZ");
        assertThat(j.failed().get(0).reason()).isEqualTo("rejected by DHIS2");
        assertThat(j.operatorProblems()).isEmpty();
    }

    @Test
    void aSetLevelErrorFailsEveryItemAndIsForAnOperator() {
        String body = """
                {"httpStatus":"Conflict","httpStatusCode":409,"status":"ERROR","message":"An error occurred, please check import summary.",
                 "response":{"responseType":"ImportSummary","status":"ERROR","importCount":{"imported":0,"updated":0,"ignored":0,"deleted":0},
                 "conflicts":[{"object":"STOCKX","objects":{"dataSet":"STOCKX"},"value":"Data set not found or not accessible: `STOCKX`","errorCode":"E7600","property":"dataSet"}]}}""";
        ImportAnswer.Judgement j = ImportAnswer.parse(body).judge(THREE);
        assertThat(j.failed()).hasSize(3).allSatisfy(r -> assertThat(r.reason()).isEqualTo("DHIS2 is not set up to take it"));
        assertThat(j.operatorProblems()).containsExactly("E7600 Data set not found or not accessible: `STOCKX`");
    }

    @Test
    void rejectedIndexesWithoutAConflictStillFailTheirItem() {
        String body = """
                {"status":"WARNING","response":{"responseType":"ImportSummary","status":"WARNING","importCount":{"imported":2},
                 "conflicts":[],"rejectedIndexes":[2]}}""";
        ImportAnswer.Judgement j = ImportAnswer.parse(body).judge(THREE);
        assertThat(j.failed()).extracting(r -> r.item().item()).containsExactly("ZINC");
    }

    @Test
    void ignoredIsNotFailed() {
        String body = """
                {"status":"OK","response":{"responseType":"ImportSummary","status":"SUCCESS","importCount":{"imported":0,"updated":0,"ignored":3,"deleted":0},
                 "conflicts":[],"rejectedIndexes":[]}}""";
        assertThat(ImportAnswer.parse(body).clean()).isTrue();
    }

    @Test
    void everyAnswerableCodeHasAnSmsReason() {
        assertThat(ImportAnswer.reason("E7636")).isEqualTo("not reported at your facility");
        assertThat(ImportAnswer.reason("E7640")).isEqualTo("the period is closed");
        assertThat(ImportAnswer.reason("E7643")).isEqualTo("the period is closed");
        assertThat(ImportAnswer.reason("E7641")).isEqualTo("the period is in the future");
        assertThat(ImportAnswer.reason("E7619")).isEqualTo("quantity must be a whole number");
        assertThat(ImportAnswer.reason("E7633")).isEqualTo("not part of this report");
        assertThat(ImportAnswer.reason("E7699")).isEqualTo("rejected by DHIS2 (E7699)");
        assertThat(ImportAnswer.reason(null)).isEqualTo("rejected by DHIS2");
    }
}
