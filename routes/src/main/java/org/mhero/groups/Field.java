package org.mhero.groups;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The facts a group rule can test about a health worker. */
public enum Field {
    /** {@code health_worker.cadre}, e.g. nurse, midwife, allied-health (case-insensitive). */
    CADRE("cadre", false),
    /** {@code health_worker.job_code} or {@code job_title}, e.g. "2221-1D" or "Medical Doctor" (case-insensitive). */
    JOB("job", false),
    /** The name of the worker's facility (case-insensitive). */
    FACILITY("facility", false),
    /** The name of the district the worker's facility is in, in the facility's own registry (case-insensitive). */
    DISTRICT("district", false),
    /** The name of the region (county) the worker's facility is in (case-insensitive). */
    REGION("region", false),
    /** The name of the country the worker's facility is in (case-insensitive). */
    COUNTRY("country", false),
    /** An in-service training the worker has, by code or by name (case-insensitive). */
    TRAINING("training", false),
    /** A registry the worker has a source record in: one of {@link #REGISTRIES}. */
    REGISTRY("registry", false),
    /** {@code health_worker.active}. */
    ACTIVE("active", true),
    /** {@code health_worker.opted_out}. */
    OPTED_OUT("opted_out", true),
    /** The worker has a usable (E.164) primary phone number. */
    REACHABLE("reachable", true);

    /** The registries a worker can come from ({@code source_link.registry}). */
    public static final java.util.List<String> REGISTRIES = java.util.List.of("ihris", "dhis2", "csv", "rapidpro");

    private final String word;
    private final boolean flag;

    Field(String word, boolean flag) {
        this.word = word;
        this.flag = flag;
    }

    /** How the field is written in a rule. */
    public String word() { return word; }

    /** True for yes/no facts (written bare: {@code active}, {@code not opted_out}); false for fields compared to values. */
    public boolean isFlag() { return flag; }

    public static Optional<Field> byWord(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.word.equals(w)).findFirst();
    }

    /** "cadre, job, facility, …" for error messages. */
    public static String words() {
        return Arrays.stream(values()).map(Field::word).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() { return word; }
}
