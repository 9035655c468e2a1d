package org.mhero.sandbox.ihris;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The generated data itself: §3 phone shapes, determinism, laziness. */
class IhrisDataTest {
    static final FhirContext CTX = FhirContext.forR4Cached();

    static List<String> phones(Practitioner p) {
        List<String> out = new ArrayList<>();
        for (ContactPoint c : p.getTelecom()) if (c.getSystem() == ContactPoint.ContactPointSystem.PHONE && c.hasValue()) out.add(c.getValue());
        return out;
    }

    @Test
    void everyPhoneShapeOfTheContractOccursIn200Workers() {
        IhrisStore st = new IhrisStore(IhrisOptions.defaults(200));
        Map<String, Predicate<Practitioner>> shapes = new LinkedHashMap<>();
        shapes.put("plain E.164", p -> phones(p).stream().anyMatch(v -> v.matches("\\+231(77|88)\\d{7}")));
        shapes.put("trunk 0", p -> phones(p).stream().anyMatch(v -> v.matches("0(77|88)\\d{7}")));
        shapes.put("country code without +", p -> phones(p).stream().anyMatch(v -> v.matches("231(77|88)\\d{7}")));
        shapes.put("dashes", p -> phones(p).stream().anyMatch(v -> v.matches("0\\d\\d-\\d{3}-\\d{4}")));
        shapes.put("brackets and spaces", p -> phones(p).stream().anyMatch(v -> v.matches("\\(0\\d\\d\\) \\d{3} \\d{4}")));
        shapes.put("dots", p -> phones(p).stream().anyMatch(v -> v.matches("0\\d\\d\\.\\d{3}\\.\\d{4}")));
        shapes.put("spaces in E.164", p -> phones(p).stream().anyMatch(v -> v.matches("\\+231 \\d\\d \\d{3} \\d{4}")));
        shapes.put("a/b", p -> phones(p).stream().anyMatch(v -> v.matches("0\\d{9}/0\\d{9}")));
        shapes.put("a, b", p -> phones(p).stream().anyMatch(v -> v.matches("0\\d{9}, 0\\d{9}")));
        shapes.put("a or b", p -> phones(p).stream().anyMatch(v -> v.matches("0\\d{9} or \\+231\\d{9}")));
        shapes.put("++", p -> phones(p).stream().anyMatch(v -> v.startsWith("++231")));
        shapes.put("too short", p -> phones(p).stream().anyMatch(v -> v.matches("\\d{5}")));
        shapes.put("wrong length for the operator", p -> phones(p).stream().anyMatch(v -> v.matches("\\+231\\d{10}")));
        shapes.put("garbage", p -> phones(p).stream().anyMatch(v -> v.equals("N/A")));
        shapes.put("phone without value", p -> p.getTelecom().stream().anyMatch(c -> c.getSystem() == ContactPoint.ContactPointSystem.PHONE && !c.hasValue()));
        shapes.put("no telecom", p -> !p.hasTelecom());
        shapes.put("several phones with rank/use", p -> phones(p).size() >= 3 && p.getTelecom().stream().anyMatch(ContactPoint::hasRank)
                && p.getTelecom().stream().map(ContactPoint::getUse).distinct().count() >= 3);
        shapes.put("email", p -> p.getTelecom().stream().anyMatch(c -> c.getSystem() == ContactPoint.ContactPointSystem.EMAIL));
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, List<String>> byDigits = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            Practitioner p = st.practitioner("P" + i);
            for (var e : shapes.entrySet()) if (e.getValue().test(p)) counts.merge(e.getKey(), 1, Integer::sum);
            for (String v : phones(p)) {
                String digits = v.replaceAll("\\D", "");
                if (digits.length() >= 9 && !v.contains("/") && !v.contains(",") && !v.contains(" or ")) {
                    byDigits.computeIfAbsent(digits.substring(digits.length() - 9), k -> new ArrayList<>()).add("P" + i);
                }
            }
        }
        for (String shape : shapes.keySet()) assertThat(counts).as(shape).containsKey(shape);
        // shared numbers: some number belongs to two different workers
        long shared = byDigits.values().stream().filter(l -> l.stream().distinct().count() > 1).count();
        assertThat(shared).isGreaterThanOrEqualTo(5);
    }

    @Test
    void sameSeedSameData() {
        IhrisStore a = new IhrisStore(IhrisOptions.defaults(5000));
        IhrisStore b = new IhrisStore(IhrisOptions.defaults(5000));
        IhrisStore c = new IhrisStore(IhrisOptions.defaults(5000).withSeed(7));
        var json = CTX.newJsonParser();
        int differ = 0;
        for (int i : new int[]{0, 1, 2, 3, 17, 333, 4999}) {
            assertThat(json.encodeResourceToString(a.practitioner("P" + i))).isEqualTo(json.encodeResourceToString(b.practitioner("P" + i)));
            assertThat(json.encodeResourceToString(a.role("PR" + i))).isEqualTo(json.encodeResourceToString(b.role("PR" + i)));
            if (!json.encodeResourceToString(a.practitioner("P" + i)).equals(json.encodeResourceToString(c.practitioner("P" + i)))) differ++;
        }
        assertThat(differ).isGreaterThan(4);
        assertThat(a.touchPractitioners(3)).isEqualTo(b.touchPractitioners(3));
        // a worker is a function of (seed, i) only: the population size does not change it
        IhrisStore small = new IhrisStore(IhrisOptions.defaults(100));
        assertThat(json.encodeResourceToString(small.practitioner("P42"))).isEqualTo(json.encodeResourceToString(a.practitioner("P42")));
    }

    @Test
    void aMillionWorkersAreLazy() {
        long t0 = System.nanoTime();
        IhrisStore st = new IhrisStore(IhrisOptions.defaults(1_000_000));
        assertThat(st.practitionerCount()).isEqualTo(1_000_000);
        assertThat(st.practitioner("P999999")).isNotNull();
        assertThat(st.practitioner("P1000000")).isNull();
        Instant before = st.maxLastUpdated();
        List<String> touched = st.touchPractitioners(3);
        Selection sel = Selection.of(st.practitioners, before.toEpochMilli() + 1, null, Selection.Criteria.ALL, false);
        assertThat(sel.size).isEqualTo(3);
        assertThat(sel.fetch(0, 3)).extracting(r -> r.getIdElement().getIdPart()).containsExactlyElementsOf(touched);
        Selection all = Selection.of(st.practitioners, null, null, Selection.Criteria.ALL, false);
        assertThat(all.size).isEqualTo(1_000_000);
        List<String> expectedTail = new ArrayList<>();
        for (int i = 999_999; expectedTail.size() < 7; i--) if (!touched.contains("P" + i)) expectedTail.add(0, "P" + i);
        expectedTail.addAll(touched);
        assertThat(all.fetch(999_990, 1_000_000)).extracting(r -> r.getIdElement().getIdPart()).containsExactlyElementsOf(expectedTail);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    }

    @Test
    void clockIsStrictlyMonotonic() {
        IhrisStore st = new IhrisStore(IhrisOptions.defaults(50));
        List<String> ids = st.touchPractitioners(20);
        Instant prev = Instant.MIN;
        for (String id : ids) {
            Instant t = st.lastUpdated("Practitioner", id);
            assertThat(t).isAfter(prev);
            prev = t;
        }
        assertThat(Pattern.matches("P\\d+", ids.get(0))).isTrue();
    }
}
