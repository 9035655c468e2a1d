package org.mhero.sandbox.ihris;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The sandbox iHRIS through HTTP, as the product sees it. One server (1,000 workers) for the class. */
class IhrisSandboxTest {
    static IhrisSandbox sandbox;
    static Fhir fhir;

    @BeforeAll
    static void start() {
        sandbox = IhrisSandbox.start(IhrisOptions.defaults(1000));
        fhir = new Fhir(sandbox.baseUrl());
    }

    @AfterAll
    static void stop() { sandbox.close(); }

    static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    static String fhirInstant(Instant t) { return enc(t.toString()); }

    @Test
    void pagingWithNextLinksVisitsEveryPractitionerOnce() {
        List<Bundle> pages = fhir.walk("Practitioner?_count=200");
        assertThat(pages).hasSizeGreaterThanOrEqualTo(5);
        assertThat(pages.get(0).getTotal()).isEqualTo(sandbox.store().practitionerCount());
        assertThat(pages.get(1).getLink(Bundle.LINK_SELF)).isNotNull();
        assertThat(pages.get(0).getLink(Bundle.LINK_NEXT).getUrl()).contains("_getpages=").contains("_getpagesoffset=200");
        List<String> ids = new ArrayList<>();
        for (Bundle b : pages) for (Resource r : Fhir.matches(b)) ids.add(r.getIdElement().getIdPart());
        assertThat(ids).doesNotHaveDuplicates().hasSize(sandbox.store().practitionerCount());
        for (int i = 0; i < 1000; i++) assertThat(ids).contains("P" + i);
    }

    @Test
    void defaultPageSizeIs20AndCountIsCappedAt200() {
        Bundle b = fhir.bundle("Practitioner");
        assertThat(b.getEntry()).hasSize(20);
        Bundle big = fhir.bundle("Practitioner?_count=500");
        assertThat(big.getEntry()).hasSize(200);
    }

    @Test
    void walkStaysExactWhileWorkersChange() {
        IhrisSandbox s = IhrisSandbox.start(IhrisOptions.defaults(600));
        try {
            Fhir f = new Fhir(s.baseUrl());
            Bundle b = f.bundle("Practitioner?_sort=_lastUpdated&_count=100");
            List<String> ids = new ArrayList<>();
            while (true) {
                for (Resource r : Fhir.matches(b)) ids.add(r.getIdElement().getIdPart());
                s.store().touchPractitioners(7); // concurrent edits in iHRIS during the walk
                if (b.getLink(Bundle.LINK_NEXT) == null) break;
                b = f.bundle(b.getLink(Bundle.LINK_NEXT).getUrl());
            }
            assertThat(ids).doesNotHaveDuplicates().hasSize(600);
        } finally {
            s.close();
        }
    }

    @Test
    void lastUpdatedGeAfterTouchReturnsExactlyTheTouched() {
        IhrisSandbox s = IhrisSandbox.start(IhrisOptions.defaults(2000));
        try {
            Fhir f = new Fhir(s.baseUrl());
            Instant wm = s.store().maxLastUpdated();
            List<String> touched = s.store().touchPractitioners(5);
            assertThat(touched).hasSize(5).doesNotHaveDuplicates();
            assertThat(s.store().maxLastUpdated()).isAfter(wm);

            Bundle b = f.bundle("Practitioner?_lastUpdated=gt" + fhirInstant(wm) + "&_sort=_lastUpdated&_count=200");
            List<String> ids = Fhir.matches(b).stream().map(r -> r.getIdElement().getIdPart()).toList();
            assertThat(ids).containsExactlyElementsOf(touched); // lastUpdated order = touch order
            for (Resource r : Fhir.matches(b)) assertThat(r.getMeta().getVersionId()).isEqualTo("2");

            // ge at the first touched timestamp: same five; at the old watermark: those five plus the boundary one
            Instant first = s.store().lastUpdated("Practitioner", touched.get(0));
            assertThat(Fhir.matches(f.bundle("Practitioner?_lastUpdated=ge" + fhirInstant(first)))).hasSize(5);
            assertThat(Fhir.matches(f.bundle("Practitioner?_lastUpdated=ge" + fhirInstant(wm)))).hasSize(6);

            // descending puts the last change first
            Bundle desc = f.bundle("Practitioner?_sort=-_lastUpdated&_count=3");
            assertThat(Fhir.matches(desc).get(0).getIdElement().getIdPart()).isEqualTo(touched.get(4));

            // ascending walk: untouched in index order, then the touched ones
            List<String> all = new ArrayList<>();
            for (Bundle p : f.walk("Practitioner?_sort=_lastUpdated&_count=200")) {
                for (Resource r : Fhir.matches(p)) all.add(r.getIdElement().getIdPart());
            }
            assertThat(all).hasSize(2000).endsWith(touched.toArray(new String[0]));
            // lastUpdated is non-decreasing along the walk
            Instant prev = Instant.MIN;
            for (String id : all) {
                Instant t = s.store().lastUpdated("Practitioner", id);
                assertThat(t).isAfterOrEqualTo(prev);
                prev = t;
            }
        } finally {
            s.close();
        }
    }

    @Test
    void revincludeBringsRolesAsIncludes() {
        Bundle b = fhir.bundle("Practitioner?_id=P3,P4,P13&_revinclude=PractitionerRole:practitioner");
        assertThat(Fhir.matches(b)).extracting(r -> r.getIdElement().getIdPart()).containsExactlyInAnyOrder("P3", "P4", "P13");
        List<Resource> inc = Fhir.includes(b);
        assertThat(inc).allMatch(r -> r instanceof PractitionerRole);
        Map<String, Integer> rolesPer = new HashMap<>();
        for (Resource r : inc) rolesPer.merge(((PractitionerRole) r).getPractitioner().getReference(), 1, Integer::sum);
        // P3 and P13 have an ended role besides the current one
        assertThat(rolesPer).containsEntry("Practitioner/P3", 2).containsEntry("Practitioner/P4", 1).containsEntry("Practitioner/P13", 2);
        // POST _search works too (form body)
        HttpResponse<String> post = fhir.send("POST", "Practitioner/_search", "application/x-www-form-urlencoded",
                "_id=P3,P4&_revinclude=PractitionerRole:practitioner");
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(Fhir.includes(fhir.parser().parseResource(Bundle.class, post.body()))).hasSize(3);
    }

    @Test
    void includeOnRolesBringsPractitionersAndFacilities() {
        Bundle b = fhir.bundle("PractitionerRole?_include=PractitionerRole:practitioner&_include=PractitionerRole:location&_count=50");
        assertThat(Fhir.matches(b)).hasSize(50);
        Set<String> inc = new HashSet<>();
        for (Resource r : Fhir.includes(b)) inc.add(r.fhirType() + "/" + r.getIdElement().getIdPart());
        for (Resource r : Fhir.matches(b)) {
            PractitionerRole pr = (PractitionerRole) r;
            assertThat(inc).contains(pr.getPractitioner().getReference(), pr.getLocationFirstRep().getReference());
        }
        assertThat(b.getLink(Bundle.LINK_NEXT)).isNotNull();
        Bundle page2 = fhir.bundle(b.getLink(Bundle.LINK_NEXT).getUrl());
        assertThat(Fhir.matches(page2)).hasSize(50);
        assertThat(Fhir.includes(page2)).isNotEmpty();
    }

    @Test
    void putWithStaleIfMatchIs409AndWithCurrentIsNewVersion() {
        HttpResponse<String> r = fhir.get("Practitioner/P17");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("ETag")).contains("W/\"1\"");
        Practitioner p = fhir.parser().parseResource(Practitioner.class, r.body());
        p.addIdentifier().setSystem(IhrisStore.CONTACT_UUID_SYSTEM).setValue("0d1c2b3a-0000-4000-8000-000000000017");
        String body = fhir.parser().encodeResourceToString(p);

        HttpResponse<String> stale = fhir.send("PUT", "Practitioner/P17", "application/fhir+json", body, "If-Match", "W/\"7\"");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.body()).contains("HAPI-0989");

        HttpResponse<String> ok = fhir.send("PUT", "Practitioner/P17", "application/fhir+json", body, "If-Match", "W/\"1\"");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("ETag")).contains("W/\"2\"");
        Practitioner after = fhir.read(Practitioner.class, "Practitioner/P17");
        assertThat(after.getMeta().getVersionId()).isEqualTo("2");
        assertThat(after.getMeta().getLastUpdated().toInstant()).isAfter(Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(after.getIdentifier()).anyMatch(i -> IhrisStore.CONTACT_UUID_SYSTEM.equals(i.getSystem()));

        // the old version is still readable; the same body again is a no-op (no new version, like HAPI JPA)
        assertThat(fhir.read(Practitioner.class, "Practitioner/P17/_history/1").getMeta().getVersionId()).isEqualTo("1");
        HttpResponse<String> again = fhir.send("PUT", "Practitioner/P17", "application/fhir+json", body);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.headers().firstValue("ETag")).contains("W/\"2\"");
    }

    @Test
    void putCreatesWithClientIdAndRefusesNumericIds() {
        Practitioner p = new Practitioner();
        p.setId("mhero-test-1");
        p.setActive(true);
        p.addName().setFamily("Test").addGiven("Ada");
        HttpResponse<String> created = fhir.send("PUT", "Practitioner/mhero-test-1", "application/fhir+json",
                fhir.parser().encodeResourceToString(p));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(sandbox.store().practitioner("mhero-test-1").getMeta().getVersionId()).isEqualTo("1");

        p.setId("12345");
        HttpResponse<String> numeric = fhir.send("PUT", "Practitioner/12345", "application/fhir+json",
                fhir.parser().encodeResourceToString(p));
        assertThat(numeric.statusCode()).isIn(400, 404);
        sandbox.store().delete("Practitioner", "mhero-test-1");
        assertThat(fhir.get("Practitioner/mhero-test-1").statusCode()).isEqualTo(410);
        assertThat(fhir.get("Practitioner/nobody").statusCode()).isEqualTo(404);
    }

    @Test
    void jsonPatchAddsAnIdentifierAndHonoursIfMatch() {
        // a worker that already has identifiers (appending with /identifier/- needs the array to exist, as in HAPI)
        String id = null;
        for (int i = 20; id == null; i++) if (sandbox.store().practitioner("P" + i).hasIdentifier()) id = "P" + i;
        String uuid = "c0ffee00-0000-4000-8000-000000000021";
        String patch = "[{\"op\":\"add\",\"path\":\"/identifier/-\",\"value\":{\"system\":\"http://app.rapidpro.io/contact-uuid\",\"value\":\"" + uuid + "\"}}]";
        HttpResponse<String> stale = fhir.send("PATCH", "Practitioner/" + id, "application/json-patch+json", patch, "If-Match", "W/\"3\"");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.body()).contains("HAPI-0989");

        HttpResponse<String> ok = fhir.send("PATCH", "Practitioner/" + id, "application/json-patch+json", patch, "If-Match", "W/\"1\"");
        assertThat(ok.statusCode()).isEqualTo(200);
        Practitioner p = fhir.read(Practitioner.class, "Practitioner/" + id);
        assertThat(p.getMeta().getVersionId()).isEqualTo("2");
        assertThat(p.getIdentifier()).extracting(Identifier::getValue).contains(uuid);

        // a failing test op is a 400 and changes nothing
        String failing = "[{\"op\":\"test\",\"path\":\"/active\",\"value\":false},{\"op\":\"replace\",\"path\":\"/active\",\"value\":false}]";
        HttpResponse<String> bad = fhir.send("PATCH", "Practitioner/" + id, "application/json-patch+json", failing);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(fhir.read(Practitioner.class, "Practitioner/" + id).getMeta().getVersionId()).isEqualTo("2");

        // the patched worker is found by its contact uuid
        Bundle found = fhir.bundle("Practitioner?identifier=" + enc("http://app.rapidpro.io/contact-uuid|" + uuid));
        assertThat(Fhir.matches(found)).extracting(r -> r.getIdElement().getIdPart()).containsExactly(id);

        // a worker without identifiers: add the whole array instead
        String bare = null;
        for (int i = 0; bare == null; i++) if (!sandbox.store().practitioner("P" + i).hasIdentifier()) bare = "P" + i;
        HttpResponse<String> noArray = fhir.send("PATCH", "Practitioner/" + bare, "application/json-patch+json", patch);
        assertThat(noArray.statusCode()).isEqualTo(400);
        String whole = "[{\"op\":\"add\",\"path\":\"/identifier\",\"value\":[{\"system\":\"http://app.rapidpro.io/contact-uuid\",\"value\":\"x-1\"}]}]";
        assertThat(fhir.send("PATCH", "Practitioner/" + bare, "application/json-patch+json", whole).statusCode()).isEqualTo(200);
    }

    @Test
    void metaAddAndDeleteChangeTheOptOutTagWithoutANewVersion() {
        String params = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"meta\",\"valueMeta\":{\"tag\":[{\"system\":\"http://mhero.org/codesystem\",\"code\":\"optedout\",\"display\":\"Opted Out\"}]}}]}";
        HttpResponse<String> add = fhir.send("POST", "Practitioner/P40/$meta-add", "application/fhir+json", params);
        assertThat(add.statusCode()).isEqualTo(200);
        Parameters out = fhir.parser().parseResource(Parameters.class, add.body());
        assertThat(out.getParameterFirstRep().getName()).isEqualTo("return");
        Practitioner p = fhir.read(Practitioner.class, "Practitioner/P40");
        assertThat(p.getMeta().getTag()).anyMatch(c -> "optedout".equals(c.getCode()));
        assertThat(p.getMeta().getVersionId()).isEqualTo("1");
        assertThat(Fhir.matches(fhir.bundle("Practitioner?_id=P40&_tag=" + enc("http://mhero.org/codesystem|optedout")))).hasSize(1);

        HttpResponse<String> del = fhir.send("POST", "Practitioner/P40/$meta-delete", "application/fhir+json", params);
        assertThat(del.statusCode()).isEqualTo(200);
        assertThat(fhir.read(Practitioner.class, "Practitioner/P40").getMeta().getTag()).noneMatch(c -> "optedout".equals(c.getCode()));
    }

    @Test
    void tagAndIdentifierSearchesAgreeWithTheData() {
        int tagged = 0, linked = 0;
        for (int i = 0; i < 1000; i++) {
            Practitioner p = sandbox.store().practitioner("P" + i);
            if (p.getMeta().getTag().stream().anyMatch(c -> "optedout".equals(c.getCode()))) tagged++;
            if (p.getIdentifier().stream().anyMatch(x -> IhrisStore.CONTACT_UUID_SYSTEM.equals(x.getSystem()))) linked++;
        }
        // other tests in this class may add or remove a tag on P40 / an identifier on P17, P21: compare loosely
        Bundle t = fhir.bundle("Practitioner?_tag=" + enc("http://mhero.org/codesystem|optedout") + "&_count=0");
        assertThat(t.getTotal()).isBetween(tagged - 1, tagged + 1).isPositive();
        Bundle l = fhir.bundle("Practitioner?identifier=" + enc("http://app.rapidpro.io/contact-uuid|") + "&_count=0");
        assertThat(l.getTotal()).isBetween(linked - 2, linked + 2).isGreaterThan(200);
        Bundle inactive = fhir.bundle("Practitioner?active=false&_count=0");
        assertThat(inactive.getTotal()).isBetween(20, 90);
    }

    @Test
    void jobCodeSystemCarriesCadres() {
        Bundle b = fhir.bundle("CodeSystem?url=" + enc("http://ihris.org/fhir/CodeSystem/ihris-job"));
        assertThat(Fhir.matches(b)).hasSize(1);
        CodeSystem cs = (CodeSystem) Fhir.matches(b).get(0);
        assertThat(cs.getProperty()).extracting(CodeSystem.PropertyComponent::getCode).contains("cadre", "classification");
        Map<String, String> cadre = new HashMap<>();
        for (CodeSystem.ConceptDefinitionComponent c : cs.getConcept()) {
            String v = c.getProperty().stream().filter(p -> p.getCode().equals("cadre")).map(p -> ((Coding) p.getValue()).getCode())
                    .findFirst().orElse(null);
            cadre.put(c.getCode(), v);
        }
        assertThat(cadre).containsEntry("2221-1D", "doctor").containsEntry("2230-1B", "nurse").containsValue(null);
        assertThat(cadre).hasSizeGreaterThanOrEqualTo(8);
        HttpResponse<String> lookup = fhir.get("CodeSystem/$lookup?system=" + enc("http://ihris.org/fhir/CodeSystem/ihris-job")
                + "&code=2230-1B&property=cadre");
        assertThat(lookup.statusCode()).isEqualTo(200);
        assertThat(lookup.body()).contains("\"nurse\"");
    }

    @Test
    void everyFacilityChainsUpToTheCountry() {
        Map<String, Location> all = new HashMap<>();
        for (Bundle b : fhir.walk("Location?_count=200")) for (Resource r : Fhir.matches(b)) all.put(r.getIdElement().getIdPart(), (Location) r);
        assertThat(all).hasSize(sandbox.store().locationCount());
        int facilities = 0;
        for (Location l : all.values()) {
            String code = l.getTypeFirstRep().getCodingFirstRep().getCode();
            if (code.equals("country")) continue;
            Location cur = l;
            List<String> levels = new ArrayList<>();
            while (cur.hasPartOf()) {
                cur = all.get(cur.getPartOf().getReferenceElement().getIdPart());
                levels.add(cur.getTypeFirstRep().getCodingFirstRep().getCode());
            }
            assertThat(levels).last().isEqualTo("country");
            if (!List.of("region", "district").contains(code)) {
                facilities++;
                assertThat(levels).containsExactly("district", "region", "country");
            }
        }
        assertThat(facilities).isEqualTo(sandbox.store().facilityCount());
        long oldSystem = all.values().stream().filter(l -> l.getTypeFirstRep().getCodingFirstRep().getSystem()
                .equals("http://ihris.org/fhir/CodeSystem/ihris-jurisdiction")).count();
        assertThat(oldSystem).isPositive();
    }

    @Test
    void trainingsByProfile() {
        Bundle b = fhir.bundle("Basic?_profile=" + enc("http://ihris.org/fhir/StructureDefinition/ihris-basic-inservice-training") + "&_count=10");
        assertThat(b.getTotal()).isEqualTo(sandbox.store().trainingCount()).isBetween(250, 350);
        assertThat(Fhir.matches(b)).hasSize(10);
        assertThat(Fhir.matches(b).get(0).getMeta().getProfile().get(0).getValue()).endsWith("ihris-basic-inservice-training");
    }

    @Test
    void faultsApplyToFhirRequests() {
        IhrisSandbox s = IhrisSandbox.start(IhrisOptions.defaults(10));
        try {
            Fhir f = new Fhir(s.baseUrl());
            s.faults().force5xx(1);
            HttpResponse<String> r = f.get("Practitioner/P1");
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(f.parser().parseResource(OperationOutcome.class, r.body()).getIssueFirstRep().getDiagnostics()).contains("injected");
            assertThat(f.get("Practitioner/P1").statusCode()).isEqualTo(200);
            s.faults().force429(1);
            HttpResponse<String> t = f.get("Practitioner/P1");
            assertThat(t.statusCode()).isEqualTo(429);
            assertThat(t.headers().firstValue("Retry-After")).isPresent();
            s.faults().down(true);
            assertThat(f.get("Practitioner?_count=1").statusCode()).isEqualTo(503);
            s.faults().reset();
            assertThat(f.get("Practitioner?_count=1", "Cache-Control", "no-cache").statusCode()).isEqualTo(200);
            assertThat(s.requestCount()).isEqualTo(5);
            assertThat(s.calls().all()).extracting(c -> c.status()).containsExactly(500, 200, 429, 503, 200);
        } finally {
            s.close();
        }
    }

    @Test
    void typeHistoryShowsChangesAndDeletions() {
        IhrisSandbox s = IhrisSandbox.start(IhrisOptions.defaults(100));
        try {
            Fhir f = new Fhir(s.baseUrl());
            Instant wm = s.store().maxLastUpdated();
            List<String> touched = s.store().touchPractitioners(2);
            s.store().delete("Practitioner", "P9");
            Bundle h = f.bundle("Practitioner/_history?_since=" + fhirInstant(wm.plusMillis(1)));
            assertThat(h.getType()).isEqualTo(Bundle.BundleType.HISTORY);
            assertThat(h.getEntry()).hasSize(3);
            Bundle.BundleEntryComponent del = h.getEntry().get(0); // newest first
            assertThat(del.getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.DELETE);
            assertThat(del.getRequest().getUrl()).contains("Practitioner/P9");
            assertThat(h.getEntry().get(2).getResource().getIdElement().getIdPart()).isEqualTo(touched.get(0));
            assertThat(h.getEntry().get(2).getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.PUT);
            assertThat(f.get("Practitioner/P9").statusCode()).isEqualTo(410);
            assertThat(f.bundle("Practitioner?_count=0").getTotal()).isEqualTo(99);
            // the whole history: 100 generated version 1s plus the 3 changes, paged
            int n = 0;
            for (Bundle b : f.walk("Practitioner/_history?_count=50")) n += b.getEntry().size();
            assertThat(n).isEqualTo(103);
        } finally {
            s.close();
        }
    }

    @Test
    void storeMutationsShowThroughTheApi() {
        IhrisSandbox s = IhrisSandbox.start(IhrisOptions.defaults(100));
        try {
            Fhir f = new Fhir(s.baseUrl());
            IhrisStore st = s.store();
            Instant wm = st.maxLastUpdated("PractitionerRole");
            String id = st.addPractitioner("Ada", "Kollie", "+231770000001", "2230-1B", st.facilityId(3));
            assertThat(id).isEqualTo("P100");
            assertThat(st.practitionerCount()).isEqualTo(101);
            st.deactivate("P5");
            assertThat(f.read(Practitioner.class, "Practitioner/P5").getActive()).isFalse();
            String role = st.movePractitioner("P6", st.facilityId(7));
            assertThat(role).isEqualTo("PR6");
            Bundle roles = f.bundle("PractitionerRole?_lastUpdated=gt" + fhirInstant(wm) + "&_include=PractitionerRole:location");
            assertThat(Fhir.matches(roles)).extracting(r -> r.getIdElement().getIdPart()).containsExactly("PR100", "PR6");
            assertThat(((PractitionerRole) Fhir.matches(roles).get(1)).getLocationFirstRep().getReference()).isEqualTo("Location/" + st.facilityId(7));
            assertThat(Fhir.includes(roles)).extracting(r -> r.getIdElement().getIdPart()).contains(st.facilityId(7), st.facilityId(3));
            assertThat(f.bundle("Practitioner?_count=0").getTotal()).isEqualTo(101);
        } finally {
            s.close();
        }
    }
}
