package org.mhero.inbound.stock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mhero.inbound.stock.StockGrammar.Item;
import org.mhero.inbound.stock.StockGrammar.Parsed;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StockGrammarTest {
    static final Map<String, String> ITEMS = new LinkedHashMap<>();
    static {
        ITEMS.put("ORS", "ORS");
        ITEMS.put("ZINC", "ZINC");
        ITEMS.put("ZN", "ZINC");       // an alias of ZINC
        ITEMS.put("AL6", "ACT");       // an item code with a digit
        ITEMS.put("AMOX", "AMOX_250");
    }
    final StockGrammar grammar = new StockGrammar(ITEMS, 999_999);

    static final List<Item> ORS_40_ZINC_12 = List.of(new Item("ORS", "ORS", 40), new Item("ZINC", "ZINC", 12));

    @ParameterizedTest
    @ValueSource(strings = {"ORS 40 ZINC 12", "ors 40 zinc 12", "  Ors   40\tZinc\n12 ", "ors=40, zinc:12", "ORS40 ZINC 12",
            "ors 40; zinc 12.", "ORS-40 ZINC-12", "ORS: 40 / ZINC: 12", "ors 40,zinc 12", "ORS_40 ZINC_12",
            "ＯＲＳ ４０ ＺＩＮＣ １２", "ors 040 zinc 0012", "ORS +40, ZINC 12!"})
    void readsItemsAndQuantitiesWhateverTheCaseSpacingAndSeparators(String text) {
        Parsed p = grammar.parse(text);
        assertThat(p.problems()).isEmpty();
        assertThat(p.items()).isEqualTo(ORS_40_ZINC_12);
    }

    @Test
    void readsItemCodesWithDigitsAliasesAndThousandsAndZero() {
        Parsed p = grammar.parse("AL6 3 zn 1,200 amox 0");
        assertThat(p.problems()).isEmpty();
        assertThat(p.items()).containsExactly(new Item("AL6", "ACT", 3), new Item("ZN", "ZINC", 1200), new Item("AMOX", "AMOX_250", 0));
        assertThat(grammar.parse("AL612").items()).containsExactly(new Item("AL6", "ACT", 12));
    }

    @Test
    void anEmptyReportIsAProblem() {
        assertThat(grammar.parse("").problems()).containsExactly("no items");
        assertThat(grammar.parse(null).problems()).containsExactly("no items");
        assertThat(grammar.parse(" .,; ").problems()).containsExactly("no items");
    }

    @Test
    void namesAnUnknownItemOnceWithoutComplainingAboutItsQuantity() {
        Parsed p = grammar.parse("ORS 40 XYZ 5 ZINC 12");
        assertThat(p.problems()).containsExactly("XYZ: unknown item");
        assertThat(p.ok()).isFalse();
    }

    @Test
    void namesAWordWhereAQuantityShouldBe() {
        assertThat(grammar.parse("ORS ten ZINC 12").problems()).containsExactly("ORS: 'ten' is not a number");
    }

    @Test
    void namesAnItemWithoutAQuantity() {
        assertThat(grammar.parse("ORS ZINC 12").problems()).containsExactly("ORS: quantity missing");
        assertThat(grammar.parse("ORS 40 ZINC").problems()).containsExactly("ZINC: quantity missing");
    }

    @Test
    void namesAQuantityWithoutAnItem() {
        assertThat(grammar.parse("40 ORS 12").problems()).containsExactly("40: a quantity without an item before it");
        assertThat(grammar.parse("ORS 40 12").problems()).containsExactly("12: a quantity without an item before it");
    }

    @Test
    void refusesNegativeFractionalAndHugeQuantities() {
        assertThat(grammar.parse("ORS -5").problems()).containsExactly("ORS: quantity cannot be negative (-5)");
        assertThat(grammar.parse("ORS=-5").problems()).containsExactly("ORS: quantity cannot be negative (-5)");
        assertThat(grammar.parse("ORS 4.5").problems()).containsExactly("ORS: 4.5 is not a whole number");
        assertThat(grammar.parse("ORS 40,12").problems()).containsExactly("ORS: 40,12 is not a whole number");
        assertThat(grammar.parse("ORS 1000000").problems()).containsExactly("ORS: 1000000 is more than the largest quantity taken (999999)");
        assertThat(grammar.parse("ORS 99999999999999999999999999999").problems())
                .containsExactly("ORS: 999999999999... is more than the largest quantity taken (999999)");
        assertThat(grammar.parse("ORS 999999").items()).containsExactly(new Item("ORS", "ORS", 999_999));
    }

    @Test
    void anItemTwiceWithDifferentQuantitiesIsAProblemAndTheSameQuantityTwiceIsTakenOnce() {
        assertThat(grammar.parse("ORS 40 ZINC 12 ors 50").problems()).containsExactly("ORS: given twice (40, 50)");
        assertThat(grammar.parse("ZINC 12 ZN 13").problems()).as("an alias of the same data element").containsExactly("ZINC: given twice (12, 13)");
        Parsed same = grammar.parse("ORS 40 ORS 40 ZINC 12");
        assertThat(same.problems()).isEmpty();
        assertThat(same.items()).isEqualTo(ORS_40_ZINC_12);
    }

    @Test
    void reportsEveryProblemOfAReport() {
        assertThat(grammar.parse("ORS -1 XYZ 3 ZINC ten AMOX").problems()).containsExactly(
                "ORS: quantity cannot be negative (-1)", "XYZ: unknown item", "ZINC: 'ten' is not a number", "AMOX: quantity missing");
    }

    @Test
    void injectionAttemptsAreJustUnknownItems() {
        Parsed p = grammar.parse("ORS 4; drop table stock_report; --");
        assertThat(p.ok()).isFalse();
        assertThat(p.problems()).contains("DROP: unknown item");
    }

    @Test
    void readsFlowResultsWhoseKeysAreItemCodes() {
        Parsed p = grammar.parseResults("""
                {"ors": {"value": "40", "category": "Has Number"}, "zinc": {"value": " 12 ", "category": "Has Number"},
                 "confirm": {"value": "yes", "category": "Yes"}}""");
        assertThat(p.problems()).isEmpty();
        assertThat(p.items()).isEqualTo(ORS_40_ZINC_12);
        assertThat(p.ignored()).containsExactly("confirm");
    }

    @Test
    void namesBadFlowResults() {
        assertThat(grammar.parseResults("{\"ors\": {\"value\": \"many\"}, \"zinc\": {\"value\": \"\"}, \"amox\": {\"value\": \"-2\"}}").problems())
                .containsExactly("ORS: 'many' is not a number", "ZINC: quantity missing", "AMOX: quantity cannot be negative (-2)");
        assertThat(grammar.parseResults("{\"confirm\": {\"value\": \"yes\"}}").problems()).containsExactly("no items");
        assertThat(grammar.parseResults("not json").problems()).containsExactly("the flow's results could not be read");
        assertThat(grammar.parseResults(null).problems()).containsExactly("the flow's results could not be read");
    }
}
