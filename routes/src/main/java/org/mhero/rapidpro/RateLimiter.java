package org.mhero.rapidpro;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The client side of RapidPro's per-workspace throttle (contract rapidpro.md §3): ONE instance per workspace, shared by
 * every caller (contact sync, broadcasts, flow starts), because the server counts every integration on the workspace
 * against one budget.
 *
 * <p>The server is DRF's {@code SimpleRateThrottle}: a request is refused when {@code N} requests were already
 * accepted in the last {@code period} (a sliding window over their arrival times). Two rules together keep us under it:
 * <ol>
 *   <li><b>smooth spacing</b> (GCRA): one permit every {@code period / N}, with a burst allowance of {@code burst}
 *       permits (a few) after an idle time, so callers are spread evenly instead of emptying the budget at once.
 *       Pacing at exactly {@code N / period} from a cold start never exceeds the window; the burst on top would;</li>
 *   <li><b>a sliding-window guard</b> mirroring the server, which pays the burst back at the window edge: fewer than
 *       {@code N} of our requests may be in the last {@code period + margin}. A request counts from when its
 *       {@link Permit} is closed (the response is in: an upper bound of when the server saw it), so a slow first
 *       request (cold JVM, TLS handshake) cannot make the server's window hold more than ours; while in flight it
 *       counts as "now". A request refused with 429 is not counted by DRF and is dropped ({@link Permit#notCounted()}).</li>
 * </ol>
 * {@link #onRetryAfter(long)} (a 429 from the server, e.g. because another integration shares the budget) blocks every
 * caller until then, after which permits resume one by one at the normal spacing.
 *
 * <p>Thread-safe. {@link #acquire()} blocks; {@link #tryAcquire(Duration)} gives up (without waiting) when the
 * next permit is further away than the timeout. Use the permit in try-with-resources around the HTTP call. Clock and sleeper are injectable for deterministic tests.
 */
public final class RateLimiter {

    /** Sleeps for a number of nanoseconds (injectable so tests can advance a fake clock instead). */
    @FunctionalInterface
    public interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    /** A DRF rate: {@code permits} per {@code period}. */
    public record Rate(int permits, Duration period) {
        public Rate {
            if (permits <= 0) throw new IllegalArgumentException("rate permits must be > 0, got " + permits);
            Objects.requireNonNull(period, "period");
            if (period.isZero() || period.isNegative()) throw new IllegalArgumentException("rate period must be > 0");
        }

        /**
         * Parses DRF rate strings ({@code "3600/hour"}, {@code "10/minute"}, {@code "5/second"}, {@code "100/day"}; like
         * DRF only the unit's first letter counts) and a period in seconds ({@code "20/2s"} or {@code "20/2"}).
         */
        public static Rate parse(String spec) {
            if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty rate");
            String s = spec.trim().toLowerCase(Locale.ROOT);
            int slash = s.indexOf('/');
            if (slash <= 0 || slash == s.length() - 1) throw new IllegalArgumentException("bad rate '" + spec + "': expected N/period, e.g. 3600/hour");
            int permits;
            try {
                permits = Integer.parseInt(s.substring(0, slash).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad rate '" + spec + "': count is not a number");
            }
            String unit = s.substring(slash + 1).trim();
            Duration period;
            if (Character.isDigit(unit.charAt(0))) {
                String num = unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit;
                try {
                    period = Duration.ofMillis(Math.round(Double.parseDouble(num) * 1000));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad rate '" + spec + "': period is not a number of seconds");
                }
            } else {
                period = switch (unit.charAt(0)) {
                    case 's' -> Duration.ofSeconds(1);
                    case 'm' -> Duration.ofMinutes(1);
                    case 'h' -> Duration.ofHours(1);
                    case 'd' -> Duration.ofDays(1);
                    default -> throw new IllegalArgumentException("bad rate '" + spec + "': unit must be second, minute, hour, day or Ns");
                };
            }
            return new Rate(permits, period);
        }

        @Override
        public String toString() {
            long ms = period.toMillis();
            if (ms == 1000) return permits + "/second";
            if (ms == 60_000) return permits + "/minute";
            if (ms == 3_600_000) return permits + "/hour";
            if (ms == 86_400_000) return permits + "/day";
            return permits + "/" + (ms / 1000.0) + "s";
        }
    }

    /** Default burst allowance: a few requests, never more than N. */
    public static final int DEFAULT_BURST = 3;
    /** The smallest guard margin added to the period. */
    public static final Duration MIN_MARGIN = Duration.ofMillis(50);
    /** How long a permit that is never closed counts as in flight. */
    public static final Duration DEFAULT_MAX_IN_FLIGHT = Duration.ofSeconds(30);

    /**
     * One request's place in the window. Close it when the response (or the failure) is in: from then on it counts
     * from that moment, an upper bound of when the server saw it. {@link #notCounted()} when the server refused it
     * with 429 (DRF does not record refused requests).
     */
    public final class Permit implements AutoCloseable {
        private final long granted;
        private long completed;
        private boolean done;

        private Permit(long granted) { this.granted = granted; }

        /** The request is answered (or failed): it counts in the window from now. Idempotent. */
        @Override
        public void close() {
            synchronized (RateLimiter.this) {
                if (!done) {
                    done = true;
                    completed = clock.getAsLong();
                }
            }
        }

        /** The server refused the request (429): it does not count in the window. */
        public void notCounted() {
            synchronized (RateLimiter.this) {
                done = true;
                window.remove(this);
            }
        }

        /** When it counts from: its completion, or — still in flight — now (capped for a permit never closed). */
        private long countsFrom(long now) {
            if (done) return completed;
            long cap = granted + maxInFlightNanos;
            return cap - now < 0 ? cap : now;
        }
    }

    private final Rate rate;
    private final int burst;
    private final long periodNanos;
    private final long intervalNanos;   // period / N
    private final long toleranceNanos;  // (burst - 1) * interval
    private final long marginNanos;
    private final long maxInFlightNanos;
    private final LongSupplier clock;
    private final Sleeper sleeper;

    // guarded by this
    private long tat;                   // GCRA theoretical arrival time
    private boolean started;
    private final ArrayDeque<Permit> window = new ArrayDeque<>(); // permits that may still be in the server's window
    private long blockedUntil;
    private boolean blocked;

    private RateLimiter(Builder b) {
        this.rate = b.rate;
        this.burst = Math.max(1, Math.min(b.burst, rate.permits()));
        this.periodNanos = rate.period().toNanos();
        this.intervalNanos = Math.max(1, periodNanos / rate.permits());
        this.toleranceNanos = (long) (burst - 1) * intervalNanos;
        this.marginNanos = b.margin != null ? b.margin.toNanos() : Math.max(MIN_MARGIN.toNanos(), periodNanos / 100);
        this.maxInFlightNanos = b.maxInFlight.toNanos();
        this.clock = b.clock;
        this.sleeper = b.sleeper;
    }

    /** A limiter for {@code spec} (e.g. {@code "3600/hour"}) with the default burst and margin, on the system clock. */
    public static RateLimiter of(String spec) { return builder(Rate.parse(spec)).build(); }

    public static RateLimiter of(int permits, Duration period) { return builder(new Rate(permits, period)).build(); }

    public static Builder builder(String spec) { return builder(Rate.parse(spec)); }

    public static Builder builder(Rate rate) { return new Builder(rate); }

    public static final class Builder {
        private final Rate rate;
        private int burst = DEFAULT_BURST;
        private Duration margin;
        private Duration maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private LongSupplier clock = System::nanoTime;
        private Sleeper sleeper = nanos -> TimeUnit.NANOSECONDS.sleep(nanos);

        private Builder(Rate rate) { this.rate = Objects.requireNonNull(rate, "rate"); }

        /** Permits that may go back to back after an idle time (clamped to 1..N). */
        public Builder burst(int burst) {
            if (burst < 1) throw new IllegalArgumentException("burst must be >= 1");
            this.burst = burst;
            return this;
        }

        /** Added to the period by the sliding-window guard; default max(50 ms, period / 100). */
        public Builder margin(Duration margin) {
            if (margin.isNegative()) throw new IllegalArgumentException("margin must be >= 0");
            this.margin = margin;
            return this;
        }

        /** A permit never closed counts as in flight for this long after its grant (default 30 s). */
        public Builder maxInFlight(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("maxInFlight must be >= 0");
            this.maxInFlight = d;
            return this;
        }

        /** Monotonic nanoseconds (default {@link System#nanoTime()}). */
        public Builder clock(LongSupplier nanoClock) { this.clock = Objects.requireNonNull(nanoClock); return this; }

        public Builder sleeper(Sleeper sleeper) { this.sleeper = Objects.requireNonNull(sleeper); return this; }

        public RateLimiter build() { return new RateLimiter(this); }
    }

    public Rate rate() { return rate; }
    public int burst() { return burst; }
    /** The steady spacing between permits: period / N. */
    public Duration spacing() { return Duration.ofNanos(intervalNanos); }
    public Duration margin() { return Duration.ofNanos(marginNanos); }

    /** Blocks until a permit is available. Close the permit when the request is answered. */
    public Permit acquire() throws InterruptedException {
        while (true) {
            long wait;
            synchronized (this) {
                long now = clock.getAsLong();
                wait = waitNanos(now);
                if (wait <= 0) return grant(now);
            }
            sleeper.sleepNanos(wait);
        }
    }

    /**
     * A permit if one is available within {@code timeout}, waiting for it; empty at once (without waiting) when the
     * next permit is further away than what is left of the timeout.
     */
    public Optional<Permit> tryAcquire(Duration timeout) throws InterruptedException {
        long start = clock.getAsLong();
        long budget = Math.max(0, timeout.toNanos());
        while (true) {
            long wait;
            synchronized (this) {
                long now = clock.getAsLong();
                wait = waitNanos(now);
                if (wait <= 0) return Optional.of(grant(now));
                long left = budget - (now - start);
                if (wait > left) return Optional.empty();
            }
            sleeper.sleepNanos(wait);
        }
    }

    /**
     * The server answered 429 with {@code Retry-After: seconds}: nobody gets a permit before then. A later, shorter
     * Retry-After never shortens an earlier block.
     */
    public void onRetryAfter(long seconds) { onRetryAfter(Duration.ofSeconds(Math.max(0, seconds))); }

    public synchronized void onRetryAfter(Duration wait) {
        long until = clock.getAsLong() + Math.max(0, wait.toNanos());
        if (!blocked || until - blockedUntil > 0) {
            blockedUntil = until;
            blocked = true;
        }
        // after the block, permits resume one at a time at the steady spacing (no burst into a full server window)
        long resume = blockedUntil + toleranceNanos;
        if (!started || resume - tat > 0) {
            tat = resume;
            started = true;
        }
    }

    /** Time until {@code Retry-After} expires, zero when not blocked. */
    public synchronized Duration blockedFor() {
        if (!blocked) return Duration.ZERO;
        long left = blockedUntil - clock.getAsLong();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Nanoseconds until a permit may be granted at {@code now}; ≤ 0 means now. Caller holds the lock. */
    private long waitNanos(long now) {
        long wait = 0;
        if (blocked) {
            long w = blockedUntil - now;
            if (w > 0) wait = w; else blocked = false;
        }
        if (started) wait = Math.max(wait, (tat - toleranceNanos) - now);
        wait = Math.max(wait, windowWait(now));
        return wait;
    }

    /**
     * The sliding-window guard: permits that may still be in the server's window (completed less than
     * period + margin ago, or in flight) must be fewer than N. Otherwise: until the first of them leaves it, or — if
     * all are in flight — one spacing, then look again.
     */
    private long windowWait(long now) {
        long horizon = periodNanos + marginNanos;
        window.removeIf(p -> now - p.countsFrom(now) >= horizon);
        if (window.size() < rate.permits()) return 0;
        long wait = Long.MAX_VALUE;
        for (Permit p : window) {
            long from = p.countsFrom(now);
            long w = from == now && !p.done ? intervalNanos : from + horizon - now;
            wait = Math.min(wait, w);
        }
        return Math.max(1, wait);
    }

    private Permit grant(long now) {
        tat = (started && tat - now > 0 ? tat : now) + intervalNanos;
        started = true;
        Permit p = new Permit(now);
        window.addLast(p);
        return p;
    }

    @Override
    public String toString() {
        return "RateLimiter[" + rate + ", burst " + burst + ", spacing " + spacing().toMillis() + " ms]";
    }
}
