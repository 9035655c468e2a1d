package org.mhero.rapidpro;

import org.junit.jupiter.api.Test;
import org.mhero.testing.IhrisRapidProRouteTest;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pull.unknown.contacts = register} when the real HAPI sandbox iHRIS refuses the request with a 4xx (here a
 * {@code base.url} that names no FHIR endpoint, a likely misconfiguration): the contact is stored and stays flagged for
 * review with the status and the server's answer, nothing is created, and each pull tries again.
 */
class RapidProRegisterRefusedRouteTest extends IhrisRapidProRouteTest {
    @Override
    protected int practitioners() { return 10; }

    /** A {@code base.url} that names no FHIR endpoint. */
    @Override
    protected Map<String, String> ihrisSettings() { return Map.of("base.url", ihris.baseUrl() + "/Nothing"); }

    @Override
    protected Map<String, String> rapidproSettings() { return Map.of("pull.unknown.contacts", "register"); }

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
