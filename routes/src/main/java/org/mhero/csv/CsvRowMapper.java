package org.mhero.csv;

import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.ihris.LocationHierarchy;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.phone.PhoneResult;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps one spreadsheet row to a {@link HealthWorkerRecord} of the {@code csv} registry, through the configured
 * {@code column.<field> = <header>} mapping: first {@link #bind} the header (headers are matched ignoring case and
 * surrounding blanks), then {@link #map} each row.
 *
 * <p><b>Rows.</b> Cells are trimmed; a blank or absent cell is null. The source id is the id column. The display name is
 * the given and family names, or the name column when both are blank. Phones: one cell may hold several numbers
 * (split by {@link PhoneNormalizer}), ranked in order, the first usable one primary; unusable values are kept with
 * their reason. Gender is read as male/female/other/unknown (m, f, man, woman too), anything else null. Active is true
 * when blank or yes/y/true/1/active, false for no/n/false/0/inactive. A row is <b>rejected with a reason</b> (never
 * silently dropped) when it has no id, no name, an active value that is neither, or more non-blank cells than the
 * header has columns (a delimiter inside an unquoted value shifts every later column). Reasons name columns, never a
 * cell's content.
 *
 * <p><b>Locations.</b> A spreadsheet has names, not ids, so a location's id is built from the names of its chain:
 * the slug of each of country, region, district and facility down to it, {@code -} for a level left blank, joined by
 * {@code /} (e.g. {@code liberia/bong/suakoko/phebe-hospital}, {@code liberia/-/suakoko}). Slugs ignore case, accents,
 * punctuation and repeated blanks, so {@code "St. Joseph's"} and {@code "st joseph s"} are the same facility. The same
 * names always give the same id: re-imports and other files of the country find the same locations. The worker's
 * location is the deepest one given (a district when the facility is blank).
 */
public final class CsvRowMapper {
    public static final String REGISTRY = "csv";
    static final List<String> LEVELS = List.of("country", "region", "district", "facility");
    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern NOT_SLUG = Pattern.compile("[^\\p{L}\\p{N}]+");
    private static final Pattern BLANKS = Pattern.compile("\\s+");
    private static final Set<String> YES = Set.of("yes", "y", "true", "1", "active");
    private static final Set<String> NO = Set.of("no", "n", "false", "0", "inactive");

    private final Map<String, String> columns;
    private final PhoneNormalizer phones;

    /** {@code columns}: field → header, as {@link CsvSettings#columns()}. */
    public CsvRowMapper(Map<String, String> columns, PhoneNormalizer phones) {
        this.columns = columns;
        this.phones = phones;
    }

    /** A header bound to the mapping: the column index of each field present in the file. */
    public static final class Header {
        private final Map<String, Integer> index;
        private final Map<String, String> names;
        private final int size;
        private final List<String> missing;

        private Header(Map<String, Integer> index, Map<String, String> names, int size, List<String> missing) {
            this.index = index;
            this.names = names;
            this.size = size;
            this.missing = missing;
        }

        /** The mapped headers the file does not have (those fields are read as blank), as {@code field ('Header')}. */
        public List<String> missing() { return missing; }
        public int size() { return size; }
    }

    /** The outcome of one row: a record and its locations, or the reason it is rejected. */
    public record Mapped(HealthWorkerRecord record, List<LocationHierarchy.Node> locations, String rejection) {
        public boolean rejected() { return rejection != null; }
        static Mapped reject(String reason) { return new Mapped(null, List.of(), reason); }
    }

    /**
     * Binds the header row. A header without the id column, without any of the name columns, or with a mapped header
     * twice, cannot be imported: {@link CsvFormatException}, before anything is written.
     */
    public Header bind(List<String> header) {
        Set<String> mapped = new java.util.HashSet<>();
        columns.values().forEach(v -> mapped.add(key(v)));
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String h = key(header.get(i));
            if (h.isEmpty()) continue;
            if (byName.putIfAbsent(h, i) != null && mapped.contains(h)) {
                throw new CsvFormatException(1, "the header has the column '" + header.get(i).trim() + "' twice");
            }
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (var e : columns.entrySet()) {
            Integer i = byName.get(key(e.getValue()));
            if (i != null) index.put(e.getKey(), i);
            else missing.add(e.getKey() + " ('" + e.getValue() + "')");
        }
        if (!index.containsKey(CsvSettings.ID)) {
            throw new CsvFormatException(1, "the header has no id column '" + columns.get(CsvSettings.ID) + "' (column.id of "
                    + CsvSettings.PID + "); the header is " + header.stream().map(x -> "'" + x.trim() + "'").toList());
        }
        if (CsvSettings.NAME_FIELDS.stream().noneMatch(index::containsKey)) {
            throw new CsvFormatException(1, "the header has none of the name columns " + CsvSettings.NAME_FIELDS.stream()
                    .filter(columns::containsKey).map(f -> "'" + columns.get(f) + "'").toList() + " (column.given, column.family, column.name of "
                    + CsvSettings.PID + ")");
        }
        Map<String, String> names = new HashMap<>();
        index.keySet().forEach(f -> names.put(f, columns.get(f)));
        return new Header(Map.copyOf(index), names, header.size(), List.copyOf(missing));
    }

    private static String key(String header) {
        return header == null ? "" : BLANKS.matcher(header.trim()).replaceAll(" ").toLowerCase(Locale.ROOT);
    }

    public Mapped map(Header h, List<String> cells) {
        List<String> reasons = new ArrayList<>();
        int filled = cells.size();
        while (filled > h.size && cells.get(filled - 1).isBlank()) filled--;
        if (filled > h.size) {
            reasons.add(filled + " cells but the header has " + h.size + " columns (a delimiter inside an unquoted value?)");
        }
        String id = cell(h, cells, CsvSettings.ID);
        if (id == null) reasons.add("no id (column '" + h.names.get(CsvSettings.ID) + "' is blank)");
        String given = name(cell(h, cells, "given"));
        String family = name(cell(h, cells, "family"));
        String display = given != null || family != null
                ? String.join(" ", given == null ? "" : given, family == null ? "" : family).trim()
                : name(cell(h, cells, "name"));
        if (display == null) {
            reasons.add("no name (" + CsvSettings.NAME_FIELDS.stream().filter(h.names::containsKey)
                    .map(f -> "'" + h.names.get(f) + "'").reduce((a, b) -> a + ", " + b).orElse("") + " blank)");
        }
        String activeCell = cell(h, cells, "active");
        boolean active = true;
        if (activeCell != null) {
            String a = activeCell.toLowerCase(Locale.ROOT);
            if (NO.contains(a)) active = false;
            else if (!YES.contains(a)) reasons.add("column '" + h.names.get("active") + "' is neither yes nor no");
        }
        if (!reasons.isEmpty()) return Mapped.reject(String.join("; ", reasons));

        List<LocationHierarchy.Node> locations = locations(
                cell(h, cells, "country"), cell(h, cells, "region"), cell(h, cells, "district"), cell(h, cells, "facility"));
        String facility = locations.isEmpty() ? null : locations.get(locations.size() - 1).sourceId();
        HealthWorkerRecord r = new HealthWorkerRecord(REGISTRY, id, null, null, display, family, given,
                gender(cell(h, cells, "gender")), active, false, facility, null, cell(h, cells, "job"),
                cell(h, cells, "cadre"), cell(h, cells, "national.id"), cell(h, cells, "employee.number"), null,
                phones(cell(h, cells, "phone")));
        return new Mapped(r, locations, null);
    }

    private static String cell(Header h, List<String> cells, String field) {
        Integer i = h.index.get(field);
        if (i == null || i >= cells.size()) return null;
        String v = cells.get(i).trim();
        return v.isEmpty() ? null : v;
    }

    private static String name(String v) {
        return v == null ? null : BLANKS.matcher(v).replaceAll(" ");
    }

    static String gender(String v) {
        if (v == null) return null;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "male", "m", "man" -> "male";
            case "female", "f", "woman" -> "female";
            case "other", "o" -> "other";
            case "unknown", "u" -> "unknown";
            default -> null;
        };
    }

    /** Every number of the cell in order; the same E.164 twice is kept once; the first usable one is primary. */
    List<HealthWorkerRecord.Phone> phones(String cell) {
        List<HealthWorkerRecord.Phone> out = new ArrayList<>();
        if (cell == null) return out;
        boolean primaryTaken = false;
        for (PhoneResult r : phones.normalize(cell)) {
            if (r.isValid() && out.stream().anyMatch(p -> r.e164().equals(p.e164()))) continue;
            boolean primary = r.isValid() && !primaryTaken;
            primaryTaken |= primary;
            out.add(new HealthWorkerRecord.Phone(r.raw(), r.e164(), r.isValid() ? null : r.reason().name(), out.size() + 1,
                    "mobile", primary));
        }
        return out;
    }

    /** The chain country → region → district → facility of the levels given, root first (see the class comment). */
    static List<LocationHierarchy.Node> locations(String country, String region, String district, String facility) {
        String[] names = {country, region, district, facility};
        String[] slugs = new String[4];
        int deepest = -1;
        for (int i = 0; i < 4; i++) {
            slugs[i] = names[i] == null ? "" : slug(names[i]);
            if (!slugs[i].isEmpty()) deepest = i;
        }
        List<LocationHierarchy.Node> out = new ArrayList<>();
        String parent = null;
        String[] ids = new String[4];
        for (int i = 0; i <= deepest; i++) {
            if (slugs[i].isEmpty()) continue;
            StringBuilder id = new StringBuilder();
            for (int j = 0; j <= i; j++) {
                if (j > 0) id.append('/');
                id.append(slugs[j].isEmpty() ? "-" : slugs[j]);
            }
            ids[i] = id.toString();
            String level = LEVELS.get(i);
            String name = name(names[i]);
            String path = "/" + ids[i];
            out.add(new LocationHierarchy.Node(ids[i], name, level, parent, path, ids[0], ids[1], ids[2],
                    hash(name, level, parent, path, ids[0], ids[1], ids[2])));
            parent = ids[i];
        }
        return out;
    }

    /** Lower case, accents and punctuation removed, words joined by '-'; empty when nothing is left. */
    static String slug(String name) {
        String s = MARKS.matcher(Normalizer.normalize(name, Normalizer.Form.NFD)).replaceAll("").toLowerCase(Locale.ROOT);
        s = NOT_SLUG.matcher(s).replaceAll("-");
        int a = 0, b = s.length();
        while (a < b && s.charAt(a) == '-') a++;
        while (b > a && s.charAt(b - 1) == '-') b--;
        return s.substring(a, b);
    }

    private static String hash(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) sb.append(p == null ? "\u0000" : p).append('\u001f');
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
