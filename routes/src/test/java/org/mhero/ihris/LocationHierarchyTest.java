package org.mhero.ihris;

import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class LocationHierarchyTest {
    static Location loc(String id, String typeSystem, String typeCode, String parent) {
        Location l = new Location();
        l.setId(id);
        l.setName("Name " + id);
        if (typeCode != null) l.addType().addCoding().setSystem(typeSystem).setCode(typeCode);
        if (parent != null) l.setPartOf(new Reference("Location/" + parent));
        return l;
    }

    @Test
    void labelsAncestorsByTypeCodeInAnySystemNotByDepth() {
        LocationHierarchy h = new LocationHierarchy(Set.of("country", "region", "district", "subcounty"));
        h.add(loc("LR", "http://ihris.org/fhir/CodeSystem/ihris-jurisdiction-type", "country", null));
        h.add(loc("R1", "http://ihris.org/fhir/CodeSystem/ihris-jurisdiction", "region", "LR"));   // older system URL
        h.add(loc("D1", "http://ihris.org/fhir/CodeSystem/ihris-jurisdiction-type", "district", "R1"));
        h.add(loc("S1", "http://ihris.org/fhir/CodeSystem/ihris-jurisdiction-type", "subcounty", "D1"));
        h.add(loc("F1", "http://ihris.org/fhir/CodeSystem/ihris-facility-type", "HC", "S1"));
        Map<String, LocationHierarchy.Node> nodes = h.resolve().stream()
                .collect(Collectors.toMap(LocationHierarchy.Node::sourceId, Function.identity()));
        LocationHierarchy.Node f = nodes.get("F1");
        assertThat(f.level()).isEqualTo("facility");
        assertThat(f.path()).isEqualTo("/LR/R1/D1/S1/F1");
        assertThat(f.districtId()).isEqualTo("D1");
        assertThat(f.regionId()).isEqualTo("R1");
        assertThat(f.countryId()).isEqualTo("LR");
        assertThat(nodes.get("R1").level()).isEqualTo("region");
    }

    @Test
    void brokenOrCyclicPartOfEndsTheChainWithoutFailing() {
        LocationHierarchy h = new LocationHierarchy(Set.of("country", "region", "district"));
        h.add(loc("F1", null, null, "MISSING"));
        h.add(loc("A", "x", "district", "B"));
        h.add(loc("B", "x", "region", "A"));
        Map<String, LocationHierarchy.Node> nodes = h.resolve().stream()
                .collect(Collectors.toMap(LocationHierarchy.Node::sourceId, Function.identity()));
        assertThat(nodes.get("F1").path()).isEqualTo("/F1");
        assertThat(nodes.get("F1").districtId()).isNull();
        assertThat(nodes.get("A").path()).isEqualTo("/B/A");
        assertThat(nodes.get("A").regionId()).isEqualTo("B");
    }
}
