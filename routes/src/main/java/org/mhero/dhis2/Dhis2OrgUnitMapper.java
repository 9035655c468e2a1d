package org.mhero.dhis2;

import com.fasterxml.jackson.databind.JsonNode;
import org.mhero.ihris.LocationHierarchy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Maps a DHIS2 organisation unit to a stored location (contracts/dhis2.md §5). The chain comes from {@code path}
 * ({@code /<rootUid>/.../<ownUid>}, root first), so one unit is mapped without its ancestors in hand; each unit on the
 * path is labelled by its level through {@code orgunit.level.names} (e.g. 1=country, 4=facility). Without {@code level}
 * the level is the depth of {@code path}; without {@code path} the chain is the parent and the unit.
 */
public final class Dhis2OrgUnitMapper {
    public static final String REGISTRY = "dhis2";

    private final Map<Integer, String> levelNames;

    public Dhis2OrgUnitMapper(Map<Integer, String> levelNames) {
        this.levelNames = levelNames;
    }

    /** Null for an entry without an id. */
    public LocationHierarchy.Node map(JsonNode ou) {
        String id = text(ou, "id");
        if (id == null) return null;
        String name = firstNonNull(text(ou, "name"), text(ou, "displayName"), text(ou, "shortName"), text(ou, "code"));
        List<String> chain = pathIds(text(ou, "path"));
        boolean fromPath = !chain.isEmpty() && chain.get(chain.size() - 1).equals(id);
        String parent = text(ou.path("parent"), "id");
        if (parent == null && fromPath && chain.size() > 1) parent = chain.get(chain.size() - 2);
        if (!fromPath) {
            chain = new ArrayList<>();
            if (parent != null) chain.add(parent);
            chain.add(id);
        }
        JsonNode lv = ou.get("level");
        int level = lv != null && lv.canConvertToInt() && lv.asInt() > 0 ? lv.asInt() : fromPath ? chain.size() : 0;

        String country = null, region = null, district = null;
        for (int i = 0; i < chain.size(); i++) {
            int l = level == 0 ? 0 : level - (chain.size() - 1 - i);
            switch (levelName(l)) {
                case "country" -> country = chain.get(i);
                case "region" -> region = chain.get(i);
                case "district" -> district = chain.get(i);
                default -> { }
            }
        }
        String path = "/" + String.join("/", chain);
        String levelName = levelName(level);
        return new LocationHierarchy.Node(id, name, levelName, parent, path, country, region, district,
                hash(name, levelName, parent, path, country, region, district));
    }

    /** The configured name of a DHIS2 level; {@code level-<n>} for an unnamed one, {@code unknown} without a level. */
    public String levelName(int level) {
        if (level <= 0) return "unknown";
        String n = levelNames.get(level);
        return n != null ? n : "level-" + level;
    }

    static List<String> pathIds(String path) {
        List<String> out = new ArrayList<>();
        if (path == null) return out;
        for (String s : path.split("/")) if (!s.isBlank()) out.add(s.trim());
        return out;
    }

    private static String hash(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) sb.append(p == null ? "\u0000" : p).append('\u001f');
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(sb.toString().getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) return null;
        String s = v.asText().trim();
        return s.isEmpty() ? null : s;
    }

    @SafeVarargs
    static <T> T firstNonNull(T... values) {
        for (T v : values) if (v != null) return v;
        return null;
    }
}
