package org.mhero.csv;

import org.junit.jupiter.api.Test;
import org.mhero.config.Pid;
import org.mhero.testing.ShippedConfig;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CsvSettingsTest {
    static Pid shippedWith(Map<String, String> overrides) {
        return new Pid(CsvSettings.PID, new ShippedConfig().pid(CsvSettings.PID, overrides).asMap().get(CsvSettings.PID));
    }

    @Test
    void theShippedFileIsValidOnceKarafHasExpandedTheDataDirectory() {
        Pid p = shippedWith(Map.of("import.directory", "/opt/karaf/data/mhero/csv"));
        CsvSettings s = CsvSettings.from(p);
        assertThat(p.problems()).isEmpty();
        assertThat(s.enabled()).isTrue();
        assertThat(s.charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(s.delimiter()).isEqualTo(',');
        assertThat(s.phoneRegion()).isEqualTo("LR");
        assertThat(s.columns()).containsEntry("id", "Employee Code").containsEntry("phone", "Phone")
                .containsEntry("region", "County").doesNotContainKey("employee.number");
    }

    @Test
    void theShippedDirectoryIsKarafsDataDirectoryWhichOnlyKarafExpands() {
        Pid p = shippedWith(Map.of());
        CsvSettings.from(p);
        assertThat(p.values().get("import.directory")).isEqualTo("${karaf.data}/mhero/csv");
        assertThat(p.problems()).extracting(Pid.Problem::key).containsExactly("import.directory");
        assertThat(p.problems().get(0).toString()).contains("placeholder");

        Pid idle = shippedWith(Map.of("import.enabled", "false"));
        CsvSettings.from(idle);
        assertThat(idle.problems()).as("an idle flow never watches the directory").isEmpty();
    }

    @Test
    void delimitersAreCommaSemicolonOrTab() {
        assertThat(CsvSettings.from(shippedWith(Map.of("import.directory", "/x", "delimiter", ";"))).delimiter()).isEqualTo(';');
        CsvSettings tab = CsvSettings.from(shippedWith(Map.of("import.directory", "/x", "delimiter", "tab")));
        assertThat(tab.delimiter()).isEqualTo('\t');
        assertThat(tab.delimiterName()).isEqualTo("tab");
        assertThat(CsvSettings.from(shippedWith(Map.of("import.directory", "/x", "charset", "windows-1252"))).charset().name())
                .isEqualTo("windows-1252");
    }

    @Test
    void eachBadValueNamesThePidAndItsKey() {
        Pid p = shippedWith(Map.of("import.directory", "", "import.enabled", "yes", "import.poll.ms", "10",
                "charset", "UTF-9", "delimiter", "|", "phone.default.region", "XX", "column.id", "",
                "column.phone.number", "Phone"));
        CsvSettings.from(p);
        assertThat(p.problems()).extracting(Pid.Problem::key).containsExactlyInAnyOrder("import.directory",
                "import.enabled", "import.poll.ms", "charset", "delimiter", "phone.default.region", "column.id",
                "column.phone.number");
        assertThat(p.problems()).allSatisfy(pr -> assertThat(pr.toString()).startsWith("org.mhero.csv: key '"));
    }

    @Test
    void aMappingWithoutAnyNameColumnIsAProblem() {
        Pid p = shippedWith(Map.of("import.directory", "/x", "column.given", "", "column.family", "", "column.name", ""));
        CsvSettings.from(p);
        assertThat(p.problems()).extracting(Pid.Problem::key).containsExactly("column.name");
    }

    @Test
    void aMissingKeyIsAProblem() {
        Map<String, String> values = new HashMap<>(new ShippedConfig().pid(CsvSettings.PID, Map.of()).asMap().get(CsvSettings.PID));
        values.remove("charset");
        values.put("import.directory", "/x");
        Pid p = new Pid(CsvSettings.PID, values);
        CsvSettings.from(p);
        assertThat(p.problems()).extracting(Pid.Problem::toString).containsExactly("org.mhero.csv: key 'charset' is missing");
    }

    @Test
    void theReadingFingerprintChangesWithTheMappingOnly() {
        String base = CsvSettings.from(shippedWith(Map.of("import.directory", "/x"))).readingFingerprint();
        assertThat(CsvSettings.from(shippedWith(Map.of("import.directory", "/elsewhere", "import.poll.ms", "500"))).readingFingerprint())
                .isEqualTo(base);
        assertThat(CsvSettings.from(shippedWith(Map.of("import.directory", "/x", "column.phone", "Mobile"))).readingFingerprint())
                .isNotEqualTo(base);
        assertThat(CsvSettings.from(shippedWith(Map.of("import.directory", "/x", "delimiter", ";"))).readingFingerprint())
                .isNotEqualTo(base);
    }
}
