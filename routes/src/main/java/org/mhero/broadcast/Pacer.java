package org.mhero.broadcast;

/**
 * Paces an SMS channel to {@code perSecond} messages per second: a token bucket refilled at that rate, holding at most
 * {@code burst} messages saved up while idle, that lends. A request for {@code n} messages goes as soon as the bucket is
 * not in debt and takes its {@code n} tokens, so a request larger than the bucket (a sendsms with 50 numbers) goes at once
 * and the requests after it wait until the debt is repaid. Over any stretch of work the rate is {@code perSecond}, give
 * or take one request, whatever the request sizes; several dispatch workers share one pacer per channel.
 *
 * <p>{@code perSecond <= 0} turns pacing off. The clock is injectable so the tests do not sleep.
 */
public final class Pacer {
    /** Nanosecond time and sleeping; {@link #SYSTEM} in production. */
    public interface Clock {
        long nanoTime();
        void sleepNanos(long nanos) throws InterruptedException;
    }

    public static final Clock SYSTEM = new Clock() {
        @Override public long nanoTime() { return System.nanoTime(); }
        @Override public void sleepNanos(long nanos) throws InterruptedException {
            if (nanos > 0) Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
    };

    private final double perNano;
    private final double burst;
    private final Clock clock;
    private double tokens;
    private long last;

    /** @param burst tokens the bucket holds at most (messages that may go at once after an idle spell), 0 for none */
    public Pacer(double perSecond, double burst, Clock clock) {
        this.perNano = perSecond / 1e9;
        this.burst = Math.max(0, burst);
        this.clock = clock;
        this.tokens = this.burst;
        this.last = clock.nanoTime();
    }

    public boolean enabled() { return perNano > 0; }

    /** Reserves {@code messages} tokens and returns the nanoseconds the caller must wait before sending them. */
    public synchronized long reserve(int messages) {
        if (perNano <= 0) return 0;
        long now = clock.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        long wait = tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
        tokens -= messages;
        return wait;
    }

    /** Waits until {@code messages} may be handed over. */
    public void acquire(int messages) throws InterruptedException {
        long wait = reserve(messages);
        if (wait > 0) clock.sleepNanos(wait);
    }
}
