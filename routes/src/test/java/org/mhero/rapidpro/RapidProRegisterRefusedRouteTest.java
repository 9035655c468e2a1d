package org.mhero.rapidpro;

import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.testing.ShippedConfig;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pull.unknown.contacts = register} when the real HAPI sandbox iHRIS refuses the request with a 4xx (here a
 * {@code base.url} that names no FHIR endpoint, a likely misconfiguration): the contact is stored and stays flagged for
 * review with the status and the server's answer, nothing is created, and each pull tries again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RapidProRegisterRefusedRouteTest extends CamelTestSupport {
    static IhrisSandbox ihris;
    static RapidProSimulator rapidpro;
    static TestDatabase db;

    @BeforeAll
    static void peers() {
        ihris = IhrisSandbox.start(IhrisOptions.defaults(10));
        rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit("200/1s"));
        db = new TestDatabase();
    }

    @AfterAll
    static void stop() {
        ihris.close();
        rapidpro.close();
        db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(ShippedConfig.idle()
                .pid("org.mhero.ihris", Map.of("base.url", ihris.baseUrl() + "/Nothing"))
                .pid("org.mhero.rapidpro", Map.of("api.url", rapidpro.baseUrl(), "api.token", rapidpro.token(),
                        "rate.limit", "150/1s", "pull.unknown.contacts", "register"))
                .asMap());
        return mhero.build();
    }

    @Test
    void aContactIhrisRefusesStaysFlaggedWithTheStatusAndNothingIsCreated() {
        int practitioners = ihris.store().practitionerCount();
        String first = rapidpro.createContact("Korpo Dolo", "tel:+231770999777");
        String second = rapidpro.createContact("Varney Zinnah", "tel:+231770999888");
        template.sendBody("direct:rapidpro-contacts.pull", null);

        for (String uuid : new String[] {first, second}) {
            long worker = db.count("select health_worker_id from source_link where registry = 'rapidpro' and source_id = '" + uuid + "'");
            assertThat(worker).as("the contact is stored, not lost").isPositive();
            assertThat(db.count("select count(*) from source_link where registry = 'ihris' and health_worker_id = " + worker)).isZero();
            String reason = db.strings("select review_reason from health_worker where id = " + worker).get(0);
            assertThat(reason).startsWith(ContactStore.NOT_REGISTERED + "HTTP 4").doesNotContain("not tried")
                    .doesNotContain("770999");
        }
        assertThat(ihris.store().practitionerCount()).isEqualTo(practitioners);
        long calls = ihris.calls().count(c -> c.path().contains("/Nothing/"));
        assertThat(calls).as("a refusal is about that contact: the next one is still tried").isGreaterThanOrEqualTo(2);

        template.sendBody("direct:rapidpro-contacts.pull", null);
        assertThat(ihris.calls().count(c -> c.path().contains("/Nothing/"))).as("tried again at the next pull").isGreaterThan(calls);
        assertThat(db.count("select count(*) from health_worker where review_reason like 'created in RapidPro; not registered%'")).isEqualTo(2);
    }
}
