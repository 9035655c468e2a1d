package org.mhero.dhis2;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/**
 * What mHero asks the DHIS2 Web API and how it reads the answers' envelope (contracts/dhis2.md §1, §4–§6): the list
 * queries, the pager, and the two timestamp shapes.
 *
 * <p><b>Timestamps.</b> DHIS2 writes metadata timestamps as {@code 2019-04-23T09:35:15.027} (server-local, no zone) or
 * {@code 2016-03-12T06:20:43.502+0000}. A zone-less value is read as if it were UTC: the instant is then the server's
 * wall clock, and {@link #formatTimestamp} gives back exactly the string the server compares in
 * {@code filter=lastUpdated:ge:...}. Watermarks are only ever compared with the same server's values, so the offset
 * between its wall clock and UTC never matters.
 *
 * <p><b>Incremental users.</b> Pages are walked in {@code order=id:asc} so that they stay stable while users change; so
 * the pages are not in {@code lastUpdated} order and the watermark cannot advance page by page. It advances once, at the
 * end of a completed run, to the largest {@code lastUpdated} seen, but never beyond the server's time at the start of
 * the user walk ({@code /api/system/info} {@code serverDate}): a user changed during the walk, on a page already read,
 * is re-read by the next run. A failed run leaves the watermark where it was: the next run walks the same users again
 * and writes only those whose content changed.
 */
public final class Dhis2Api {
    private Dhis2Api() {}

    public static final String ORG_UNITS_PATH = "/api/organisationUnits";
    public static final String USERS_PATH = "/api/users";
    public static final String ORG_UNIT_FIELDS = "id,code,name,level,path,parent[id],lastUpdated";
    public static final String USER_FIELDS = "id,username,firstName,surname,phoneNumber,whatsApp,disabled,lastUpdated,"
            + "userCredentials[username,disabled],organisationUnits[id,code,name,path,level]";

    private static final DateTimeFormatter PARSE = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd['T'HH:mm[:ss]]")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendPattern("[XXX][XX][X]").optionalEnd()
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
            .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
            .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
            .toFormatter(Locale.ROOT);
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS", Locale.ROOT);

    /** The query of one page of organisation units (the whole tree, flat; no watermark: locations are few). */
    public static String orgUnitsQuery(int pageSize, int page) {
        return "fields=" + ORG_UNIT_FIELDS + "&pageSize=" + pageSize + "&order=id:asc&page=" + page;
    }

    /** The query of one page of users with a phone number, changed since {@code watermark} when there is one. */
    public static String usersQuery(int pageSize, int page, Instant watermark) {
        String q = "filter=phoneNumber:!null&fields=" + USER_FIELDS + "&pageSize=" + pageSize + "&order=id:asc&page=" + page;
        return watermark == null ? q : q + "&filter=lastUpdated:ge:" + formatTimestamp(watermark);
    }

    public static String orgUnitsUrl(int pageSize, int page) {
        return ORG_UNITS_PATH + "?" + orgUnitsQuery(pageSize, page);
    }

    public static String usersUrl(int pageSize, int page, Instant watermark) {
        return USERS_PATH + "?" + usersQuery(pageSize, page, watermark);
    }

    /**
     * True when the list answer {@code root} has a page after {@code page}: {@code pager.nextPage} is present, or
     * {@code pager.page < pager.pageCount} (§4; {@code total} is not required). An answer without a pager, or with no
     * items in {@code collection}, is the last page.
     */
    public static boolean hasNextPage(JsonNode root, String collection) {
        if (root == null) return false;
        JsonNode items = root.path(collection);
        if (!items.isArray() || items.isEmpty()) return false;
        JsonNode pager = root.path("pager");
        if (!pager.isObject()) return false;
        JsonNode next = pager.get("nextPage");
        if (next != null && !next.isNull() && !next.asText().isBlank()) return true;
        JsonNode page = pager.get("page"), count = pager.get("pageCount");
        return page != null && count != null && page.canConvertToInt() && count.canConvertToInt() && page.asInt() < count.asInt();
    }

    /** Parses both DHIS2 timestamp shapes (§1); null when absent or unreadable. */
    public static Instant parseTimestamp(String value) {
        if (value == null || value.isBlank()) return null;
        Instant fast = parseCommon(value);
        return fast != null ? fast : parseGeneral(value);
    }

    /** Both shapes through the general formatter (what {@link #parseCommon} spares for the usual one); null when unreadable. */
    static Instant parseGeneral(String value) {
        try {
            TemporalAccessor t = PARSE.parse(value.trim());
            if (t.isSupported(ChronoField.OFFSET_SECONDS)) return OffsetDateTime.from(t).toInstant();
            return LocalDateTime.from(t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The shape every DHIS2 user carries, {@code yyyy-MM-ddTHH:mm:ss.SSS} with no zone or with {@code +0000}/{@code Z},
     * read by hand: the general formatter above cost about a quarter of mapping a user. Anything else (another number
     * of fraction digits, another offset, a date alone) returns null and goes through the formatter.
     */
    static Instant parseCommon(String v) {
        int n = v.length();
        if (n != 23 && !(n == 24 && v.charAt(23) == 'Z') && !(n == 28 && v.endsWith("+0000"))) return null;
        if (v.charAt(4) != '-' || v.charAt(7) != '-' || v.charAt(10) != 'T' || v.charAt(13) != ':' || v.charAt(16) != ':'
                || v.charAt(19) != '.') return null;
        int year = digits(v, 0, 4), month = digits(v, 5, 2), day = digits(v, 8, 2), hour = digits(v, 11, 2),
                minute = digits(v, 14, 2), second = digits(v, 17, 2), milli = digits(v, 20, 3);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > java.time.YearMonth.of(year, month).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || milli < 0) return null;
        return LocalDateTime.of(year, month, day, hour, minute, second, milli * 1_000_000).toInstant(ZoneOffset.UTC);
    }

    /** The non-negative number written in {@code len} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') return -1;
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    /** The zone-less form DHIS2 uses, for {@code filter=lastUpdated:ge:...}. */
    public static String formatTimestamp(Instant instant) {
        return FORMAT.format(instant.atOffset(ZoneOffset.UTC));
    }
}
