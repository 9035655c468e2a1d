package org.mhero.testing;

import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;

import java.util.HashMap;
import java.util.Map;

/**
 * Route tests of mHero against the real HAPI FHIR sandbox iHRIS and the RapidPro simulator, each test class with its
 * own peers and database: started before the class's first test, closed after its last. mHero runs with the shipped
 * configuration with nothing scheduled ({@link ShippedConfig#idle}), iHRIS and RapidPro pointed at the peers (mHero's
 * RapidPro budget 150/s, under the simulator's 200/s unless a class says otherwise) and a 10 ms redelivery delay. A class
 * says how many practitioners iHRIS holds and, where it needs to, changes the RapidPro simulator, the keys of those two
 * PIDs, or anything else in {@link #configuration}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class IhrisRapidProRouteTest extends CamelTestSupport {
    protected static IhrisSandbox ihris;
    protected static RapidProSimulator rapidpro;
    protected static TestDatabase db;

    /** How many practitioners the sandbox iHRIS is seeded with. */
    protected abstract int practitioners();

    /** The RapidPro simulator of this class (default: a 200/s rate limit). */
    protected RapidProOptions rapidproOptions() {
        return RapidProOptions.defaults().rateLimit("200/1s");
    }

    /** Keys of {@code org.mhero.ihris} besides {@code base.url} = the sandbox (which a class may override too). */
    protected Map<String, String> ihrisSettings() {
        return Map.of();
    }

    /** Keys of {@code org.mhero.rapidpro} besides the simulator's address and token and a 150/s budget. */
    protected Map<String, String> rapidproSettings() {
        return Map.of();
    }

    /** Called once the peers run, before mHero starts: for faults or data a class sets up in a peer. */
    protected void peersStarted() {}

    /** The configuration mHero starts with; override to change other PIDs (call this one first). */
    protected ShippedConfig configuration() {
        Map<String, String> ih = new HashMap<>(Map.of("base.url", ihris.baseUrl()));
        ih.putAll(ihrisSettings());
        Map<String, String> rp = new HashMap<>(Map.of("api.url", rapidpro.baseUrl(), "api.token", rapidpro.token(), "rate.limit", "150/1s"));
        rp.putAll(rapidproSettings());
        return ShippedConfig.idle()
                .pid("org.mhero.ihris", ih)
                .pid("org.mhero.rapidpro", rp)
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "10"));
    }

    @BeforeAll
    void startPeers() {
        ihris = IhrisSandbox.start(IhrisOptions.defaults(practitioners()));
        rapidpro = RapidProSimulator.start(rapidproOptions());
        db = new TestDatabase();
        peersStarted();
    }

    /** mHero first (it would go on polling the peers and the database), then the peers; a failed start closes what started. */
    @AfterAll
    void stopPeers() {
        if (context != null) context.stop();
        if (ihris != null) ihris.close();
        if (rapidpro != null) rapidpro.close();
        if (db != null) db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(configuration().asMap());
        return mhero.build();
    }
}
