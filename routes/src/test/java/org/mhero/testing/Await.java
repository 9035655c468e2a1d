package org.mhero.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in route tests for what mHero does asynchronously: polls a condition every 50 ms until it holds or times out. */
public final class Await {
    private Await() {}

    /** Waits at most 30 s until {@code done}; an {@link AssertionError} naming {@code what} otherwise. */
    public static void await(String what, BooleanSupplier done) throws InterruptedException {
        await(Duration.ofSeconds(30), what, done);
    }

    public static void await(Duration timeout, String what, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(50);
        }
    }
}
