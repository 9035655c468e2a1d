package org.mhero.config;

import org.junit.jupiter.api.Test;
import org.mhero.testing.ShippedConfig;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IhrisSettingsTest {
    static Pid shippedWith(Map<String, String> overrides) {
        return new Pid(IhrisSettings.PID, new ShippedConfig().pid(IhrisSettings.PID, overrides).asMap().get(IhrisSettings.PID));
    }

    @Test
    void theShippedFileIsValid() {
        Pid p = shippedWith(Map.of());
        IhrisSettings s = IhrisSettings.from(p);
        assertThat(p.problems()).isEmpty();
        assertThat(s.syncCron()).isEqualTo("0 0/15 * * * ?");
        assertThat(s.cronForUri()).isEqualTo("0+0/15+*+*+*+?");
        assertThat(s.pageSize()).isEqualTo(200);
        assertThat(s.jurisdictionLevels()).contains("country", "region", "district");
    }

    @Test
    void aBadCronNamesThePidTheKeyAndTheValue() {
        Pid p = shippedWith(Map.of("sync.cron", "every five minutes"));
        IhrisSettings.from(p);
        assertThat(p.problems()).singleElement().satisfies(pr -> {
            assertThat(pr.pid()).isEqualTo("org.mhero.ihris");
            assertThat(pr.key()).isEqualTo("sync.cron");
            assertThat(pr.toString()).contains("org.mhero.ihris", "sync.cron", "every five minutes");
        });
    }

    @Test
    void aBadUrlIsReportedWithItsKey() {
        for (String bad : new String[] {"not a url", "ftp://ihris/fhir", "http://", "ihris.example.org/fhir"}) {
            Pid p = shippedWith(Map.of("base.url", bad));
            IhrisSettings.from(p);
            assertThat(p.problems()).as(bad).singleElement().extracting(Pid.Problem::key).isEqualTo("base.url");
        }
    }

    @Test
    void otherBadValuesAreEachReported() {
        Pid p = shippedWith(Map.of("page.size", "lots", "sync.enabled", "yes", "phone.default.region", "XX",
                "auth.type", "bearer"));
        IhrisSettings.from(p);
        assertThat(p.problems()).extracting(Pid.Problem::key)
                .containsExactlyInAnyOrder("page.size", "sync.enabled", "phone.default.region", "auth.token");
    }

    @Test
    void aMissingKeyIsAProblemNotADefaultInCode() {
        Map<String, String> values = new java.util.HashMap<>(new ShippedConfig().pid(IhrisSettings.PID, Map.of()).asMap().get(IhrisSettings.PID));
        values.remove("sync.cron");
        Pid p = new Pid(IhrisSettings.PID, values);
        IhrisSettings.from(p);
        assertThat(p.problems()).singleElement().satisfies(pr -> assertThat(pr.toString()).contains("sync.cron", "missing"));
    }

    @Test
    void trailingSlashIsTrimmedFromTheBaseUrl() {
        assertThat(IhrisSettings.from(shippedWith(Map.of("base.url", "https://ihris.example.org/fhir/"))).baseUrl())
                .isEqualTo("https://ihris.example.org/fhir");
    }
}
