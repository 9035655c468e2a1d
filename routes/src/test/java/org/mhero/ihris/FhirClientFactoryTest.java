package org.mhero.ihris;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mhero.config.IhrisSettings;
import org.mhero.config.Pid;
import org.mhero.sandbox.core.RecordedCall;
import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.testing.ShippedConfig;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The configured authentication and the no-cache header reach a real FHIR server. */
class FhirClientFactoryTest {
    static IhrisSandbox ihris;

    @BeforeAll
    static void start() { ihris = IhrisSandbox.start(IhrisOptions.defaults(10)); }

    @AfterAll
    static void stop() { ihris.close(); }

    @ParameterizedTest(name = "auth.type = {0}")
    @CsvSource(delimiter = '|', value = {
            "none   | ",
            "basic  | Basic bWhlcm86czNjcmV0",
            "bearer | Bearer tok-123",
    })
    void sendsTheConfiguredAuthorizationAndNoCache(String type, String expected) {
        Map<String, String> values = new ShippedConfig().pid(IhrisSettings.PID, Map.of("base.url", ihris.baseUrl(),
                "auth.type", type, "auth.username", "mhero", "auth.password", "s3cret", "auth.token", "tok-123"))
                .asMap().get(IhrisSettings.PID);
        Pid pid = new Pid(IhrisSettings.PID, values);
        IGenericClient client = FhirClientFactory.create(IhrisSettings.from(pid));
        assertThat(pid.problems()).isEmpty();
        ihris.calls().clear();
        Bundle b = client.search().byUrl("Practitioner?_count=2").returnBundle(Bundle.class).execute();
        assertThat(b.getEntry()).hasSize(2);
        List<RecordedCall> calls = ihris.calls().all();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).header("Authorization")).isEqualTo(expected == null || expected.isBlank() ? null : expected);
        assertThat(calls.get(0).header("Cache-Control")).isEqualTo("no-cache");
        if ("basic".equals(type)) assertThat(new String(Base64.getDecoder().decode("bWhlcm86czNjcmV0"))).isEqualTo("mhero:s3cret");
    }
}
