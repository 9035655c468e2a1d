package org.mhero.inbound.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.mhero.phone.PhoneNormalizer;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The smallest JSON Patch per field, with old and new values; nothing when the resource already says it. */
class ResourcePatchTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SUP = "http://mhero.org/fhir/StructureDefinition/mhero-supervisor";
    final ResourcePatch patcher = new ResourcePatch(new PhoneNormalizer("LR"), "http://ihris.org/fhir/CodeSystem/ihris-job", SUP);

    static JsonNode json(String s) throws Exception { return JSON.readTree(s.replace('\'', '"')); }

    @Test
    void replacesOnlyTheMainPhoneValue() throws Exception {
        JsonNode p = json("{'resourceType':'Practitioner','id':'P1','telecom':[{'system':'email','value':'a@b.c'},"
                + "{'system':'phone','use':'work','value':'0777111222'},{'system':'phone','use':'mobile','rank':1,'value':'0777333444'}]}");
        ResourcePatch.Result r = patcher.diff(p, List.of(new FieldChange(Field.PHONE, "+231886555123", null)));
        assertThat(r.ops().toString()).isEqualTo("[{\"op\":\"replace\",\"path\":\"/telecom/2/value\",\"value\":\"+231886555123\"}]");
        assertThat(r.diffs()).containsExactly(new ResourcePatch.Diff(Field.PHONE, "0777333444", "+231886555123"));
    }

    @Test
    void aPhoneAlreadyOnFileInAnyNotationIsUnchanged() throws Exception {
        JsonNode p = json("{'resourceType':'Practitioner','telecom':[{'system':'phone','value':'0886-555-123'}]}");
        ResourcePatch.Result r = patcher.diff(p, List.of(new FieldChange(Field.PHONE, "+231886555123", null)));
        assertThat(r.empty()).isTrue();
        assertThat(r.diffs().get(0).changed()).isFalse();
        assertThat(patcher.diff(json("{'telecom':[{'system':'phone','value':'0777111222 / 0886555123'}]}"),
                List.of(new FieldChange(Field.PHONE, "+231886555123", null))).empty()).as("one of two numbers in one value").isTrue();
    }

    @Test
    void addsAPhoneWhenThereIsNone() throws Exception {
        assertThat(patcher.diff(json("{'resourceType':'Practitioner'}"), List.of(new FieldChange(Field.PHONE, "+231886555123", null)))
                .ops().toString()).isEqualTo("[{\"op\":\"add\",\"path\":\"/telecom\",\"value\":[{\"system\":\"phone\",\"value\":\"+231886555123\",\"use\":\"mobile\"}]}]");
        assertThat(patcher.diff(json("{'telecom':[{'system':'email','value':'x@y.z'}]}"), List.of(new FieldChange(Field.PHONE, "+231886555123", null)))
                .ops().get(0).path("path").asText()).isEqualTo("/telecom/-");
    }

    @Test
    void supervisorExtensionIsAddedOrReplaced() throws Exception {
        FieldChange c = new FieldChange(Field.SUPERVISOR, "Dr Kollie", null);
        assertThat(patcher.diff(json("{'extension':[{'url':'x','valueString':'y'}]}"), List.of(c)).ops().toString())
                .isEqualTo("[{\"op\":\"add\",\"path\":\"/extension/-\",\"value\":{\"url\":\"" + SUP + "\",\"valueString\":\"Dr Kollie\"}}]");
        ResourcePatch.Result r = patcher.diff(json("{'extension':[{'url':'x'},{'url':'" + SUP + "','valueString':'Mr Doe'}]}"), List.of(c));
        assertThat(r.ops().toString()).isEqualTo("[{\"op\":\"replace\",\"path\":\"/extension/1/valueString\",\"value\":\"Dr Kollie\"}]");
        assertThat(r.diffs()).containsExactly(new ResourcePatch.Diff(Field.SUPERVISOR, "Mr Doe", "Dr Kollie"));
        assertThat(patcher.diff(json("{'extension':[{'url':'" + SUP + "','valueString':'DR KOLLIE'}]}"), List.of(c)).empty()).isTrue();
    }

    @Test
    void jobAndFacilityOnTheRole() throws Exception {
        JsonNode role = json("{'resourceType':'PractitionerRole','code':[{'coding':[{'system':'http://ihris.org/fhir/CodeSystem/ihris-job|0.3.0',"
                + "'code':'2230-1B'}]}],'location':[{'reference':'Location/L120','display':'Old'}]}");
        ResourcePatch.Result same = patcher.diff(role, List.of(new FieldChange(Field.JOB, "2230-1B", "Nurse"),
                new FieldChange(Field.FACILITY, "L120", "Bong Hospital 1")));
        assertThat(same.empty()).as("same code under a |version system, same Location").isTrue();
        ResourcePatch.Result moved = patcher.diff(role, List.of(new FieldChange(Field.JOB, "2222-1A", "Midwife"),
                new FieldChange(Field.FACILITY, "L130", "Gbarnga HC 2")));
        assertThat(moved.ops().toString()).isEqualTo("[{\"op\":\"replace\",\"path\":\"/code/0\",\"value\":{\"coding\":[{\"system\":"
                + "\"http://ihris.org/fhir/CodeSystem/ihris-job\",\"code\":\"2222-1A\",\"display\":\"Midwife\"}],\"text\":\"Midwife\"}},"
                + "{\"op\":\"replace\",\"path\":\"/location/0\",\"value\":{\"reference\":\"Location/L130\",\"display\":\"Gbarnga HC 2\"}}]");
        assertThat(moved.diffs()).containsExactly(new ResourcePatch.Diff(Field.JOB, "2230-1B", "2222-1A"),
                new ResourcePatch.Diff(Field.FACILITY, "L120", "L130"));
    }

    @Test
    void facilityStatus() throws Exception {
        FieldChange c = new FieldChange(Field.FACILITY_STATUS, "suspended", null);
        assertThat(patcher.diff(json("{'status':'active'}"), List.of(c)).ops().toString())
                .isEqualTo("[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"suspended\"}]");
        assertThat(patcher.diff(json("{}"), List.of(c)).ops().get(0).path("op").asText()).isEqualTo("add");
        assertThat(patcher.diff(json("{'status':'suspended'}"), List.of(c)).empty()).isTrue();
    }
}
