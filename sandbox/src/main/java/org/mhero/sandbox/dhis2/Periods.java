package org.mhero.sandbox.dhis2;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** DHIS2 ISO period identifiers: Daily yyyyMMdd, Weekly yyyyWn, Monthly yyyyMM, BiMonthly yyyyMMB, Quarterly yyyyQn, SixMonthly yyyySn, Yearly yyyy. */
public final class Periods {
    private Periods() {}

    public record Period(String iso, String type, LocalDate start, LocalDate end) {
        public boolean isAfter(Period other) { return other != null && start.isAfter(other.end); }
    }

    private static final Pattern DAILY = Pattern.compile("(\\d{4})(\\d{2})(\\d{2})");
    private static final Pattern WEEKLY = Pattern.compile("(\\d{4})W(\\d{1,2})");
    private static final Pattern MONTHLY = Pattern.compile("(\\d{4})(\\d{2})");
    private static final Pattern BIMONTHLY = Pattern.compile("(\\d{4})(\\d{2})B");
    private static final Pattern QUARTERLY = Pattern.compile("(\\d{4})Q([1-4])");
    private static final Pattern SIXMONTHLY = Pattern.compile("(\\d{4})S([12])");
    private static final Pattern YEARLY = Pattern.compile("(\\d{4})");

    /** Parses an ISO period; null when it is not a valid period. */
    public static Period parse(String iso) {
        if (iso == null) return null;
        try {
            Matcher m;
            if ((m = DAILY.matcher(iso)).matches()) {
                LocalDate d = LocalDate.of(i(m, 1), i(m, 2), i(m, 3));
                return new Period(iso, "Daily", d, d);
            }
            if ((m = WEEKLY.matcher(iso)).matches()) {
                int y = i(m, 1), w = i(m, 2);
                LocalDate jan4 = LocalDate.of(y, 1, 4);
                int weeks = (int) jan4.range(IsoFields.WEEK_OF_WEEK_BASED_YEAR).getMaximum();
                if (w < 1 || w > weeks) return null;
                LocalDate start = jan4.with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, w).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                return new Period(iso, "Weekly", start, start.plusDays(6));
            }
            if ((m = MONTHLY.matcher(iso)).matches()) {
                LocalDate s = LocalDate.of(i(m, 1), i(m, 2), 1);
                return new Period(iso, "Monthly", s, s.with(TemporalAdjusters.lastDayOfMonth()));
            }
            if ((m = BIMONTHLY.matcher(iso)).matches()) {
                int b = i(m, 2);
                if (b < 1 || b > 6) return null;
                LocalDate s = LocalDate.of(i(m, 1), b * 2 - 1, 1);
                return new Period(iso, "BiMonthly", s, s.plusMonths(2).minusDays(1));
            }
            if ((m = QUARTERLY.matcher(iso)).matches()) {
                LocalDate s = LocalDate.of(i(m, 1), i(m, 2) * 3 - 2, 1);
                return new Period(iso, "Quarterly", s, s.plusMonths(3).minusDays(1));
            }
            if ((m = SIXMONTHLY.matcher(iso)).matches()) {
                LocalDate s = LocalDate.of(i(m, 1), i(m, 2) * 6 - 5, 1);
                return new Period(iso, "SixMonthly", s, s.plusMonths(6).minusDays(1));
            }
            if ((m = YEARLY.matcher(iso)).matches()) {
                LocalDate s = LocalDate.of(i(m, 1), 1, 1);
                return new Period(iso, "Yearly", s, LocalDate.of(i(m, 1), 12, 31));
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }

    /** The period of {@code type} containing {@code date}. */
    public static Period containing(String type, LocalDate date) {
        return switch (type) {
            case "Daily" -> parse(String.format("%04d%02d%02d", date.getYear(), date.getMonthValue(), date.getDayOfMonth()));
            case "Weekly" -> parse(date.get(IsoFields.WEEK_BASED_YEAR) + "W" + date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case "Monthly" -> parse(String.format("%04d%02d", date.getYear(), date.getMonthValue()));
            case "BiMonthly" -> parse(String.format("%04d%02dB", date.getYear(), (date.getMonthValue() + 1) / 2));
            case "Quarterly" -> parse(date.getYear() + "Q" + ((date.getMonthValue() + 2) / 3));
            case "SixMonthly" -> parse(date.getYear() + "S" + (date.getMonthValue() <= 6 ? 1 : 2));
            case "Yearly" -> parse(Integer.toString(date.getYear()));
            default -> throw new IllegalArgumentException("unsupported period type " + type);
        };
    }

    /** The period {@code n} steps after (negative: before) {@code p}, same type. */
    public static Period shift(Period p, int n) {
        if (n == 0) return p;
        LocalDate anchor = n > 0 ? p.end().plusDays(1) : p.start().minusDays(1);
        return shift(containing(p.type(), anchor), n > 0 ? n - 1 : n + 1);
    }

    private static int i(Matcher m, int g) { return Integer.parseInt(m.group(g)); }
}
