package org.mhero.inbound.records;

import org.junit.jupiter.api.Test;
import org.mhero.config.Pid;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.testing.ShippedConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped record.* keys of org.mhero.inbound: a validation flow's results to field changes, or to problems. */
class RecordMappingTest {
    static RecordSettings shipped(Map<String, String> overrides) {
        Map<String, String> v = new HashMap<>(ShippedConfig.idle().asMap().get("org.mhero.inbound"));
        v.putAll(overrides);
        Pid p = new Pid("org.mhero.inbound", v);
        RecordSettings s = RecordSettings.from(p);
        assertThat(p.problems()).isEmpty();
        return s;
    }

    static final RecordMapping.Resolver IHRIS = new RecordMapping.Resolver() {
        @Override public List<Match> facilities(String answer) {
            return switch (answer.toLowerCase()) {
                case "l120", "bong hospital 1" -> List.of(new Match("L120", "Bong Hospital 1"));
                case "clinic" -> List.of(new Match("L121", "Clinic"), new Match("L122", "Clinic"));
                default -> List.of();
            };
        }

        @Override public List<Match> jobs(String answer) {
            return answer.equalsIgnoreCase("nurse") || answer.equals("2230-1B") ? List.of(new Match("2230-1B", "Nurse")) : List.of();
        }
    };

    final RecordMapping mapping = new RecordMapping(shipped(Map.of()), new PhoneNormalizer("LR"), IHRIS);

    static String results(String... kv) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (b.length() > 1) b.append(',');
            b.append('"').append(kv[i]).append("\":{\"value\":\"").append(kv[i + 1]).append("\",\"category\":\"Has Text\"}");
        }
        return b.append('}').toString();
    }

    @Test
    void aNationalPhoneNumberBecomesE164() throws Exception {
        RecordMapping.Mapped m = mapping.map(results("new_phone", "0886-555 123"));
        assertThat(m.problems()).isEmpty();
        assertThat(m.changes()).containsExactly(new FieldChange(Field.PHONE, "+231886555123", null));
    }

    @Test
    void aYesToThePhoneConfirmationMeansNoPhoneChange() throws Exception {
        RecordMapping.Mapped m = mapping.map(results("phone_ok", " Yes ", "new_phone", "0886555123"));
        assertThat(m.ok()).isTrue();
        assertThat(m.phoneConfirmed()).isTrue();
        assertThat(m.changes()).isEmpty();
        assertThat(mapping.map(results("phone_ok", "no", "new_phone", "0886555123")).changes()).hasSize(1);
    }

    @Test
    void aBadPhoneIsAProblemAndNothingElseOfTheAnswerIsKept() throws Exception {
        RecordMapping.Mapped m = mapping.map(results("new_phone", "12", "new_facility", "Bong Hospital 1"));
        assertThat(m.ok()).isFalse();
        assertThat(m.problems()).extracting(RecordMapping.Problem::field).containsExactly(Field.PHONE);
        assertThat(m.problems().get(0).message()).startsWith("the new phone number is not valid");
        assertThat(mapping.map(results("new_phone", "0886555123 / 0777123456")).problems().get(0).message())
                .isEqualTo("give one phone number, not 2");
    }

    @Test
    void facilityAndJobAreResolvedByCodeOrNameAndUnknownOrAmbiguousOnesAreProblems() throws Exception {
        RecordMapping.Mapped m = mapping.map(results("new_facility", "bong hospital 1", "new_job", "NURSE"));
        assertThat(m.changes()).containsExactlyInAnyOrder(new FieldChange(Field.FACILITY, "L120", "Bong Hospital 1"),
                new FieldChange(Field.JOB, "2230-1B", "Nurse"));
        assertThat(mapping.map(results("new_facility", "Nowhere")).problems()).extracting(RecordMapping.Problem::message)
                .containsExactly("no facility 'Nowhere' is known");
        assertThat(mapping.map(results("new_facility", "clinic")).problems()).extracting(RecordMapping.Problem::message)
                .containsExactly("'clinic' matches more than one facility: answer with its code");
        assertThat(mapping.map(results("new_job", "astronaut")).problems()).extracting(RecordMapping.Problem::field).containsExactly(Field.JOB);
    }

    @Test
    void supervisorAndFacilityStatus() throws Exception {
        RecordMapping.Mapped m = mapping.map(results("supervisor", "  Dr   Kollie ", "facility_status", "temporarily  closed"));
        assertThat(m.changes()).containsExactlyInAnyOrder(new FieldChange(Field.SUPERVISOR, "Dr Kollie", null),
                new FieldChange(Field.FACILITY_STATUS, "suspended", null));
        assertThat(mapping.map(results("facility_status", "open")).changes())
                .containsExactly(new FieldChange(Field.FACILITY_STATUS, "active", null));
        assertThat(mapping.map(results("facility_status", "on fire")).problems()).extracting(RecordMapping.Problem::message)
                .containsExactly("'on fire' is not a facility status we know");
    }

    @Test
    void emptyAnswersUnmappedResultsAndNoResultsChangeNothing() throws Exception {
        assertThat(mapping.map(results("new_phone", "", "comment", "hello")).changes()).isEmpty();
        assertThat(mapping.map(null).changes()).isEmpty();
        assertThat(mapping.map("{\"new_phone\":null}").ok()).isTrue();
    }

    @Test
    void theResultKeysComeFromConfiguration() throws Exception {
        RecordMapping custom = new RecordMapping(shipped(Map.of("record.result.phone", "Mobile", "record.result.facility", "")),
                new PhoneNormalizer("LR"), IHRIS);
        assertThat(custom.map(results("mobile", "0777123456", "new_phone", "0886555123", "new_facility", "L120")).changes())
                .containsExactly(new FieldChange(Field.PHONE, "+231777123456", null));
    }

    @Test
    void badSettingsAreReportedWithTheirKey() {
        Map<String, String> v = new HashMap<>(ShippedConfig.idle().asMap().get("org.mhero.inbound"));
        v.put("record.result.job", "new job");
        v.put("record.facility.status.inactive", "CLOSED");
        v.put("record.conflict.retries", "-1");
        Pid p = new Pid("org.mhero.inbound", v);
        RecordSettings.from(p);
        assertThat(p.problems()).extracting(Pid.Problem::key)
                .containsExactlyInAnyOrder("record.result.job", "record.facility.status.inactive", "record.conflict.retries");
    }
}
