package org.mhero.inbound;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class KeywordsTest {
    static final Keywords K;

    static {
        Map<Route, Set<String>> w = new LinkedHashMap<>();
        w.put(Route.OPT_OUT, Set.of("STOP", "ARRET"));
        w.put(Route.HELP, Set.of("HELP"));
        w.put(Route.STOCK, Set.of("STOCK"));
        K = new Keywords(w);
    }

    @Test
    void matchesTheFirstWordWhateverItsCasePunctuationAndAccents() {
        assertThat(K.match("stop").orElseThrow().route()).isEqualTo(Route.OPT_OUT);
        assertThat(K.match("  Stop. ").orElseThrow().route()).isEqualTo(Route.OPT_OUT);
        assertThat(K.match("*HELP*").orElseThrow().route()).isEqualTo(Route.HELP);
        assertThat(K.match("Arrêt").orElseThrow().route()).as("accents").isEqualTo(Route.OPT_OUT);
        assertThat(K.match("STOCK: ors 40, zinc 12").orElseThrow().rest()).isEqualTo("ors 40, zinc 12");
    }

    @Test
    void aKeywordInsideAWordOrLaterInTheTextIsNotAKeyword() {
        assertThat(K.match("stopped by the clinic")).isEmpty();
        assertThat(K.match("please stop")).isEmpty();
        assertThat(K.match("")).isEmpty();
        assertThat(K.match("!!! ???")).isEmpty();
        assertThat(K.match(null)).isEmpty();
    }
}
