package org.mhero.inbound.stock;

import static org.mhero.testing.Await.await;
import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.dhis2.Dhis2Model;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Simulator;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;
import org.mhero.testing.ShippedConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stock reports end to end on real PostgreSQL with the shipped etc/ files: an SMS through the Kannel simulator's MO
 * get-url (or a RapidPro flow webhook) is stored, routed to inbound.stock, posted to the DHIS2 simulator's
 * {@code /api/dataValueSets}, and answered to the sender through the outbox (Kannel is the active channel).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InboundStockRouteTest extends CamelTestSupport {
    static final String STOCK_FLOW = "5b1d7c3e-8f2a-4d6b-9e0c-1a2b3c4d5e6f";
    static final String KANNEL_TOKEN = "change-me-kannel-inbound";
    static final String RAPIDPRO_TOKEN = "change-me-rapidpro-inbound";
    static final String ALICE = "+231770200001";    // facility: a DHIS2 org unit in the STOCK data set
    static final String BOB = "+231770200002";      // facility: a DHIS2 org unit not assigned to the data set (E7636)
    static final String CAROL = "+231770200003";    // facility: an iHRIS location mapped to a DHIS2 org unit
    static final String DAVE = "+231770200004";     // facility: an iHRIS location without a mapping
    static final String ERIN = "+231770200005";     // for the DHIS2-down test (own facility, so values do not mix)

    static TestDatabase db;
    static KannelSimulator kannel;
    static Dhis2Simulator dhis2;
    static int port;
    static String base;
    final HttpClient http = HttpClient.newHttpClient();
    static Dhis2Model.OrgUnit assigned, unassigned, mapped, erinsFacility;
    long alice, bob, carol, dave, erin;

    @BeforeAll
    static void peers() {
        db = new TestDatabase();
        port = ShippedConfig.freePort();
        base = "http://127.0.0.1:" + port;
        kannel = KannelSimulator.start(KannelOptions.defaults().moGetUrl(base + "/inbound/kannel?token=" + KANNEL_TOKEN
                + "&from=%p&to=%P&text=%a&time=%t&smsc=%i&id=%I"));
        dhis2 = Dhis2Simulator.start(Dhis2Options.defaults());
        List<Dhis2Model.OrgUnit> facilities = dhis2.model().orgUnitsAtLevel(4);
        List<String> inStock = dhis2.model().stockDataSet().orgUnitIds();
        List<Dhis2Model.OrgUnit> in = facilities.stream().filter(f -> inStock.contains(f.id())).toList();
        assigned = in.get(0);
        mapped = in.get(1);
        erinsFacility = in.get(2);
        unassigned = facilities.stream().filter(f -> !inStock.contains(f.id())).findFirst().orElseThrow();
    }

    @AfterAll
    void stop() {
        context.stop();
        kannel.close();
        dhis2.close();
        db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        Map<String, String> inbound = new HashMap<>(Map.of("route.poll.ms", "200",
                "flow." + STOCK_FLOW, "stock",
                "stock.item.BOGUS", "NOT_A_DATA_ELEMENT",
                "stock.orgunit.ihris.loc-mapped", mapped.id()));
        ShippedConfig cfg = ShippedConfig.idle()
                .pid("org.mhero.channel", Map.of("active", "kannel", "kannel.url", kannel.sendsmsUrl(), "dlr.base.url", base,
                        "dispatch.poll.ms", "50"))
                .pid("org.mhero.rapidpro", Map.of("api.url", "http://127.0.0.1:9", "rate.limit", "400/1s"))
                .pid("org.mhero.dhis2", Map.of("base.url", dhis2.baseUrl(), "sync.enabled", "false", "sync.on.start", "false"))
                .pid("org.mhero.inbound", inbound)
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "300", "redelivery.max", "8"));
        cfg.pid("org.mhero.api", Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port)));
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(cfg.asMap());
        CamelContext camel = mhero.build();
        assertThat(mhero.getProblems()).isEmpty();
        assertThat(mhero.getLoadedFlows()).contains("inbound");
        return camel;
    }

    @Override
    protected void doPostSetup() throws Exception {
        if (alice == 0) {
            alice = worker("Alice", ALICE, location("dhis2", assigned.id(), assigned.name()));
            bob = worker("Bob", BOB, location("dhis2", unassigned.id(), unassigned.name()));
            carol = worker("Carol", CAROL, location("ihris", "loc-mapped", "Mapped Clinic"));
            dave = worker("Dave", DAVE, location("ihris", "loc-unmapped", "Unmapped Clinic"));
            erin = worker("Erin", ERIN, location("dhis2", erinsFacility.id(), erinsFacility.name()));
        }
    }

    long location(String registry, String sourceId, String name) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into location (registry, source_id, name, level, path, content_hash) values (?, ?, ?, 'facility', ?, 'x')
                returning id""")) {
            ps.setString(1, registry);
            ps.setString(2, sourceId);
            ps.setString(3, name);
            ps.setString(4, "/" + sourceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    long worker(String name, String phone, long facility) throws SQLException {
        return org.mhero.testing.TestWorkers.insert(db.dataSource(), name, phone, facility);
    }

    String routeOf(String externalId) {
        List<String> r = db.strings("select status || ' ' || coalesce(route, '-') from inbound_message where external_id = '" + externalId + "'");
        return r.isEmpty() ? null : r.get(0);
    }

    String lastMoId() { return kannel.log().mos().get(kannel.log().mos().size() - 1).id(); }

    long inboundId(String externalId) { return db.count("select id from inbound_message where external_id = '" + externalId + "'"); }

    String report(String externalId, String column) {
        List<String> r = db.strings("select " + column + "::text from stock_report where inbound_id = " + inboundId(externalId));
        return r.isEmpty() ? null : r.get(0);
    }

    /** The period the report of this message counts for, as the route computes it (shipped: monthly, Africa/Monrovia). */
    String periodOf(String externalId) {
        return db.strings("select to_char(received_at at time zone 'Africa/Monrovia', 'YYYYMM') from inbound_message where external_id = '"
                + externalId + "'").get(0);
    }

    String value(String code, String period, Dhis2Model.OrgUnit ou) {
        var v = dhis2.dataValue(dhis2.model().dataElementByCode(code).id(), period, ou.id());
        return v == null ? null : v.value();
    }

    long postsFor(Dhis2Model.OrgUnit ou) {
        return dhis2.receivedPayloads().stream().filter(p -> p.contains(ou.id())).count();
    }

    @Test
    void anSmsStockReportLandsInDhis2AndIsConfirmedAndRoutingItAgainPostsNothingMore() throws Exception {
        assertThat(kannel.sendMo(ALICE, "1234", "Stock: ors=40, zinc:12.")).isEqualTo(200);
        String id = lastMoId();
        await("the report routed", () -> "done stock".equals(routeOf(id)));
        String period = periodOf(id);
        assertThat(value("ORS", period, assigned)).isEqualTo("40");
        assertThat(value("ZINC", period, assigned)).isEqualTo("12");
        assertThat(report(id, "status")).isEqualTo("imported");
        assertThat(report(id, "org_unit")).isEqualTo(assigned.id());
        assertThat(report(id, "period")).isEqualTo(period);
        assertThat(report(id, "items")).contains("\"dataElement\": \"ORS\"", "\"quantity\": 40");
        await("the confirmation reached Alice", () -> kannel.log().textsTo(ALICE).stream()
                .anyMatch(t -> t.startsWith("Stock for ") && t.contains("received: ORS 40, ZINC 12")));
        String posted = dhis2.receivedPayloads().stream().filter(p -> p.contains(assigned.id()) && p.contains("\"value\":\"40\"")).findFirst().orElseThrow();
        assertThat(posted).contains("\"dataSet\":\"STOCK\"", "\"period\":\"" + period + "\"", "\"dataElement\":\"ORS\"");
        assertThat(dhis2.calls().all().stream().filter(c -> c.path().equals("/api/dataValueSets")).findFirst().orElseThrow().query())
                .contains("dataElementIdScheme=CODE");

        // routed again (a restart in the middle of settling, or a replay): answered from the record, nothing posted again
        long posts = postsFor(assigned);
        db.count("with u as (update inbound_message set status = 'received', next_attempt_at = null where external_id = '" + id
                + "' returning 1) select count(*) from u");
        await("routed again", () -> "done stock".equals(routeOf(id))
                && db.count("select attempts from inbound_message where external_id = '" + id + "'") >= 2);
        assertThat(postsFor(assigned)).isEqualTo(posts);
        assertThat(db.count("select count(*) from stock_report where inbound_id = " + inboundId(id))).isEqualTo(1);
        assertThat(db.count("select count(*) from broadcast where origin = 'inbound:" + inboundId(id) + ":reply'")).isEqualTo(1);
    }

    @Test
    void answers409ConflictsToTheSenderNamingTheFailedItems() throws Exception {
        assertThat(kannel.sendMo(ALICE, "1234", "STK AMOX 7 BOGUS 5 RDT 9")).isEqualTo(200);
        String id = lastMoId();
        await("the report routed", () -> "done stock".equals(routeOf(id)));
        String period = periodOf(id);
        assertThat(value("AMOX", period, assigned)).as("the other values are imported").isEqualTo("7");
        assertThat(value("RDT", period, assigned)).isEqualTo("9");
        assertThat(report(id, "status")).isEqualTo("conflicts");
        assertThat(report(id, "http_status")).isEqualTo("409");
        assertThat(report(id, "conflicts")).contains("E7610", "BOGUS");
        await("the conflict reached Alice", () -> kannel.log().textsTo(ALICE).stream()
                .anyMatch(t -> t.contains("AMOX 7, RDT 9 received; NOT recorded: BOGUS 5 (unknown item)")));
    }

    @Test
    void aFacilityOutsideTheDataSetIsToldEveryItemFailedAndWhy() throws Exception {
        assertThat(kannel.sendMo(BOB, "1234", "stock ors 3 zinc 4")).isEqualTo(200);
        String id = lastMoId();
        await("the report routed", () -> "done stock".equals(routeOf(id)));
        assertThat(value("ORS", periodOf(id), unassigned)).isNull();
        await("the conflict reached Bob", () -> kannel.log().textsTo(BOB).stream().anyMatch(t -> t.contains(
                "NOT recorded: ORS 3 (not reported at your facility), ZINC 4 (not reported at your facility)")));
        assertThat(kannel.log().textsTo(BOB)).noneMatch(t -> t.contains("received;"));
    }

    @Test
    void aReportThatCannotBeReadIsAnsweredAndNothingIsPosted() throws Exception {
        int before = dhis2.receivedPayloads().size();
        assertThat(kannel.sendMo(ALICE, "1234", "STOCK ORS ten ZINC -3 XYZ 4")).isEqualTo(200);
        String id = lastMoId();
        await("the report routed", () -> "done stock".equals(routeOf(id)));
        assertThat(report(id, "status")).isEqualTo("invalid");
        await("the problems reached Alice", () -> kannel.log().textsTo(ALICE).stream().anyMatch(t -> t.startsWith(
                "Stock report not sent: ORS: 'ten' is not a number; ZINC: quantity cannot be negative (-3); XYZ: unknown item.")));
        assertThat(dhis2.receivedPayloads()).hasSize(before);
    }

    @Test
    void anIhrisFacilityPostsToItsMappedOrgUnitAndAnUnmappedOneWaitsInTheInbox() throws Exception {
        assertThat(kannel.sendMo(CAROL, "1234", "STOCK ACT 15")).isEqualTo(200);
        String mappedId = lastMoId();
        assertThat(kannel.sendMo(DAVE, "1234", "STOCK ACT 16")).isEqualTo(200);
        String unmappedId = lastMoId();
        await("both routed", () -> "done stock".equals(routeOf(mappedId)) && "inbox stock".equals(routeOf(unmappedId)));
        assertThat(value("ACT", periodOf(mappedId), mapped)).isEqualTo("15");
        assertThat(db.strings("select outcome from inbound_message where external_id = '" + unmappedId + "'").get(0))
                .contains("stock.orgunit.ihris.loc-unmapped");
        assertThat(report(unmappedId, "status")).isEqualTo("no-org-unit");
        await("Dave is told", () -> kannel.log().textsTo(DAVE).stream().anyMatch(t -> t.contains("could not be recorded yet")));
    }

    @Test
    void flowResultsMappedToStockBecomeAReport() throws Exception {
        String body = "{\"contact\":{\"uuid\":\"c-stock-1\",\"urn\":\"tel:" + ALICE + "\"},\"flow\":{\"uuid\":\"" + STOCK_FLOW + "\"},"
                + "\"run\":{\"uuid\":\"run-stock-1\"},\"results\":{\"para\":{\"value\":\"25\",\"category\":\"Has Number\"},"
                + "\"confirm\":{\"value\":\"yes\",\"category\":\"Yes\"}}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/inbound/rapidpro/webhook"))
                .header("Content-Type", "application/json").header("Authorization", "Token " + RAPIDPRO_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        await("the run routed", () -> "done stock".equals(routeOf("run-stock-1")));
        assertThat(value("PARA", periodOf("run-stock-1"), assigned)).isEqualTo("25");
        assertThat(report("run-stock-1", "origin")).isEqualTo("flow");
    }

    @Test
    void dhis2DownThenUpIsRetriedAndRecordedOnce() throws Exception {
        dhis2.faults().down(true);
        String id;
        try {
            assertThat(kannel.sendMo(ERIN, "1234", "STOCK ORS 11")).isEqualTo(200);
            id = lastMoId();
            await("a failed attempt recorded", () -> report(id, "last_error") != null
                    && db.count("select attempts from inbound_message where external_id = '" + id + "'") >= 2);
            assertThat(routeOf(id)).isIn("received -", "routing -");
            assertThat(report(id, "status")).isEqualTo("sending");
            assertThat(report(id, "last_error")).contains("HTTP 503");
            assertThat(db.strings("select outcome from inbound_message where external_id = '" + id + "'").get(0))
                    .startsWith("Dhis2Unavailable: DHIS2 answered HTTP 503");
        } finally {
            dhis2.faults().down(false);
        }
        await("routed once DHIS2 is back", () -> "done stock".equals(routeOf(id)));
        assertThat(value("ORS", periodOf(id), erinsFacility)).isEqualTo("11");
        assertThat(db.count("select count(*) from stock_report where inbound_id = " + inboundId(id))).isEqualTo(1);
        assertThat(Integer.parseInt(report(id, "attempts"))).isGreaterThanOrEqualTo(2);
        assertThat(report(id, "status")).isEqualTo("imported");
        await("one confirmation reached Erin", () -> kannel.log().textsTo(ERIN).stream().anyMatch(t -> t.contains("received: ORS 11")));
        Thread.sleep(300); // a wrong second reply would show by now
        assertThat(kannel.log().textsTo(ERIN).stream().filter(t -> t.contains("received: ORS 11")).count()).isEqualTo(1);
    }
}
