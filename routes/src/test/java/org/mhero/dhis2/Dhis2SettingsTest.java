package org.mhero.dhis2;

import org.junit.jupiter.api.Test;
import org.mhero.config.Pid;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.testing.ShippedConfig;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class Dhis2SettingsTest {
    static Pid shippedWith(Map<String, String> overrides) {
        return new Pid(Dhis2Settings.PID, new ShippedConfig().pid(Dhis2Settings.PID, overrides).asMap().get(Dhis2Settings.PID));
    }

    @Test
    void theShippedFileIsValidAndPointsAtTheSandbox() {
        Pid p = shippedWith(Map.of());
        Dhis2Settings s = Dhis2Settings.from(p);
        assertThat(p.problems()).isEmpty();
        assertThat(s.baseUrl()).isEqualTo("http://127.0.0.1:8092");
        assertThat(s.auth()).isEqualTo("token");
        assertThat(s.token()).isEqualTo(Dhis2Options.DEFAULT_TOKEN);
        assertThat(s.authorizationHeader()).isEqualTo("ApiToken " + Dhis2Options.DEFAULT_TOKEN);
        assertThat(s.syncEnabled()).isTrue();
        assertThat(s.cronForUri()).isEqualTo("0+0/15+*+*+*+?");
        assertThat(s.levelNames()).containsExactly(Map.entry(1, "country"), Map.entry(2, "region"), Map.entry(3, "district"),
                Map.entry(4, "facility"));
        assertThat(s.userOrgUnitRule()).isEqualTo("deepest");
        assertThat(s.toString()).doesNotContain(Dhis2Options.DEFAULT_TOKEN);
    }

    @Test
    void basicAuthBuildsTheBasicHeader() {
        Pid p = shippedWith(Map.of("auth.type", "basic", "auth.username", "admin", "auth.password", "district"));
        Dhis2Settings s = Dhis2Settings.from(p);
        assertThat(p.problems()).isEmpty();
        assertThat(s.authorizationHeader()).isEqualTo("Basic " + Base64.getEncoder().encodeToString("admin:district".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void eachBadValueNamesThePidAndItsKey() {
        Pid p = shippedWith(Map.of("base.url", "ftp://dhis2", "auth.type", "oauth", "page.size", "0",
                "sync.cron", "every five minutes", "phone.default.region", "XX", "orgunit.level.names", "country,region",
                "user.orgunit.rule", "first", "sync.on.start", "yes"));
        Dhis2Settings.from(p);
        assertThat(p.problems()).extracting(Pid.Problem::key).containsExactlyInAnyOrder("base.url", "auth.type", "page.size",
                "sync.cron", "phone.default.region", "orgunit.level.names", "user.orgunit.rule", "sync.on.start");
        assertThat(p.problems()).allSatisfy(pr -> assertThat(pr.toString()).startsWith("org.mhero.dhis2: key '"));
        assertThat(p.problems().stream().filter(pr -> pr.key().equals("sync.cron")).findFirst().orElseThrow().toString())
                .contains("every five minutes");
    }

    @Test
    void authNeedsItsSecrets() {
        Pid noToken = shippedWith(Map.of("auth.token", ""));
        Dhis2Settings.from(noToken);
        assertThat(noToken.problems()).singleElement().extracting(Pid.Problem::key).isEqualTo("auth.token");

        Pid notAPat = shippedWith(Map.of("auth.token", "abc123"));
        Dhis2Settings.from(notAPat);
        assertThat(notAPat.problems()).singleElement().satisfies(pr -> {
            assertThat(pr.key()).isEqualTo("auth.token");
            assertThat(pr.toString()).doesNotContain("abc123");
        });

        Pid basicWithoutPassword = shippedWith(Map.of("auth.type", "basic", "auth.username", "admin"));
        Dhis2Settings.from(basicWithoutPassword);
        assertThat(basicWithoutPassword.problems()).singleElement().extracting(Pid.Problem::key).isEqualTo("auth.username");
    }

    @Test
    void theBaseUrlIsTheServerNotItsApi() {
        Pid p = shippedWith(Map.of("base.url", "https://dhis2.moh.gov.lr/dhis/api"));
        Dhis2Settings.from(p);
        assertThat(p.problems()).singleElement().extracting(Pid.Problem::key).isEqualTo("base.url");
        assertThat(Dhis2Settings.from(shippedWith(Map.of("base.url", "https://dhis2.moh.gov.lr/dhis/"))).baseUrl())
                .isEqualTo("https://dhis2.moh.gov.lr/dhis");
    }

    @Test
    void levelNamesMustBeNumberedOnceEach() {
        for (String bad : new String[] {"1=country,1=region", "1=country,2=country", "0=root", "x=country", "1=Country", ""}) {
            Pid p = shippedWith(Map.of("orgunit.level.names", bad));
            Dhis2Settings.from(p);
            assertThat(p.problems()).as(bad).extracting(Pid.Problem::key).containsExactly("orgunit.level.names");
        }
        Pid six = shippedWith(Map.of("orgunit.level.names", "1=country, 2=region, 3=district, 4=subdistrict, 5=facility"));
        assertThat(Dhis2Settings.from(six).levelNames()).hasSize(5).containsEntry(5, "facility");
        assertThat(six.problems()).isEmpty();
    }

    @Test
    void aMissingKeyIsAProblemNotADefaultInCode() {
        Map<String, String> values = new HashMap<>(new ShippedConfig().pid(Dhis2Settings.PID, Map.of()).asMap().get(Dhis2Settings.PID));
        values.remove("user.orgunit.rule");
        Pid p = new Pid(Dhis2Settings.PID, values);
        Dhis2Settings.from(p);
        assertThat(p.problems()).singleElement().satisfies(pr -> assertThat(pr.toString()).contains("user.orgunit.rule", "missing"));
    }
}
