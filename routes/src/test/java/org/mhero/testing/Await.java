package org.mhero.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting in route tests for what mHero does asynchronously: polls a condition (every 50 ms unless told otherwise)
 * until it holds, or fails with an {@link AssertionError} that names what was awaited, the timeout and, when given,
 * the state worth seeing.
 */
public final class Await {
    private static final Duration EVERY = Duration.ofMillis(50);

    private Await() {}

    /** Waits at most 30 s until {@code done}. */
    public static void await(String what, BooleanSupplier done) throws InterruptedException {
        await(Duration.ofSeconds(30), what, done);
    }

    public static void await(Duration timeout, String what, BooleanSupplier done) throws InterruptedException {
        await(timeout, EVERY, what, done, null);
    }

    /** Waits at most 30 s until {@code done}; on a timeout the message ends with {@code state}'s answer. */
    public static void await(String what, BooleanSupplier done, Supplier<String> state) throws InterruptedException {
        await(Duration.ofSeconds(30), EVERY, what, done, state);
    }

    public static void await(Duration timeout, Duration every, String what, BooleanSupplier done, Supplier<String> state)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what
                        + (state == null ? "" : "; " + state.get()));
            }
            Thread.sleep(every.toMillis());
        }
    }
}
