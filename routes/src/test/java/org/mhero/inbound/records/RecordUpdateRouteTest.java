package org.mhero.inbound.records;

import static org.mhero.testing.Await.await;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.core.RecordedCall;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.sandbox.ihris.IhrisStore;
import org.mhero.sandbox.rapidpro.FlowDef;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;
import org.mhero.testing.ShippedConfig;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Validation answers written back to a real HAPI FHIR server (the sandbox iHRIS) end to end: the RapidPro simulator
 * POSTs its flow webhook to mHero's HTTP port, the answer is stored, routed to inbound.record-update, and the
 * Practitioner (or its current PractitionerRole) is patched with If-Match on the version just read; a concurrent edit
 * is read again and kept; bad answers are answered to the sender; STOP and START tag and untag the Practitioner.
 * Workers come from a real ihris-sync run against the same server; PostgreSQL is real.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordUpdateRouteTest extends CamelTestSupport {
    static final String PHONE_FLOW = "0f3c5f6b-2a4d-4b4e-9c47-5d1b0c6a7e21"; // shipped: flow.<uuid> = record-update
    static final String FACILITY_FLOW = "4c2d7e1a-9b3f-4e5a-8d6c-1f2e3a4b5c6d";
    static final String KANNEL_TOKEN = "change-me-kannel-inbound";
    static final String RAPIDPRO_TOKEN = "change-me-rapidpro-inbound";
    static final String AMA = "+231770200001", BINTU = "+231770200002", CEE = "+231770200003", DEDE = "+231770200004",
            EKO = "+231770200005", FATU = "+231770200006", GAYE = "+231770200007", HAWA = "+231770200008";

    static TestDatabase db;
    static IhrisSandbox ihris;
    static KannelSimulator kannel;
    static RapidProSimulator rapidpro;
    static int port;
    static String base;
    static final Map<String, String> PRACTITIONER = new java.util.HashMap<>();
    static final AtomicReference<String> editBetweenReadAndWrite = new AtomicReference<>();
    boolean synced;

    @BeforeAll
    static void peers() {
        db = new TestDatabase();
        ihris = IhrisSandbox.start(IhrisOptions.defaults(20));
        IhrisStore s = ihris.store();
        String facility = s.facilityIds().get(0);
        for (String[] w : new String[][] {{"Ama", AMA}, {"Bintu", BINTU}, {"Cee", CEE}, {"Dede", DEDE}, {"Eko", EKO}, {"Fatu", FATU},
                {"Gaye", GAYE}, {"Hawa", HAWA}}) {
            PRACTITIONER.put(w[1], s.addPractitioner(w[0], "Kollie", w[1], "2230-1B", facility));
        }
        port = ShippedConfig.freePort();
        base = "http://127.0.0.1:" + port;
        kannel = KannelSimulator.start(KannelOptions.defaults().moGetUrl(base + "/inbound/kannel?token=" + KANNEL_TOKEN
                + "&from=%p&to=%P&text=%a&time=%t&smsc=%i&id=%I"));
        rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit("500/1s")
                .webhookTarget(base + "/inbound/rapidpro/webhook?token=" + RAPIDPRO_TOKEN)
                .flow(FlowDef.survey(PHONE_FLOW, "Validation", "new_phone"))
                .flow(FlowDef.survey(FACILITY_FLOW, "Facility check", "new_facility")));
    }

    @AfterAll
    void stop() {
        context.stop();
        kannel.close();
        rapidpro.close();
        ihris.close();
        db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        ShippedConfig cfg = ShippedConfig.idle()
                .pid("org.mhero.api", Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(port)))
                .pid("org.mhero.ihris", Map.of("base.url", ihris.baseUrl()))
                .pid("org.mhero.channel", Map.of("active", "kannel", "kannel.url", kannel.sendsmsUrl(), "dlr.base.url", base,
                        "dispatch.poll.ms", "50"))
                .pid("org.mhero.rapidpro", Map.of("api.url", rapidpro.baseUrl(), "api.token", rapidpro.token(), "rate.limit", "400/1s"))
                .pid("org.mhero.inbound", Map.of("route.poll.ms", "100", "flow." + FACILITY_FLOW, "record-update"))
                .pid("org.mhero.errors", Map.of("redelivery.delay.ms", "10"));
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(cfg.asMap());
        CamelContext camel = mhero.build();
        assertThat(mhero.getProblems()).isEmpty();
        assertThat(mhero.getLoadedFlows()).contains("inbound", "ihris-sync");
        return camel;
    }

    @Override
    protected void doPostSetup() throws Exception {
        if (synced) return;
        template.sendBody("direct:ihris-sync.run", null);
        assertThat(db.count("select count(*) from source_link where registry = 'ihris' and source_id in ('"
                + String.join("','", PRACTITIONER.values()) + "')")).isEqualTo(PRACTITIONER.size());
        AdviceWith.adviceWith(context, "inbound.record-update", a -> a.weaveById("inbound.record-update.fhir-read").after()
                .process(e -> {
                    String id = editBetweenReadAndWrite.getAndSet(null);
                    if (id != null) {   // an iHRIS user edits the worker between mHero's read and its write
                        Practitioner p = ihris.store().practitioner(id);
                        p.getNameFirstRep().setFamily("Kollie-Edited");
                        ihris.store().update(p);
                    }
                }));
        synced = true;
    }

    /** status and route of the run's message. */
    String routed(String runUuid) {
        List<String> r = db.strings("select status || ' ' || coalesce(route, '-') from inbound_message where source = 'rapidpro-run'"
                + " and external_id = '" + runUuid + "'");
        return r.isEmpty() ? null : r.get(0);
    }

    String outcome(String runUuid) {
        return db.strings("select outcome from inbound_message where source = 'rapidpro-run' and external_id = '" + runUuid + "'").get(0);
    }

    long messageId(String runUuid) {
        return db.count("select id from inbound_message where source = 'rapidpro-run' and external_id = '" + runUuid + "'");
    }

    static String phoneOf(String practitionerId) {
        return ihris.store().practitioner(practitionerId).getTelecom().stream()
                .filter(t -> t.getSystem() == ContactPoint.ContactPointSystem.PHONE).findFirst().orElseThrow().getValue();
    }

    static long version(String practitionerId) { return ihris.store().version("Practitioner", practitionerId); }

    static long patches(String practitionerId, int status) {
        return ihris.calls().count(c -> c.method().equals("PATCH") && c.path().endsWith("/Practitioner/" + practitionerId) && c.status() == status);
    }

    @Test
    void aValidationAnswerByWebhookUpdatesThePractitionersPhoneInIhrisWithAnAuditRowAndOnlyOnce() throws Exception {
        String pid = PRACTITIONER.get(AMA);
        long before = version(pid);
        String run = rapidpro.injectInbound("tel:" + AMA, "0886 555 123", PHONE_FLOW, null);
        await("the answer routed", () -> "done record-update".equals(routed(run)));
        assertThat(phoneOf(pid)).isEqualTo("+231886555123");
        assertThat(version(pid)).isEqualTo(before + 1);
        List<RecordedCall> patch = ihris.calls().matching(c -> c.method().equals("PATCH") && c.path().endsWith("/Practitioner/" + pid));
        assertThat(patch).hasSize(1);
        assertThat(patch.get(0).header("If-Match")).isEqualTo("W/\"" + before + "\"");
        assertThat(patch.get(0).body()).isEqualTo("[{\"op\":\"replace\",\"path\":\"/telecom/0/value\",\"value\":\"+231886555123\"}]");
        long id = messageId(run);
        assertThat(db.strings("select concat_ws('|', resource_type, resource_id, practitioner_id, field, old_value, new_value, status,"
                + " version_before, version_after, attempts) from record_update where inbound_id = " + id))
                .containsExactly("Practitioner|" + pid + "|" + pid + "|phone|" + AMA + "|+231886555123|updated|" + before + "|" + (before + 1) + "|1");
        assertThat(outcome(run)).isEqualTo("updated in iHRIS: phone on Practitioner/" + pid);
        await("the thank-you reached the worker", () -> kannel.log().textsTo(AMA).stream().anyMatch(t -> t.startsWith("Thank you: your record")));

        // the same message routed again (a replay): iHRIS already says so, nothing is written and the audit keeps its row
        execute("update inbound_message set status = 'received', attempts = 0 where id = " + id);
        await("routed again", () -> "done record-update".equals(routed(run)) && outcome(run).startsWith("already so"));
        assertThat(version(pid)).isEqualTo(before + 1);
        assertThat(patches(pid, 200)).isEqualTo(1);
        assertThat(db.strings("select status from record_update where inbound_id = " + id)).containsExactly("updated");
    }

    @Test
    void aConcurrentEditBetweenReadAndWriteIsReadAgainAndTheOtherEditIsKept() throws Exception {
        String pid = PRACTITIONER.get(BINTU);
        long before = version(pid);
        editBetweenReadAndWrite.set(pid);
        String run = rapidpro.injectInbound("tel:" + BINTU, "0886555124", PHONE_FLOW, null);
        await("the answer routed", () -> "done record-update".equals(routed(run)));
        assertThat(patches(pid, 409)).as("the stale write was refused (HAPI-0989)").isEqualTo(1);
        assertThat(patches(pid, 200)).isEqualTo(1);
        Practitioner p = ihris.store().practitioner(pid);
        assertThat(p.getNameFirstRep().getFamily()).as("the other edit is kept").isEqualTo("Kollie-Edited");
        assertThat(phoneOf(pid)).isEqualTo("+231886555124");
        assertThat(version(pid)).isEqualTo(before + 2);
        assertThat(db.strings("select concat_ws('|', status, version_before, version_after, attempts) from record_update where inbound_id = "
                + messageId(run))).containsExactly("updated|" + (before + 1) + "|" + (before + 2) + "|2");
    }

    @Test
    void aBadPhoneIsAnsweredToTheSenderKeptInTheInboxAndNothingIsWritten() throws Exception {
        String pid = PRACTITIONER.get(CEE);
        long before = version(pid);
        long calls = ihris.calls().total();
        String run = rapidpro.injectInbound("tel:" + CEE, "12345", PHONE_FLOW, null);
        await("the answer routed", () -> "inbox record-update".equals(routed(run)));
        assertThat(outcome(run)).startsWith("answer rejected, nothing written to iHRIS: the new phone number is not valid");
        await("the sender is told", () -> kannel.log().textsTo(CEE).stream()
                .anyMatch(t -> t.startsWith("Sorry, we could not use your answer: the new phone number is not valid")));
        assertThat(version(pid)).isEqualTo(before);
        assertThat(ihris.calls().total()).as("iHRIS not even read").isEqualTo(calls);
        assertThat(db.strings("select field || ' ' || status from record_update where inbound_id = " + messageId(run)))
                .containsExactly("phone rejected");
    }

    @Test
    void aFacilityAnswerMovesTheWorkersCurrentRole() throws Exception {
        String pid = PRACTITIONER.get(DEDE);
        String target = ihris.store().facilityIds().get(3);
        String name = ihris.store().location(target).getName();
        String run = rapidpro.injectInbound("tel:" + DEDE, name.toUpperCase(), FACILITY_FLOW, null);
        await("the answer routed", () -> "done record-update".equals(routed(run)));
        PractitionerRole role = ihris.store().currentRole(pid);
        assertThat(role.getLocationFirstRep().getReference()).isEqualTo("Location/" + target);
        assertThat(db.strings("select field || ' ' || resource_type || ' ' || new_value from record_update where inbound_id = " + messageId(run)))
                .containsExactly("facility PractitionerRole " + target);
    }

    @Test
    void aServerErrorIsRetriedLater() throws Exception {
        String pid = PRACTITIONER.get(EKO);
        ihris.faults().force5xx(1);
        String run = rapidpro.injectInbound("tel:" + EKO, "0886555125", PHONE_FLOW, null);
        await("the answer routed after a retry", () -> "done record-update".equals(routed(run)));
        assertThat(db.count("select attempts from inbound_message where id = " + messageId(run))).isEqualTo(2);
        assertThat(phoneOf(pid)).isEqualTo("+231886555125");
    }

    @Test
    void aPractitionerDeletedInIhrisLeavesTheAnswerInTheInboxWithTheReason() throws Exception {
        String pid = PRACTITIONER.get(HAWA);
        ihris.store().delete("Practitioner", pid);
        String run = rapidpro.injectInbound("tel:" + HAWA, "0886555126", PHONE_FLOW, null);
        await("the answer routed", () -> "inbox record-update".equals(routed(run)));
        assertThat(outcome(run)).isEqualTo("not written: Practitioner/" + pid + " is not in iHRIS (410)");
        assertThat(db.strings("select field || ' ' || status || ' ' || error from record_update where inbound_id = " + messageId(run)))
                .containsExactly("phone failed Practitioner/" + pid + " is not in iHRIS (410)");
        assertThat(kannel.log().textsTo(HAWA)).as("the sender is not told about an operator's problem").isEmpty();
    }

    @Test
    void stopTagsThePractitionerInIhrisAndStartRemovesOnlyTheTagMheroSet() throws Exception {
        String fatu = PRACTITIONER.get(FATU), gaye = PRACTITIONER.get(GAYE);
        ihris.store().setOptedOut(gaye, true);   // Gaye's opt-out was set in iHRIS
        assertThat(kannel.sendMo(FATU, "1234", "STOP")).isEqualTo(200);
        String fatuStop = kannel.log().mos().get(kannel.log().mos().size() - 1).id();
        assertThat(kannel.sendMo(GAYE, "1234", "stop")).isEqualTo(200);
        String gayeStop = kannel.log().mos().get(kannel.log().mos().size() - 1).id();
        await("both STOPs routed", () -> "done".equals(kannelStatus(fatuStop)) && "done".equals(kannelStatus(gayeStop)));
        assertThat(optedOutInIhris(fatu)).isTrue();
        assertThat(db.strings("select practitioner_id || ' ' || ours from ihris_opt_out order by practitioner_id"))
                .containsExactlyInAnyOrder(fatu + " true", gaye + " false");
        assertThat(db.strings("select outcome from inbound_message where external_id = '" + fatuStop + "'").get(0))
                .endsWith("iHRIS: opt-out tag added to Practitioner/" + fatu);

        // an iHRIS sync now reads the tag as iHRIS's opt-out; START must still lift it, since mHero set it
        template.sendBody("direct:ihris-sync.full-resync", null);
        assertThat(db.strings("select h.provenance->>'optedOut' from health_worker h join source_link s on s.health_worker_id = h.id"
                + " where s.source_id = '" + fatu + "'")).containsExactly("ihris");

        assertThat(kannel.sendMo(FATU, "1234", "START")).isEqualTo(200);
        String fatuStart = kannel.log().mos().get(kannel.log().mos().size() - 1).id();
        assertThat(kannel.sendMo(GAYE, "1234", "START")).isEqualTo(200);
        String gayeStart = kannel.log().mos().get(kannel.log().mos().size() - 1).id();
        await("both STARTs routed", () -> kannelStatus(fatuStart) != null && kannelStatus(gayeStart) != null
                && !kannelStatus(fatuStart).equals("received") && !kannelStatus(gayeStart).equals("received")
                && !kannelStatus(fatuStart).equals("routing") && !kannelStatus(gayeStart).equals("routing"));
        assertThat(kannelStatus(fatuStart)).isEqualTo("done");
        assertThat(optedOutInIhris(fatu)).as("mHero's tag removed").isFalse();
        assertThat(optedOutInIhris(gaye)).as("iHRIS's own tag stays").isTrue();
        assertThat(db.count("select count(*) from ihris_opt_out")).isZero();
        assertThat(db.strings("select opted_out::text from health_worker h join source_link s on s.health_worker_id = h.id"
                + " where s.source_id = '" + fatu + "'")).containsExactly("false");
        assertThat(db.strings("select data->>'optedOut' from source_link where source_id = '" + fatu + "'")).containsExactly("false");
        assertThat(kannelStatus(gayeStart)).as("iHRIS holds Gaye's opt-out: a person has to lift it there").isEqualTo("inbox");
    }

    static void execute(String sql) throws java.sql.SQLException {
        try (var c = db.dataSource().getConnection(); var st = c.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    String kannelStatus(String externalId) {
        List<String> r = db.strings("select status from inbound_message where source = 'kannel' and external_id = '" + externalId + "'");
        return r.isEmpty() ? null : r.get(0);
    }

    static boolean optedOutInIhris(String pid) {
        return ihris.store().practitioner(pid).getMeta().getTag().stream()
                .anyMatch(t -> "http://mhero.org/codesystem".equals(t.getSystem()) && "optedout".equals(t.getCode()));
    }
}
