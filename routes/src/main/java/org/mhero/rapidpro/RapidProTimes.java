package org.mhero.rapidpro;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** RapidPro timestamps: UTC ISO-8601 with microseconds, {@code 2016-10-13T11:54:32.525277Z} (§1). */
public final class RapidProTimes {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private RapidProTimes() {}

    /**
     * Formats with microseconds, truncating finer digits: as a lower bound ({@code after=}) that can only include
     * more items, never skip one.
     */
    public static String format(Instant t) {
        return FORMAT.format(t.truncatedTo(ChronoUnit.MICROS));
    }

    /** Parses {@code Z} or offset forms, any fraction length; null for null or blank. */
    public static Instant parse(String s) {
        if (s == null || s.isBlank()) return null;
        try {
            return Instant.parse(s);
        } catch (RuntimeException e) {
            return OffsetDateTime.parse(s).toInstant();
        }
    }
}
