package org.mhero.merge;

import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.RegistryOverlap;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Simulator;
import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.testing.ShippedConfig;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same people in iHRIS and DHIS2 (DHIS2 writes the name family-first and the number the national way) become one
 * health worker each after both syncs, by phone and name, with the reason recorded and iHRIS's fields winning; the
 * other DHIS2 users stay separate workers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossRegistryMergeRouteTest extends CamelTestSupport {
    static IhrisSandbox ihris;
    static Dhis2Simulator dhis2;
    static TestDatabase db;
    static int overlap;

    @BeforeAll
    static void peers() {
        ihris = IhrisSandbox.start(IhrisOptions.defaults(300));
        dhis2 = Dhis2Simulator.start(Dhis2Options.defaults());
        overlap = RegistryOverlap.seed(ihris.store(), dhis2.model(), 10);
        db = new TestDatabase();
    }

    @AfterAll
    static void stop() {
        ihris.close();
        dhis2.close();
        db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(ShippedConfig.idle()
                .pid("org.mhero.ihris", Map.of("base.url", ihris.baseUrl(), "sync.enabled", "false", "sync.on.start", "false"))
                .pid("org.mhero.dhis2", Map.of("base.url", dhis2.baseUrl(), "sync.enabled", "false", "sync.on.start", "false"))
                .asMap());
        return mhero.build();
    }

    @Test
    void thePeopleInBothRegistriesBecomeOneHealthWorkerEach() {
        assertThat(overlap).isGreaterThan(10);
        template.sendBody("direct:ihris-sync.run", null);
        template.sendBody("direct:dhis2-sync.run", null);

        long dhis2Links = db.count("select count(*) from source_link where registry = 'dhis2'");
        assertThat(db.count("select count(*) from merge_decision d join source_link s on s.id = d.source_link_id "
                + "where s.registry = 'dhis2' and d.rule = 'phone_and_name'")).isEqualTo(overlap);
        assertThat(db.count("select count(*) from health_worker"))
                .isEqualTo(db.count("select count(*) from source_link where registry = 'ihris'") + dhis2Links - overlap);
        assertThat(db.count("""
                select count(*) from health_worker h
                 where exists (select 1 from source_link s where s.health_worker_id = h.id and s.registry = 'ihris')
                   and exists (select 1 from source_link s where s.health_worker_id = h.id and s.registry = 'dhis2')
                   and h.provenance->>'displayName' = 'ihris' and h.provenance->>'facility' = 'ihris'
                   and coalesce(h.provenance->>'cadre', 'ihris') = 'ihris'""")).as("iHRIS, first in trust, gives the fields").isEqualTo(overlap);
        assertThat(db.count("select count(*) from health_worker where review_reason is not null")).isZero();

        String before = db.rowVersions();
        template.sendBody("direct:ihris-sync.run", null);
        template.sendBody("direct:dhis2-sync.run", null);
        assertThat(db.rowVersions()).as("re-syncing both registries writes nothing").isEqualTo(before);
    }
}
