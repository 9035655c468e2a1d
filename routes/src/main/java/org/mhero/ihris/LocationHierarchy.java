package org.mhero.ihris;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Location;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The facility → district → region → country chain built from {@code Location.partOf}, labelling each ancestor by its
 * type code (any system: older iHRIS releases used another CodeSystem URL), not by depth (contracts/ihris-fhir.md §7).
 */
public final class LocationHierarchy {
    /** One location as we store it: its level, parent and the ids of its ancestors at each level. */
    public record Node(String sourceId, String name, String level, String parentSourceId, String path,
                       String countryId, String regionId, String districtId, String contentHash) {}

    private final Map<String, Location> byId = new HashMap<>();
    private final Set<String> jurisdictionLevels;

    public LocationHierarchy(Set<String> jurisdictionLevels) {
        this.jurisdictionLevels = jurisdictionLevels;
    }

    public void add(Location location) {
        byId.put(location.getIdElement().getIdPart(), location);
    }

    public int size() { return byId.size(); }

    /** Resolves every location; a broken or cyclic {@code partOf} ends the chain where it breaks. */
    public List<Node> resolve() {
        List<Node> out = new ArrayList<>(byId.size());
        for (Location l : byId.values()) out.add(resolve(l));
        return out;
    }

    private Node resolve(Location l) {
        String id = l.getIdElement().getIdPart();
        String level = levelOf(l);
        String parent = l.hasPartOf() ? l.getPartOf().getReferenceElement().getIdPart() : null;
        Deque path = new Deque();
        String country = null, region = null, district = null;
        Set<String> seen = new HashSet<>();
        Location cur = l;
        while (cur != null && seen.add(cur.getIdElement().getIdPart())) {
            String cid = cur.getIdElement().getIdPart();
            path.push(cid);
            switch (levelOf(cur)) {
                case "country" -> country = country == null ? cid : country;
                case "region" -> region = region == null ? cid : region;
                case "district" -> district = district == null ? cid : district;
                default -> { }
            }
            cur = cur.hasPartOf() ? byId.get(cur.getPartOf().getReferenceElement().getIdPart()) : null;
        }
        String p = path.join();
        String hash = Integer.toHexString((l.getName() + "|" + level + "|" + parent + "|" + p).hashCode());
        return new Node(id, l.getName(), level, parent, p, country, region, district, hash);
    }

    /** "facility" for a location not typed as a jurisdiction, else the jurisdiction type code. */
    String levelOf(Location l) {
        for (CodeableConcept cc : l.getType()) {
            for (Coding c : cc.getCoding()) {
                if (c.getCode() != null && jurisdictionLevels.contains(c.getCode())) return c.getCode();
            }
        }
        return "facility";
    }

    private static final class Deque {
        private final ArrayList<String> items = new ArrayList<>();
        void push(String s) { items.add(0, s); }
        String join() { return "/" + String.join("/", items); }
    }
}
