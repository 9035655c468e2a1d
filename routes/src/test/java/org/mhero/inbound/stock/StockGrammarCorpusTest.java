package org.mhero.inbound.stock;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A generated corpus of malformed and odd stock texts and flow results (seeded, 3,000 of each): the grammar never
 * throws, answers every text either with items or with problems (never both, never neither), keeps every quantity in
 * range, and the reply built from the problems fits three SMS.
 */
class StockGrammarCorpusTest {
    static final String[] PIECES = {"ORS", "ors", "Zinc", "ZN", "AL6", "AMOX", "XYZ", "DROP", "table", "--", ";", ",", ":", "=", ".", " ",
            "  ", "\t", "\n", "-", "+", "40", "0", "007", "-5", "4.5", "1,000", "12,34", "999999", "1000000",
            "99999999999999999999999999999999", "١٢", "４０", "ten", "😀", "'", "\"", "${header.x}", "#{1+1}", "<script>", "\u0000",
            "é", "ß", "İ", "Ω", "_", "/", "\\", "%", "&", "NULL", "\r\n"};

    final StockGrammar grammar = new StockGrammar(Map.of("ORS", "ORS", "ZINC", "ZINC", "ZN", "ZINC", "AL6", "ACT", "AMOX", "AMOX_250"), 999_999);

    @Test
    void everyGeneratedTextGetsItemsOrProblemsAndNeverAnException() {
        Random r = new Random(20261122);
        for (int i = 0; i < 3000; i++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(12);
            for (int k = 0; k < n; k++) {
                b.append(r.nextInt(8) == 0 ? String.valueOf((char) r.nextInt(0x3000)) : PIECES[r.nextInt(PIECES.length)]);
                if (r.nextBoolean()) b.append(' ');
            }
            String text = b.toString();
            StockGrammar.Parsed p = grammar.parse(text);
            assertThat(p.ok() ? !p.items().isEmpty() : !p.problems().isEmpty()).as("items xor problems for [%s]", text).isTrue();
            assertThat(p.items()).allSatisfy(it -> assertThat(it.quantity()).isBetween(0L, 999_999L));
            String reply = StockReports.fill("Stock report not sent: {problems}. Send STOCK <item> <qty>.", Map.of("problems", String.join("; ", p.problems())));
            assertThat(reply.length()).isLessThanOrEqualTo(459);
        }
    }

    @Test
    void everyGeneratedFlowResultGetsItemsOrProblemsAndNeverAnException() {
        Random r = new Random(7);
        String[] keys = {"ors", "ORS", "zinc", "zn", "al6", "confirm", "", "o r s", "amox_"};
        String[] values = {"\"40\"", "\"\"", "null", "40", "-1", "\"4.5\"", "\"forty\"", "{}", "[]", "\"1,000\"", "true", "\"999999999999\""};
        for (int i = 0; i < 3000; i++) {
            StringBuilder b = new StringBuilder();
            int shape = r.nextInt(10);
            if (shape == 0) {
                b.append(new String[] {"", "[]", "null", "{", "\"x\"", "42", "{\"ors\":"}[r.nextInt(7)]);
            } else {
                b.append('{');
                int n = r.nextInt(5);
                for (int k = 0; k < n; k++) {
                    if (k > 0) b.append(',');
                    String v = values[r.nextInt(values.length)];
                    b.append('"').append(keys[r.nextInt(keys.length)]).append("\":")
                            .append(r.nextBoolean() ? "{\"value\":" + v + ",\"category\":\"x\"}" : v);
                }
                b.append('}');
            }
            StockGrammar.Parsed p = grammar.parseResults(b.toString());
            assertThat(p.ok() ? !p.items().isEmpty() : !p.problems().isEmpty()).as("items xor problems for %s", b).isTrue();
            assertThat(p.items()).allSatisfy(it -> assertThat(it.quantity()).isBetween(0L, 999_999L));
        }
    }
}
