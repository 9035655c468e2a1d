package org.mhero.broadcast;

import java.util.function.LongSupplier;

/**
 * Opens after {@code threshold} consecutive technical failures of a channel (nothing certain got through) and stays
 * open for {@code openNanos}; then one batch may try again (half open): a success closes it, a failure re-opens it.
 * While it is open the dispatcher uses the failover channel, if one is configured.
 */
public final class CircuitBreaker {
    private final int threshold;
    private final long openNanos;
    private final LongSupplier clock;
    private int failures;
    private long openedAt;
    private boolean open;

    public CircuitBreaker(int threshold, long openMillis, LongSupplier nanoClock) {
        this.threshold = threshold;
        this.openNanos = openMillis * 1_000_000L;
        this.clock = nanoClock;
    }

    /** Whether calls should go elsewhere now. After the open period one caller is let through (half open). */
    public synchronized boolean isOpen() {
        if (!open) return false;
        if (clock.getAsLong() - openedAt >= openNanos) {
            openedAt = clock.getAsLong(); // half open: this caller tries, the others keep failing over
            return false;
        }
        return true;
    }

    public synchronized void success() {
        failures = 0;
        open = false;
    }

    public synchronized void failure() {
        failures++;
        if (failures >= threshold) {
            open = true;
            openedAt = clock.getAsLong();
        }
    }
}
