package org.mhero.sandbox.rapidpro;

import java.time.Duration;
import java.util.Locale;

/**
 * A DRF throttle rate: {@code count} requests per {@code period}. Parses DRF strings ({@code "3600/hour"},
 * {@code "10/minute"}, {@code "5/second"}, {@code "100/day"}: like DRF only the first letter of the unit counts)
 * and, for benchmarks and tests, a custom period in seconds: {@code "5/2s"} or {@code "5/2"} (5 per 2 seconds).
 */
public record RateLimit(int count, Duration period) {
    public RateLimit {
        if (count <= 0) throw new IllegalArgumentException("count must be > 0");
        if (period == null || period.isZero() || period.isNegative()) throw new IllegalArgumentException("period must be > 0");
    }

    public static RateLimit of(int count, Duration period) { return new RateLimit(count, period); }
    public static RateLimit perHour(int count) { return new RateLimit(count, Duration.ofHours(1)); }

    public static RateLimit parse(String spec) {
        if (spec == null) throw new IllegalArgumentException("null rate");
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int slash = s.indexOf('/');
        if (slash <= 0 || slash == s.length() - 1) throw new IllegalArgumentException("bad rate: " + spec);
        int count = Integer.parseInt(s.substring(0, slash).trim());
        String unit = s.substring(slash + 1).trim();
        if (Character.isDigit(unit.charAt(0))) {
            String num = unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit;
            double secs = Double.parseDouble(num);
            return new RateLimit(count, Duration.ofMillis(Math.round(secs * 1000)));
        }
        Duration d = switch (unit.charAt(0)) {
            case 's' -> Duration.ofSeconds(1);
            case 'm' -> Duration.ofMinutes(1);
            case 'h' -> Duration.ofHours(1);
            case 'd' -> Duration.ofDays(1);
            default -> throw new IllegalArgumentException("bad rate unit: " + spec);
        };
        return new RateLimit(count, d);
    }

    @Override
    public String toString() {
        long ms = period.toMillis();
        if (ms == 1000) return count + "/second";
        if (ms == 60_000) return count + "/minute";
        if (ms == 3_600_000) return count + "/hour";
        if (ms == 86_400_000) return count + "/day";
        return count + "/" + (ms / 1000.0) + "s";
    }
}
