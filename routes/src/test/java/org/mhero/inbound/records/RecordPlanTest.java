package org.mhero.inbound.records;

import org.junit.jupiter.api.Test;
import org.mhero.phone.PhoneNormalizer;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The write-back state machine: read, patch with If-Match, re-read on a version conflict, and how each answer ends. */
class RecordPlanTest {
    static final String BASE = "http://ihris/fhir";
    final ResourcePatch patcher = new ResourcePatch(new PhoneNormalizer("LR"), "http://ihris.org/fhir/CodeSystem/ihris-job", "http://x/sup");
    static final FieldChange PHONE = new FieldChange(Field.PHONE, "+231886555123", null);

    static String practitioner(int version, String phone) {
        return "{\"resourceType\":\"Practitioner\",\"id\":\"P1\",\"meta\":{\"versionId\":\"" + version + "\"},"
                + "\"telecom\":[{\"system\":\"phone\",\"value\":\"" + phone + "\"}]}";
    }

    RecordPlan phonePlan(int retries) {
        return RecordPlan.of(BASE, patcher, retries, List.of("P1"), null, List.of(PHONE));
    }

    @Test
    void readsThenPatchesWithIfMatchOnTheVersionRead() throws Exception {
        RecordPlan p = phonePlan(3);
        assertThat(p.getStep()).isEqualTo("read");
        assertThat(p.getUrl()).isEqualTo(BASE + "/Practitioner/P1");
        p.onRead(200, practitioner(4, "0777111222"), "W/\"4\"");
        assertThat(p.getStep()).isEqualTo("patch");
        assertThat(p.getIfMatch()).isEqualTo("W/\"4\"");
        assertThat(p.getPatchBody()).isEqualTo("[{\"op\":\"replace\",\"path\":\"/telecom/0/value\",\"value\":\"+231886555123\"}]");
        p.onPatched(200, practitioner(5, "+231886555123"), "W/\"5\"");
        assertThat(p.getStep()).isEqualTo("done");
        assertThat(p.drainAudit()).containsExactly(new RecordPlan.Audit(Field.PHONE, "Practitioner", "P1", "P1", "0777111222", "+231886555123",
                "updated", null, "4", "5", 1));
        assertThat(p.summary()).isEqualTo("updated in iHRIS: phone on Practitioner/P1");
    }

    @Test
    void aVersionConflictIsReadAgainAndRetriedAtMostTheConfiguredTimes() throws Exception {
        RecordPlan p = phonePlan(1);
        p.onRead(200, practitioner(4, "0777111222"), null);
        p.onPatched(409, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"diagnostics\":\"HAPI-0989: Trying to update\"}]}", null);
        assertThat(p.getStep()).as("read again").isEqualTo("read");
        p.onRead(200, practitioner(5, "0777111222"), "W/\"5\"");
        assertThat(p.getIfMatch()).isEqualTo("W/\"5\"");
        p.onPatched(412, null, null);
        assertThat(p.getStep()).isEqualTo("done");
        assertThat(p.failures()).containsExactly("Practitioner/P1 kept changing while mHero wrote to it (2 version conflicts)");
        assertThat(p.drainAudit()).extracting(RecordPlan.Audit::status).containsExactly("failed");
    }

    @Test
    void unchangedWhenIhrisAlreadySaysItSoNothingIsPatched() throws Exception {
        RecordPlan p = phonePlan(3);
        p.onRead(200, practitioner(7, "+231 886 555 123"), "W/\"7\"");
        assertThat(p.getStep()).isEqualTo("done");
        assertThat(p.drainAudit()).extracting(RecordPlan.Audit::status).containsExactly("unchanged");
        assertThat(p.failures()).isEmpty();
    }

    @Test
    void serverErrorsThrowSoThatTheMessageIsRetriedAndClientErrorsEndInTheInbox() throws Exception {
        RecordPlan p = phonePlan(3);
        assertThatThrownBy(() -> p.onRead(503, "", null)).isInstanceOf(RecordPlan.IhrisUnavailableException.class)
                .hasMessageContaining("503");
        assertThat(p.getStep()).isEqualTo("read");
        p.onRead(200, practitioner(1, "0777111222"), null);
        assertThatThrownBy(() -> p.onPatched(429, "", null)).isInstanceOf(RecordPlan.IhrisUnavailableException.class);

        RecordPlan gone = phonePlan(3);
        gone.onRead(404, "{}", null);
        assertThat(gone.getStep()).isEqualTo("done");
        assertThat(gone.failures()).containsExactly("Practitioner/P1 is not in iHRIS (404)");

        RecordPlan refused = phonePlan(3);
        refused.onRead(200, practitioner(1, "0777111222"), null);
        refused.onPatched(422, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"diagnostics\":\"HAPI-1272: invalid\"}]}", null);
        assertThat(refused.failures()).containsExactly("iHRIS refused the change to Practitioner/P1 (422): HAPI-1272: invalid");
    }

    @Test
    void roleFieldsGoToTheCurrentRoleFoundBySearch() throws Exception {
        RecordPlan p = RecordPlan.of(BASE, patcher, 3, List.of("P1"), "L9", List.of(new FieldChange(Field.FACILITY, "L120", "Bong"),
                new FieldChange(Field.FACILITY_STATUS, "suspended", null)));
        assertThat(p.getUrl()).isEqualTo(BASE + "/PractitionerRole?practitioner=Practitioner/P1&_count=100");
        String bundle = "{\"resourceType\":\"Bundle\",\"entry\":["
                + "{\"resource\":{\"resourceType\":\"PractitionerRole\",\"id\":\"old\",\"meta\":{\"versionId\":\"1\"},\"active\":true,"
                + "\"period\":{\"start\":\"2001-01-01\",\"end\":\"2002-01-01\"},\"location\":[{\"reference\":\"Location/L1\"}]}},"
                + "{\"resource\":{\"resourceType\":\"PractitionerRole\",\"id\":\"PR1\",\"meta\":{\"versionId\":\"3\"},\"active\":true,"
                + "\"period\":{\"start\":\"2010-01-01\"},\"location\":[{\"reference\":\"Location/L9\"}]}}]}";
        p.onRead(200, bundle, null);
        assertThat(p.getUrl()).isEqualTo(BASE + "/PractitionerRole/PR1");
        assertThat(p.getIfMatch()).isEqualTo("W/\"3\"");
        p.onPatched(200, "", "W/\"4\"");
        assertThat(p.getUrl()).as("the status goes to the new facility").isEqualTo(BASE + "/Location/L120");
        p.onRead(200, "{\"resourceType\":\"Location\",\"id\":\"L120\",\"status\":\"active\"}", "W/\"2\"");
        p.onPatched(200, "", "W/\"3\"");
        assertThat(p.drainAudit()).extracting(a -> a.field() + " " + a.oldValue() + ">" + a.newValue() + " " + a.versionBefore() + ">" + a.versionAfter())
                .containsExactly("FACILITY L9>L120 3>4", "FACILITY_STATUS active>suspended 2>3");

        RecordPlan noRole = RecordPlan.of(BASE, patcher, 3, List.of("P1"), null, List.of(new FieldChange(Field.JOB, "2230-1B", "Nurse")));
        noRole.onRead(200, "{\"resourceType\":\"Bundle\"}", null);
        assertThat(noRole.failures()).containsExactly("Practitioner/P1 has no current PractitionerRole in iHRIS to set the job on");
    }
}
