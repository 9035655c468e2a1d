package org.mhero.ihris;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mhero.phone.PhoneNormalizer;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PractitionerMapperTest {
    static Bundle page;
    static JobCatalog jobs;
    final PractitionerMapper mapper = new PractitionerMapper(new PhoneNormalizer("LR"), "http://ihris.org/fhir/CodeSystem/ihris-job");
    final Date today = Date.from(Instant.parse("2026-11-21T00:00:00Z"));

    @BeforeAll
    static void parse() throws Exception {
        page = read("/ihris/practitioner-page.json", Bundle.class);
        jobs = JobCatalog.from(read("/ihris/codesystem-ihris-job.json", CodeSystem.class), "cadre");
    }

    static <T extends org.hl7.fhir.instance.model.api.IBaseResource> T read(String path, Class<T> type) throws Exception {
        try (InputStream in = PractitionerMapperTest.class.getResourceAsStream(path)) {
            return FhirClientFactory.r4().newJsonParser().parseResource(type, in);
        }
    }

    HealthWorkerRecord map(String id) {
        Map<String, List<PractitionerRole>> roles = new HashMap<>();
        Practitioner p = null;
        for (Bundle.BundleEntryComponent e : page.getEntry()) {
            if (e.getResource() instanceof PractitionerRole r) {
                roles.computeIfAbsent(r.getPractitioner().getReferenceElement().getIdPart(), k -> new ArrayList<>()).add(r);
            } else if (e.getResource() instanceof Practitioner pr && pr.getIdElement().getIdPart().equals(id)) {
                p = pr;
            }
        }
        return mapper.map(p, roles.getOrDefault(id, List.of()), jobs, today);
    }

    @Test
    void mapsNameGenderFacilityJobCadreAndIdentifiers() {
        HealthWorkerRecord r = map("P1");
        assertThat(r.sourceId()).isEqualTo("P1");
        assertThat(r.sourceVersion()).isEqualTo("3");
        assertThat(r.sourceUpdated()).isEqualTo(Instant.parse("2026-10-30T08:15:00Z"));
        assertThat(r.displayName()).isEqualTo("Dr. Comfort Kollie");
        assertThat(r.familyName()).isEqualTo("Kollie");
        assertThat(r.givenNames()).isEqualTo("Comfort M.");
        assertThat(r.gender()).isEqualTo("female");
        assertThat(r.active()).isTrue();
        assertThat(r.facilitySourceId()).as("the current role, not the ended one").isEqualTo("F-12");
        assertThat(r.jobCode()).isEqualTo("2221-1D");
        assertThat(r.jobTitle()).as("from the CodeSystem when the coding has no display").isEqualTo("Medical Doctor");
        assertThat(r.cadre()).isEqualTo("doctor");
        assertThat(r.nationalId()).isEqualTo("NID-0001");
        assertThat(r.employeeNumber()).isEqualTo("EMP-77");
        assertThat(r.rapidproUuid()).isEqualTo("5f1b2c3d-0000-4000-8000-000000000001");
        assertThat(r.optedOut()).isTrue();
    }

    @Test
    void ordersPhonesByRankAndMarksTheFirstUsableOnePrimary() {
        HealthWorkerRecord r = map("P1");
        assertThat(r.phones()).extracting(HealthWorkerRecord.Phone::e164).containsExactly("+231881234567", "+231770123456");
        assertThat(r.phones()).extracting(HealthWorkerRecord.Phone::primary).containsExactly(true, false);
        assertThat(r.phones()).extracting(HealthWorkerRecord.Phone::use).containsExactly("mobile", "work");
    }

    @Test
    void workerWithoutTelecomRoleOrGenderIsKeptAsUnreachable() {
        HealthWorkerRecord r = map("P2");
        assertThat(r.displayName()).isEqualTo("John Doe");
        assertThat(r.active()).isFalse();
        assertThat(r.gender()).isNull();
        assertThat(r.facilitySourceId()).isNull();
        assertThat(r.cadre()).isNull();
        assertThat(r.phones()).isEmpty();
        assertThat(r.reachable()).isFalse();
        assertThat(r.optedOut()).isFalse();
    }

    @Test
    void splitsTwoNumbersInOneValueAndKeepsTheUnusableRestWithAReason() {
        HealthWorkerRecord r = map("P3");
        assertThat(r.phones()).extracting(HealthWorkerRecord.Phone::e164).containsExactly("+231770123456", "+231881234567", null);
        assertThat(r.phones().get(2).raw()).isEqualTo("N/A");
        assertThat(r.phones().get(2).invalidReason()).isEqualTo("NOT_A_NUMBER");
        assertThat(r.optedOut()).as("another tag code is not an opt-out").isFalse();
        assertThat(r.jobTitle()).isEqualTo("Accountant");
        assertThat(r.cadre()).as("jobs without a cadre exist").isNull();
    }

    @Test
    void contentHashChangesWithContentOnlyNotWithVersion() {
        HealthWorkerRecord a = map("P1");
        HealthWorkerRecord sameContentNewVersion = new HealthWorkerRecord(a.registry(), a.sourceId(), "4", Instant.now(),
                a.displayName(), a.familyName(), a.givenNames(), a.gender(), a.active(), a.optedOut(), a.facilitySourceId(),
                a.jobCode(), a.jobTitle(), a.cadre(), a.nationalId(), a.employeeNumber(), a.rapidproUuid(), a.phones());
        HealthWorkerRecord moved = new HealthWorkerRecord(a.registry(), a.sourceId(), "4", Instant.now(),
                a.displayName(), a.familyName(), a.givenNames(), a.gender(), a.active(), a.optedOut(), "F-99",
                a.jobCode(), a.jobTitle(), a.cadre(), a.nationalId(), a.employeeNumber(), a.rapidproUuid(), a.phones());
        assertThat(sameContentNewVersion.contentHash()).isEqualTo(a.contentHash());
        assertThat(moved.contentHash()).isNotEqualTo(a.contentHash());
    }
}
