package org.mhero.csv;

import org.mhero.config.Pid;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code etc/org.mhero.csv.cfg}: where spreadsheets of health workers are dropped, how they are written (charset,
 * delimiter), and which header holds which field ({@code column.<field> = <header>}). Only {@code column.id} and one
 * of the name columns are required; a field whose key is empty is not read.
 */
public record CsvSettings(boolean enabled, String directory, int pollMs, Charset charset, char delimiter,
                          String phoneRegion, Map<String, String> columns) {
    public static final String PID = "org.mhero.csv";
    public static final String ID = "id";
    /** Every field a column can be mapped to, in the order of {@code column.<field>} in the shipped file. */
    public static final List<String> FIELDS = List.of(ID, "given", "family", "name", "phone", "national.id",
            "employee.number", "gender", "active", "cadre", "job", "facility", "district", "region", "country");
    static final List<String> NAME_FIELDS = List.of("given", "family", "name");

    public static CsvSettings from(Pid p) {
        boolean enabled = p.bool("import.enabled");
        String dir = p.string("import.directory");
        if (dir != null && dir.isBlank()) p.problem("import.directory", "is empty");
        if (enabled && dir != null && dir.contains("${")) {
            // Karaf expands ${karaf.data} in etc/*.cfg; anywhere else the file consumer would watch a directory named so
            p.problem("import.directory", "= '" + dir + "' still holds a ${...} placeholder (Karaf expands ${karaf.data}; elsewhere give a path)");
        }
        int poll = p.integer("import.poll.ms", 100, 86_400_000);
        Charset charset = StandardCharsets.UTF_8;
        String cs = p.string("charset");
        if (cs != null) {
            try {
                charset = Charset.forName(cs);
            } catch (IllegalArgumentException e) {
                p.problem("charset", "= '" + cs + "' is not a charset this Java knows (e.g. UTF-8, windows-1252)");
            }
        }
        char delimiter = switch (p.oneOf("delimiter", ",", ";", "tab")) {
            case ";" -> ';';
            case "tab" -> '\t';
            default -> ',';
        };
        String region = p.phoneRegion("phone.default.region");
        Map<String, String> columns = new LinkedHashMap<>();
        for (String f : FIELDS) {
            String header = p.optional("column." + f);
            if (header != null) columns.put(f, header);
        }
        if (!columns.containsKey(ID)) {
            p.problem("column.id", "is required: the header of the column holding each row's stable id (e.g. an employee code)");
        }
        if (NAME_FIELDS.stream().noneMatch(columns::containsKey)) {
            p.problem("column.name", "(or column.given / column.family) is required: a row without a name is rejected");
        }
        for (String key : new TreeMap<>(p.values()).keySet()) {
            if (key.startsWith("column.") && !FIELDS.contains(key.substring("column.".length()))) {
                p.problem(key, "is not a field mHero reads; the fields are column." + String.join(", column.", FIELDS));
            }
        }
        return new CsvSettings(enabled, dir, poll, charset, delimiter, region == null ? null : region.toUpperCase(),
                Collections.unmodifiableMap(columns));
    }

    /**
     * A fingerprint of everything that decides what a file's rows become (charset, delimiter, region, mapping): the
     * same file imported again under the same fingerprint changes nothing, so it is skipped.
     */
    public String readingFingerprint() {
        StringBuilder sb = new StringBuilder().append(charset.name()).append('\u001f').append(delimiter).append('\u001f')
                .append(phoneRegion);
        new TreeMap<>(columns).forEach((k, v) -> sb.append('\u001f').append(k).append('=').append(v));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The delimiter as it is written in the .cfg file. */
    public String delimiterName() { return delimiter == '\t' ? "tab" : Character.toString(delimiter); }
}
