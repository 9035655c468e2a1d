package org.mhero.phone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PhoneNormalizerTest {
    private final PhoneNormalizer liberia = new PhoneNormalizer("LR");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "+231770123456      | +231770123456",
            "0770123456         | +231770123456",
            "231770123456       | +231770123456",
            "077-012-3456       | +231770123456",
            "(077) 012 3456     | +231770123456",
            "077.012.3456       | +231770123456",
            "++231770123456     | +231770123456",
            "00231 88 123 4567  | +231881234567",
            "' 0881234567 '     | +231881234567",
    })
    void normalisesTheMessyShapesOfOneNumberToE164(String raw, String e164) {
        List<PhoneResult> r = liberia.normalize(raw);
        assertThat(r).singleElement().satisfies(p -> {
            assertThat(p.e164()).isEqualTo(e164);
            assertThat(p.reason()).isNull();
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "0770123456/0881234567",
            "0770123456, 0881234567",
            "0770123456 or 0881234567",
            "0770123456; +231881234567",
    })
    void splitsSeveralNumbersInOneValueInsteadOfGluingThem(String raw) {
        assertThat(liberia.normalize(raw)).extracting(PhoneResult::e164)
                .containsExactly("+231770123456", "+231881234567");
    }

    @ParameterizedTest(name = "{0} is unusable: {1}")
    @CsvSource(delimiter = '|', value = {
            "12345      | TOO_SHORT",
            "N/A        | NOT_A_NUMBER",
            "n/a or none | NOT_A_NUMBER",
            "call me    | NOT_A_NUMBER",
            "0123456789 | INVALID_FOR_REGION",
    })
    void keepsAnUnusableNumberWithItsReason(String raw, PhoneResult.Reason reason) {
        List<PhoneResult> r = liberia.normalize(raw);
        assertThat(r).isNotEmpty();
        assertThat(r).allSatisfy(p -> assertThat(p.isValid()).isFalse());
        assertThat(r.get(0).reason()).isEqualTo(reason);
    }

    @Test
    void aValueTakenAsOneNumberWithoutTheSplitPatternIsOneThatThePatternWouldNotSplit() {
        for (String v : List.of("0770123456", "+231 77 012 3456", "(077) 012-3456", "077.012.3456", "++231770123456", "12",
                "0770123456 0881234567", "+")) {
            assertThat(PhoneNormalizer.oneNumber(v)).as(v).isTrue();
            assertThat(PhoneNormalizer.SPLIT.split(v)).as(v).containsExactly(v);
        }
        for (String v : List.of("0770123456/0881234567", "0770123456, 0881234567", "0770123456 or 0881234567", "N/A",
                "0770123456;0881234567", "call 0770123456", "0770\t123456")) {
            assertThat(PhoneNormalizer.oneNumber(v)).as(v).isFalse();
        }
    }

    @Test
    void blankValueIsReportedAsEmpty() {
        assertThat(liberia.normalize("  ")).singleElement().extracting(PhoneResult::reason).isEqualTo(PhoneResult.Reason.EMPTY);
        assertThat(liberia.normalize(null)).singleElement().extracting(PhoneResult::reason).isEqualTo(PhoneResult.Reason.EMPTY);
    }

    @Test
    void aForeignNumberWithPlusIsKeptInItsOwnCountry() {
        assertThat(liberia.normalize("+256 700 123456")).singleElement().extracting(PhoneResult::e164).isEqualTo("+256700123456");
    }

    @Test
    void anotherCountrysCodeWithoutPlusIsNotGuessed() {
        // 256… without '+' is not Liberia's code: it is read as a Liberian national number and fails validation
        assertThat(liberia.normalize("256700123456")).singleElement().extracting(PhoneResult::isValid).isEqualTo(false);
    }

    @Test
    void unknownRegionIsRefused() {
        assertThatThrownBy(() -> new PhoneNormalizer("XX")).hasMessageContaining("XX");
    }

    @Test
    void masksNumbersForDebugLogs() {
        assertThat(PhoneNormalizer.mask("+231770123456")).isEqualTo("+231*******56").doesNotContain("770123");
    }
}
