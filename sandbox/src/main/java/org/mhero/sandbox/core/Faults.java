package org.mhero.sandbox.core;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault knobs shared by every simulator: added latency, a 5xx rate, timeouts (the request hangs past any sane
 * client timeout) and forced 429s. Mutable at run time so a test can turn a peer bad in the middle of a flow.
 */
public final class Faults {
    private volatile long latencyMillis;
    private volatile double errorRate;
    private volatile double timeoutRate;
    private volatile long timeoutMillis = 30_000;
    private final AtomicInteger forced429 = new AtomicInteger();
    private final AtomicInteger forced5xx = new AtomicInteger();
    private final AtomicInteger forcedLost = new AtomicInteger();
    private volatile boolean down;

    public enum Action { PASS, ERROR_5XX, TIMEOUT, THROTTLE_429, DOWN, LOST_RESPONSE }

    public Faults latency(long millis) { this.latencyMillis = millis; return this; }
    public Faults errorRate(double rate) { this.errorRate = rate; return this; }
    public Faults timeoutRate(double rate) { this.timeoutRate = rate; return this; }
    public Faults timeoutMillis(long millis) { this.timeoutMillis = millis; return this; }
    /** The next {@code n} requests are answered 429 whatever the rate limit says. */
    public Faults force429(int n) { forced429.set(n); return this; }
    /** The next {@code n} requests are answered 500/503. */
    public Faults force5xx(int n) { forced5xx.set(n); return this; }
    /**
     * The next {@code n} requests are processed (a POST creates what it creates) but the answer comes only after
     * {@link #timeoutMillis}: the client times out not knowing the outcome.
     */
    public Faults forceLostResponse(int n) { forcedLost.set(n); return this; }
    /** While down, every request is answered 503 (a peer that went away mid-sync). */
    public Faults down(boolean down) { this.down = down; return this; }
    public Faults reset() {
        latencyMillis = 0; errorRate = 0; timeoutRate = 0; forced429.set(0); forced5xx.set(0); forcedLost.set(0); down = false;
        return this;
    }

    public long timeoutMillis() { return timeoutMillis; }

    /** Decides what to do with one request; sleeps for the configured latency first. */
    public Action next() {
        if (latencyMillis > 0) sleep(latencyMillis);
        if (down) return Action.DOWN;
        if (take(forced429)) return Action.THROTTLE_429;
        if (take(forced5xx)) return Action.ERROR_5XX;
        if (take(forcedLost)) return Action.LOST_RESPONSE;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (timeoutRate > 0 && r.nextDouble() < timeoutRate) return Action.TIMEOUT;
        if (errorRate > 0 && r.nextDouble() < errorRate) return Action.ERROR_5XX;
        return Action.PASS;
    }

    private static boolean take(AtomicInteger counter) {
        while (true) {
            int n = counter.get();
            if (n <= 0) return false;
            if (counter.compareAndSet(n, n - 1)) return true;
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
