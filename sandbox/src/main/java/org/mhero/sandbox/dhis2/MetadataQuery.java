package org.mhero.sandbox.dhis2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The metadata query language of the DHIS2 Web API, as far as mHero uses it: {@code fields} (nesting with [] or (),
 * presets {@code *}, {@code :all}, {@code :owner}, {@code :identifiable}, {@code :nameable}, exclusion {@code !x}),
 * {@code filter} (all operators of contracts/dhis2.md §4, nested paths through references) and {@code order}.
 * References ({@code {"id": …}}) are resolved through the resolver when a path or field selection goes into them.
 */
final class MetadataQuery {
    private MetadataQuery() {}

    record Field(String name, List<Field> children, boolean exclude) {}

    // ------------------------------------------------------------------ fields

    static List<Field> parseFields(String spec) {
        List<Field> out = new ArrayList<>();
        if (spec == null) return out;
        int depth = 0, start = 0;
        for (int i = 0; i <= spec.length(); i++) {
            char c = i < spec.length() ? spec.charAt(i) : ',';
            if (c == '[' || c == '(') depth++;
            else if (c == ']' || c == ')') depth--;
            else if (c == ',' && depth == 0) {
                String tok = spec.substring(start, i).trim();
                start = i + 1;
                if (tok.isEmpty()) continue;
                boolean ex = tok.startsWith("!");
                if (ex) tok = tok.substring(1);
                int b = indexOfOpen(tok);
                if (b < 0) out.add(new Field(stripTransform(tok), null, ex));
                else out.add(new Field(stripTransform(tok.substring(0, b)), parseFields(tok.substring(b + 1, tok.length() - 1)), ex));
            }
        }
        return out;
    }

    private static int indexOfOpen(String s) {
        int a = s.indexOf('['), b = s.indexOf('(');
        if (a < 0) return b;
        if (b < 0) return a;
        return Math.min(a, b);
    }

    private static String stripTransform(String s) {
        int t = s.indexOf('~');
        return (t < 0 ? s : s.substring(0, t)).trim();
    }

    private static boolean isRef(JsonNode n) { return n.isObject() && n.size() == 1 && n.has("id"); }

    /**
     * The selected fields of {@code full}. Kept small on purpose: one large method holding the presets, the field loop
     * and (inlined through {@link #projectNested}) itself again made C2 recompile it for over a second whenever a new
     * node type reached one of its calls, on the same two cores as the client being measured.
     */
    static ObjectNode project(ObjectMapper json, JsonNode full, List<Field> fields, Function<String, ObjectNode> resolver) {
        ObjectNode out = json.createObjectNode();
        boolean presets = false, excludes = false;
        for (Field f : fields) {
            if (f.exclude()) excludes = true;
            else if (f.name().startsWith(":") || f.name().equals("*")) presets = true;
        }
        if (presets) addPresets(full, fields, out);
        for (Field f : fields) {
            if (f.exclude() || f.name().startsWith(":") || f.name().equals("*")) continue;
            JsonNode v = full.get(f.name());
            if (v == null || v.isNull()) continue;
            out.set(f.name(), projectValue(json, v, f.children(), resolver));
        }
        if (excludes) for (Field f : fields) if (f.exclude()) out.remove(f.name());
        return out;
    }

    private static void addPresets(JsonNode full, List<Field> fields, ObjectNode out) {
        List<String> presetKeys = new ArrayList<>();
        for (Field f : fields) {
            if (f.exclude()) continue;
            switch (f.name()) {
                case "*", ":all", ":owner", ":persisted" -> full.fieldNames().forEachRemaining(presetKeys::add);
                case ":identifiable" -> presetKeys.addAll(List.of("id", "name", "code", "created", "lastUpdated", "displayName"));
                case ":nameable" -> presetKeys.addAll(List.of("id", "name", "code", "created", "lastUpdated", "displayName",
                        "shortName", "displayShortName", "description"));
                case ":simple" -> full.fields().forEachRemaining(e -> { if (e.getValue().isValueNode()) presetKeys.add(e.getKey()); });
                default -> { }
            }
        }
        for (String k : presetKeys) {
            if (k.startsWith("_")) continue;
            JsonNode v = full.get(k);
            if (v != null && !v.isNull()) out.set(k, copy(v));
        }
    }

    /** One selected value: as it is, or its own selected fields (per element of an array). */
    private static JsonNode projectValue(ObjectMapper json, JsonNode v, List<Field> children, Function<String, ObjectNode> resolver) {
        if (children == null || children.isEmpty()) return copy(v);
        if (v.isArray()) {
            ArrayNode a = json.createArrayNode();
            for (JsonNode e : v) a.add(projectNested(json, e, children, resolver));
            return a;
        }
        if (v.isObject()) return projectNested(json, v, children, resolver);
        return copy(v);
    }

    /** Value nodes are immutable: only containers need copying. */
    private static JsonNode copy(JsonNode v) {
        return v.isContainerNode() ? v.deepCopy() : v;
    }

    private static JsonNode projectNested(ObjectMapper json, JsonNode e, List<Field> children, Function<String, ObjectNode> resolver) {
        if (!e.isObject()) return copy(e);
        JsonNode target = e;
        if (isRef(e)) {
            ObjectNode resolved = resolver.apply(e.get("id").asText());
            if (resolved != null) target = resolved;
        }
        return project(json, target, children, resolver);
    }

    // ------------------------------------------------------------------ filters

    record Filter(String[] path, String op, String value) {}

    static Filter parseFilter(String f) {
        String[] parts = f.split(":", 3);
        if (parts.length < 2) throw new IllegalArgumentException("Invalid filter: " + f);
        return new Filter(parts[0].split("\\."), parts[1], parts.length > 2 ? parts[2] : null);
    }

    static List<JsonNode> values(JsonNode node, String[] path, int i, Function<String, ObjectNode> resolver) {
        List<JsonNode> out = new ArrayList<>();
        collect(node, path, i, resolver, out);
        return out;
    }

    private static void collect(JsonNode node, String[] path, int i, Function<String, ObjectNode> resolver, List<JsonNode> out) {
        if (node == null || node.isNull() || node.isMissingNode()) return;
        if (node.isArray()) {
            for (JsonNode e : node) collect(e, path, i, resolver, out);
            return;
        }
        if (i == path.length) {
            out.add(node);
            return;
        }
        if (!node.isObject()) return;
        JsonNode n = node;
        if (isRef(n) && !path[i].equals("id")) {
            ObjectNode r = resolver.apply(n.get("id").asText());
            if (r == null) return;
            n = r;
        }
        collect(n.get(path[i]), path, i + 1, resolver, out);
    }

    static boolean matches(JsonNode obj, Filter f, Function<String, ObjectNode> resolver) {
        List<JsonNode> leaves = values(obj, f.path(), 0, resolver);
        String op = f.op();
        String v = f.value();
        switch (op) {
            case "null": return leaves.isEmpty();
            case "!null": return !leaves.isEmpty();
            case "empty": return leaves.isEmpty() || leaves.stream().allMatch(l -> l.isTextual() && l.asText().isEmpty());
            case "!empty": return !(leaves.isEmpty() || leaves.stream().allMatch(l -> l.isTextual() && l.asText().isEmpty()));
            default: break;
        }
        boolean negated = op.startsWith("!") || op.equals("ne");
        String pos = op.equals("ne") ? "eq" : negated ? op.substring(1) : op;
        if (leaves.isEmpty()) return false; // SQL semantics: a missing value matches neither x nor !x
        boolean any = false;
        for (JsonNode l : leaves) {
            if (test(l, pos, v)) { any = true; break; }
        }
        return negated != any;
    }

    private static boolean test(JsonNode leaf, String op, String v) {
        if (!leaf.isValueNode()) return false;
        String s = leaf.asText();
        String val = v == null ? "" : v;
        switch (op) {
            case "eq": return s.equals(val);
            case "ieq": return s.equalsIgnoreCase(val);
            case "like": return s.contains(val);
            case "ilike": return lc(s).contains(lc(val));
            case "$like": return s.startsWith(val);
            case "$ilike": return lc(s).startsWith(lc(val));
            case "like$": return s.endsWith(val);
            case "ilike$": return lc(s).endsWith(lc(val));
            case "token": {
                for (String t : lc(val).split("\\s+")) if (!lc(s).contains(t)) return false;
                return true;
            }
            case "in": return parseList(val).contains(s);
            case "gt": return compare(leaf, val) > 0;
            case "ge": return compare(leaf, val) >= 0;
            case "lt": return compare(leaf, val) < 0;
            case "le": return compare(leaf, val) <= 0;
            default: throw new IllegalArgumentException("Unsupported operator: " + op);
        }
    }

    static List<String> parseList(String v) {
        String s = v.trim();
        if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
        List<String> out = new ArrayList<>();
        for (String p : s.split(",")) out.add(p.trim());
        return out;
    }

    private static String lc(String s) { return s.toLowerCase(Locale.ROOT); }

    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd").optionalStart().appendLiteral('T').appendPattern("HH:mm")
            .optionalStart().appendPattern(":ss").optionalEnd()
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalEnd()
            .optionalStart().appendPattern("[XXX][XX][X]").optionalEnd()
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0).parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
            .toFormatter(Locale.ROOT);

    private static LocalDateTime date(String s) {
        try {
            return LocalDateTime.parse(s, LENIENT);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static int compare(JsonNode leaf, String v) {
        if (leaf.isNumber()) {
            try {
                return leaf.decimalValue().compareTo(new BigDecimal(v));
            } catch (NumberFormatException ignored) { /* fall through */ }
        }
        String s = leaf.asText();
        LocalDateTime a = date(s), b = date(v);
        if (a != null && b != null) return a.compareTo(b);
        return s.compareTo(v);
    }

    // ------------------------------------------------------------------ order

    static Comparator<JsonNode> order(String spec, Function<String, ObjectNode> resolver) {
        Comparator<JsonNode> c = null;
        for (String part : spec.split(",")) {
            if (part.isBlank()) continue;
            String[] p = part.split(":");
            String[] path = p[0].trim().split("\\.");
            String dir = p.length > 1 ? p[1].trim().toLowerCase(Locale.ROOT) : "asc";
            boolean ci = dir.startsWith("i");
            boolean desc = dir.endsWith("desc");
            Comparator<JsonNode> one = (x, y) -> {
                List<JsonNode> a = values(x, path, 0, resolver), b = values(y, path, 0, resolver);
                if (a.isEmpty() || b.isEmpty()) return Boolean.compare(a.isEmpty(), b.isEmpty());
                JsonNode va = a.get(0), vb = b.get(0);
                if (va.isNumber() && vb.isNumber()) return va.decimalValue().compareTo(vb.decimalValue());
                return ci ? va.asText().compareToIgnoreCase(vb.asText()) : va.asText().compareTo(vb.asText());
            };
            if (desc) one = one.reversed();
            c = c == null ? one : c.thenComparing(one);
        }
        return c;
    }

    static Map<String, JsonNode> asMap(JsonNode n) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }
}
