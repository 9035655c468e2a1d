package org.mhero.inbound.stock;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mhero.config.Pid;
import org.mhero.inbound.Handled;
import org.mhero.inbound.InboundMessage;
import org.mhero.inbound.InboundRouter;
import org.mhero.inbound.Route;
import org.mhero.sandbox.db.TestDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The answers DHIS2 gives that the simulator route tests do not reach (a refused token, a missing authority, a wrong URL,
 * an old server's 200 with conflicts, a timeout), read by {@link StockReports} on a real PostgreSQL with the shipped
 * {@code org.mhero.inbound} settings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StockReportsTest {
    static final String OU = "DiszpKrYNg8";
    TestDatabase db;
    StockReports reports;
    long worker;

    @BeforeAll
    void database() throws Exception {
        db = new TestDatabase();
        Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").load().migrate();
        try (Connection c = db.dataSource().getConnection()) {
            long location;
            try (PreparedStatement ps = c.prepareStatement("insert into location (registry, source_id, name, level, path, content_hash)"
                    + " values ('dhis2', ?, 'Clinic', 'facility', '/x', 'x') returning id")) {
                ps.setString(1, OU);
                try (ResultSet rs = ps.executeQuery()) { rs.next(); location = rs.getLong(1); }
            }
            try (PreparedStatement ps = c.prepareStatement("insert into health_worker (display_name, facility_id) values ('W', ?) returning id")) {
                ps.setLong(1, location);
                try (ResultSet rs = ps.executeQuery()) { rs.next(); worker = rs.getLong(1); }
            }
        }
        Pid pid = new Pid("org.mhero.inbound", StockPayloadTest.shipped());
        reports = new StockReports(StockSettings.from(pid), new StockStore(db.dataSource()), null);
        assertThat(pid.problems()).isEmpty();
    }

    @AfterAll
    void close() { db.close(); }

    InboundMessage message(String text) throws Exception {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "insert into inbound_message (source, external_id, intake, text, health_worker_id, status) values ('kannel', ?, 'get-url', ?, ?, 'routing')"
                        + " returning id, received_at")) {
            ps.setString(1, java.util.UUID.randomUUID().toString());
            ps.setString(2, text);
            ps.setLong(3, worker);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new InboundMessage(rs.getLong(1), "kannel", "x", "get-url", rs.getTimestamp(2).toInstant(), "+231770000001", null,
                        worker, text, null, null, 1, null);
            }
        }
    }

    StockReports.Step post(String rest) throws Exception {
        InboundMessage m = message("STOCK " + rest);
        StockReports.Step s = reports.prepare(m, new InboundRouter.Decision(Route.STOCK, "STOCK", rest, null, null));
        assertThat(s.post()).isTrue();
        return s;
    }

    String column(StockReports.Step s, String column) {
        return db.strings("select " + column + "::text from stock_report where inbound_id = " + s.message().id()).get(0);
    }

    @Test
    void refusedCredentialsGoToTheInboxForAnOperatorAndTheSenderIsTold() throws Exception {
        StockReports.Step s = post("ORS 4");
        Handled h = reports.answered(s, 401, "{\"httpStatusCode\":401,\"status\":\"ERROR\",\"message\":\"Unauthorized\"}");
        assertThat(h.status()).isEqualTo("inbox");
        assertThat(h.outcome()).contains("HTTP 401", "auth.* in org.mhero.dhis2");
        assertThat(h.outgoing()).singleElement().satisfies(o -> assertThat(o.text()).contains("could not be recorded yet"));
        assertThat(column(s, "status")).isEqualTo("refused");

        StockReports.Step s2 = post("ORS 5");
        Handled h2 = reports.answered(s2, 403, "{\"httpStatusCode\":403,\"status\":\"ERROR\"}");
        assertThat(h2.status()).isEqualTo("inbox");
        assertThat(h2.outcome()).contains("HTTP 403", "authority");

        Handled h3 = reports.answered(post("ORS 6"), 404, "Not found");
        assertThat(h3.status()).isEqualTo("inbox");
        assertThat(h3.outcome()).contains("HTTP 404", "base.url");
    }

    @Test
    void serverErrorsAndTimeoutsAreRetriedWithTheReasonOnTheReport() throws Exception {
        StockReports.Step s = post("ORS 7");
        assertThatThrownBy(() -> reports.answered(s, 502, "<html>bad gateway</html>")).isInstanceOf(StockReports.Dhis2Unavailable.class)
                .hasMessageContaining("HTTP 502");
        assertThat(column(s, "status")).isEqualTo("sending");
        assertThat(column(s, "last_error")).contains("HTTP 502");
        assertThatThrownBy(() -> reports.answered(s, 429, "")).isInstanceOf(StockReports.Dhis2Unavailable.class);
        assertThatThrownBy(() -> reports.unreachable(s, new java.net.SocketTimeoutException("Read timed out")))
                .isInstanceOf(StockReports.Dhis2Unavailable.class);
        assertThat(column(s, "last_error")).contains("SocketTimeoutException");

        // the next routing posts again (the outcome was never recorded), and its answer settles the same row
        StockReports.Step again = reports.prepare(s.message(), new InboundRouter.Decision(Route.STOCK, "STOCK", "ORS 7", null, null));
        assertThat(again.post()).isTrue();
        Handled h = reports.answered(again, 200, "{\"status\":\"OK\",\"response\":{\"responseType\":\"ImportSummary\",\"status\":\"SUCCESS\","
                + "\"importCount\":{\"imported\":1,\"updated\":0,\"ignored\":0,\"deleted\":0},\"conflicts\":[]}}");
        assertThat(h.status()).isEqualTo("done");
        assertThat(column(s, "status")).isEqualTo("imported");
        assertThat(column(s, "attempts")).as("502, 429, the timeout, the import").isEqualTo("4");
        assertThat(column(s, "last_error")).as("kept for the record").contains("SocketTimeoutException");
        assertThat(db.count("select count(*) from stock_report where inbound_id = " + s.message().id())).isEqualTo(1);
    }

    @Test
    void anOldServersOkWithConflictsIsAnsweredItemByItem() throws Exception {
        StockReports.Step s = post("ORS 8 ZINC 9");
        Handled h = reports.answered(s, 200, """
                {"responseType":"ImportSummary","status":"WARNING","importCount":{"imported":1,"updated":0,"ignored":1,"deleted":0},
                 "conflicts":[{"object":"ZINC","value":"Data element not found or not accessible"}],"dataSetComplete":"false"}""");
        assertThat(h.status()).isEqualTo("done");
        assertThat(h.outgoing()).singleElement().satisfies(o -> assertThat(o.text()).contains("ORS 8 received; NOT recorded: ZINC 9 (rejected by DHIS2)"));
        assertThat(column(s, "status")).isEqualTo("conflicts");
    }

    @Test
    void aSetLevelConfigurationErrorIsAnsweredAndKeptForAnOperator() throws Exception {
        StockReports.Step s = post("ORS 1");
        Handled h = reports.answered(s, 409, """
                {"httpStatusCode":409,"status":"ERROR","response":{"responseType":"ImportSummary","status":"ERROR",
                 "importCount":{"imported":0,"updated":0,"ignored":0,"deleted":0},
                 "conflicts":[{"object":"STOCK","objects":{"dataSet":"STOCK"},"value":"Data set not found or not accessible: `STOCK`","errorCode":"E7600"}]}}""");
        assertThat(h.status()).isEqualTo("inbox");
        assertThat(h.outcome()).contains("for an operator: E7600");
        assertThat(h.outgoing()).singleElement().satisfies(o -> assertThat(o.text()).contains("NOT recorded: ORS 1 (DHIS2 is not set up to take it)"));
        assertThat(db.strings("select conflicts::text from stock_report where inbound_id = " + s.message().id()).get(0)).contains("E7600");
    }

    @Test
    void aBrokenDhis2ConnectionKeepsReportsInTheInbox() throws Exception {
        Pid pid = new Pid("org.mhero.inbound", StockPayloadTest.shipped());
        StockReports off = new StockReports(StockSettings.from(pid), new StockStore(db.dataSource()), "org.mhero.dhis2: key 'base.url' is missing");
        InboundMessage m = message("STOCK ORS 1");
        StockReports.Step s = off.prepare(m, new InboundRouter.Decision(Route.STOCK, "STOCK", "ORS 1", null, null));
        assertThat(s.post()).isFalse();
        assertThat(s.handled().status()).isEqualTo("inbox");
        assertThat(s.handled().outcome()).contains("stock reports are not running", "base.url");
    }

    @Test
    void theReportAnsweredOnceIsAnsweredTheSameWayAgain() throws Exception {
        StockReports.Step s = post("ORS 12");
        Handled first = reports.answered(s, 200, "{\"status\":\"OK\",\"response\":{\"responseType\":\"ImportSummary\",\"status\":\"SUCCESS\",\"conflicts\":[]}}");
        StockReports.Step again = reports.prepare(s.message(), new InboundRouter.Decision(Route.STOCK, "STOCK", "ORS 12", null, null));
        assertThat(again.post()).isFalse();
        assertThat(again.handled()).isEqualTo(first);
    }
}
