package org.mhero.broadcast;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextSplitterTest {
    @Test
    void splitsAtSpacesIntoPartsNoLongerThanTheLimit() {
        String text = "Report your ORS and zinc stock every Monday before noon to the district pharmacist please";
        var parts = TextSplitter.split(text, 30);
        assertThat(parts).allMatch(p -> p.length() <= 30 && !p.startsWith(" ") && !p.endsWith(" "));
        assertThat(String.join(" ", parts)).isEqualTo(text);
    }

    @Test
    void cutsAWordLongerThanAMessage() {
        assertThat(TextSplitter.split("abcdefghij", 4)).containsExactly("abcd", "efgh", "ij");
        assertThat(TextSplitter.split("short", 160)).containsExactly("short");
    }
}
