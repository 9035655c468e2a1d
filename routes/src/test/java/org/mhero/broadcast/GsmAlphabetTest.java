package org.mhero.broadcast;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GsmAlphabetTest {
    @Test
    void plainAndAccentedLatinTextIsGsm() {
        assertThat(GsmAlphabet.isGsm7("Ebola IPC refresher Friday 9:00 @ Phebe, bring PPE! (50% attendance) £5")).isTrue();
        assertThat(GsmAlphabet.isGsm7("Réunion à Gbarnga: élèves {x} [y] ~ € ^ |")).isTrue();
        assertThat(GsmAlphabet.isGsm7("line one\nline two")).isTrue();
    }

    @Test
    void otherScriptsAndEmojiAreNot() {
        assertThat(GsmAlphabet.isGsm7("Ŋ is a Vai/Kpelle letter")).isFalse();
        assertThat(GsmAlphabet.isGsm7("مرحبا")).isFalse();
        assertThat(GsmAlphabet.isGsm7("thanks 👍")).isFalse();
        assertThat(GsmAlphabet.isGsm7("ç lower-case cedilla")).isFalse(); // only Ç is in the table
    }
}
