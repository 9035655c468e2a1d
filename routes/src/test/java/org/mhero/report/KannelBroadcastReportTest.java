package org.mhero.report;

import static org.mhero.testing.Await.await;
import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mhero.boot.MheroContext;
import org.mhero.broadcast.BroadcastRequest;
import org.mhero.broadcast.BroadcastService;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;
import org.mhero.testing.ShippedConfig;
import org.mhero.testing.TestWorkers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report of a text broadcast through Kannel, on real PostgreSQL: reached comes from Kannel's delivery reports,
 * responded from the workers' replies within the response window (not before the broadcast, not after the window),
 * skipped and failed recipients are targeted but not reached; the breakdown by cadre; the non-responders and the
 * follow-up through the shell's operations.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KannelBroadcastReportTest extends CamelTestSupport {
    static final String A = "+231770300001", B = "+231770300002", C = "+231770300003", D = "+231770300004", E = "+231770300005";
    static TestDatabase db;
    static KannelSimulator kannel;
    static int port;
    MheroContext mhero;

    @BeforeAll
    static void peers() {
        db = new TestDatabase();
        port = ShippedConfig.freePort();
        kannel = KannelSimulator.start(KannelOptions.defaults().maxRecipients(10).failure(D, 2).moGetUrl("http://127.0.0.1:" + port
                + "/inbound/kannel?token=change-me-kannel-inbound&from=%p&to=%P&text=%a&time=%t&id=%I"));
    }

    @AfterAll
    void stop() {
        context.stop();
        kannel.close();
        db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        org.flywaydb.core.Flyway.configure().dataSource(db.dataSource()).load().migrate();
        if (db.count("select count(*) from health_worker") == 0) seed();
        mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(ShippedConfig.idle()
                .pid("org.mhero.api", Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port)))
                .pid("org.mhero.channel", Map.of("active", "kannel", "kannel.url", kannel.sendsmsUrl(), "dlr.base.url", "http://127.0.0.1:" + port,
                        "dispatch.poll.ms", "50"))
                .pid("org.mhero.inbound", Map.of("route.poll.ms", "200"))
                .pid("org.mhero.report", Map.of("response.window.hours", "2"))
                .asMap());
        CamelContext camel = mhero.build();
        assertThat(mhero.getProblems()).isEmpty();
        return camel;
    }

    /** Five workers in the group "ward": A, B, C nurses, D and E midwives; E opted out. */
    static void seed() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            c.createStatement().execute("insert into contact_group (name, rule) values ('ward', 'active')");
            for (String phone : List.of(A, B, C, D, E)) {
                long w = TestWorkers.insert(db.dataSource(), "Worker " + phone.substring(phone.length() - 1), phone, null);
                try (PreparedStatement ps = c.prepareStatement("update health_worker set cadre = ?, opted_out = ? where id = ?")) {
                    ps.setString(1, phone.equals(D) || phone.equals(E) ? "midwife" : "nurse");
                    ps.setBoolean(2, phone.equals(E));
                    ps.setLong(3, w);
                    ps.executeUpdate();
                }
                c.createStatement().execute("insert into contact_group_member (group_id, health_worker_id) select id, " + w + " from contact_group");
            }
        }
    }

    static List<String> counts(ReportStore.Report r) {
        List<String> out = new ArrayList<>();
        r.funnel().forEach(s -> out.add(s.name() + " " + s.count() + (s.percentOfPrevious() == null ? "" : " " + s.percentOfPrevious())));
        return out;
    }

    @Test
    void deliveryReportsAndRepliesWithinTheWindowMakeTheFunnel() throws Exception {
        // a message before the broadcast is no response to it
        kannel.sendMo(C, "1234", "hello before");
        await("the early message stored", () -> db.count("select count(*) from inbound_message where status <> 'received'") == 1);

        BroadcastService service = context.getRegistry().lookupByNameAndType("broadcastService", BroadcastService.class);
        long id = service.create(BroadcastRequest.text("Please confirm you received the new IPC guideline.", List.of("ward")), "test").id();
        await("four delivery reports (E was skipped)", () -> db.count("select count(*) from delivery where broadcast_id = " + id
                + " and status in ('delivered', 'failed')") == 4);

        kannel.sendMo(A, "1234", "Received, thank you");
        kannel.sendMo(B, "1234", "yes");
        kannel.sendMo(C, "1234", "late reply");
        await("three replies routed", () -> db.count("select count(*) from inbound_message where status <> 'received'") == 4);
        // C's reply came after the two-hour window
        db.count("""
                with u as (update inbound_message set received_at = (select started_at from broadcast where id = %1$d) + interval '3 hours', sent_at = (select started_at from broadcast where id = %1$d) + interval '3 hours'
                            where text = 'late reply' returning 1) select count(*) from u""".formatted(id));

        ReportStore reports = context.getRegistry().lookupByNameAndType("reportStore", ReportStore.class);
        ReportStore.Report r = reports.report(Subject.of(Subject.Kind.BROADCAST, Long.toString(id))).orElseThrow();
        // targeted 5 (E skipped, opted out); reached A, B, C (D's report said not delivered); responded A, B
        assertThat(counts(r)).containsExactly("targeted 5", "reached 3 60.0", "responded 2 66.7", "completed 2 100.0");
        assertThat(r.byCadre()).extracting(ReportStore.Row::value).containsExactly("nurse", "midwife");
        assertThat(r.byCadre().get(0).steps()).extracting(ReportStore.Step::count).containsExactly(3, 3, 2, 2);
        assertThat(r.byCadre().get(1).steps()).extracting(ReportStore.Step::count).containsExactly(2, 0, 0, 0);
        assertThat(r.byDistrict()).singleElement().satisfies(row -> assertThat(row.value()).isEqualTo("(unknown)"));

        List<List<String>> listed = mhero.report("broadcast", Long.toString(id), "non-responders", 100);
        assertThat(listed.subList(1, listed.size())).extracting(l -> l.get(1) + " " + l.get(4))
                .containsExactly("Worker 3 yes", "Worker 4 no", "Worker 5 no");

        String followUp = mhero.followUp("broadcast", Long.toString(id), "Please reply YES when you have read the guideline.", "test");
        assertThat(followUp).contains("3 non-responder(s) of broadcast " + id);
        long next = Long.parseLong(followUp.split(" ")[1]);
        assertThat(db.strings("select h.display_name from delivery d join health_worker h on h.id = d.health_worker_id where d.broadcast_id = "
                + next + " order by 1")).containsExactly("Worker 3", "Worker 4", "Worker 5");
        assertThat(db.strings("select h.display_name from delivery d join health_worker h on h.id = d.health_worker_id where d.broadcast_id = "
                + next + " and d.status = 'skipped'")).as("the opted-out worker is skipped by the follow-up too").containsExactly("Worker 5");
    }
}
