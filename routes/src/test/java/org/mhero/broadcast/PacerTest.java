package org.mhero.broadcast;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PacerTest {
    /** A clock that moves only when someone sleeps on it. */
    static final class FakeClock implements Pacer.Clock {
        long now = 1_000_000_000L;
        final List<Long> sleeps = new ArrayList<>();
        @Override public long nanoTime() { return now; }
        @Override public void sleepNanos(long nanos) { sleeps.add(nanos); now += nanos; }
    }

    @Test
    void turnedOffNeverWaits() throws Exception {
        FakeClock clock = new FakeClock();
        Pacer p = new Pacer(0, 0, clock);
        for (int i = 0; i < 1000; i++) p.acquire(50);
        assertThat(p.enabled()).isFalse();
        assertThat(clock.sleeps).isEmpty();
    }

    @Test
    void aLargeRequestGoesAtOnceAndTheNextOnesRepayIt() {
        FakeClock clock = new FakeClock();
        Pacer p = new Pacer(10, 0, clock);
        // four requests of 5 messages at 10/s, all asked at the same instant: 0, 0.5, 1.0 and 1.5 s
        assertThat(p.reserve(5)).isZero();
        assertThat(p.reserve(5)).isEqualTo(500_000_000L);
        assertThat(p.reserve(5)).isEqualTo(1_000_000_000L);
        assertThat(p.reserve(5)).isEqualTo(1_500_000_000L);
    }

    @Test
    void sustainsExactlyTheRateWhateverTheRequestSizes() throws Exception {
        FakeClock clock = new FakeClock();
        Pacer p = new Pacer(40, 0, clock);
        long start = clock.now;
        int[] sizes = {1, 7, 50, 3, 50, 12};
        int sent = 0;
        long lastStart = start;
        for (int i = 0; i < 600; i++) {
            int n = sizes[i % sizes.length];
            p.acquire(n);
            lastStart = clock.now;
            sent += n;
            clock.now += 1_000_000; // each call takes 1 ms
        }
        // the last request started once everything before it was paid for
        double seconds = (lastStart - start) / 1e9;
        int beforeLast = sent - sizes[599 % sizes.length];
        assertThat(beforeLast / seconds).isCloseTo(40.0, within(0.5));
    }

    @Test
    void savesUpAtMostTheBurstWhileIdle() {
        FakeClock clock = new FakeClock();
        Pacer p = new Pacer(10, 3, clock);
        clock.now += 60_000_000_000L; // a minute idle
        assertThat(p.reserve(1)).isZero();
        assertThat(p.reserve(1)).isZero();
        assertThat(p.reserve(1)).isZero();
        assertThat(p.reserve(1)).isZero();                 // the bucket is now at -1: the next one waits 0.1 s
        assertThat(p.reserve(1)).isEqualTo(100_000_000L);
    }

    @Test
    void isSharedSafelyByConcurrentWorkers() throws Exception {
        Pacer p = new Pacer(200, 0, Pacer.SYSTEM);
        AtomicInteger sent = new AtomicInteger();
        long end = System.nanoTime() + 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                try {
                    while (true) {
                        p.acquire(2);
                        if (System.nanoTime() > end) return;
                        sent.addAndGet(2);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join();
        // 200/s for one second: four workers together stay at the rate (a request of 2 may start on the boundary)
        assertThat(sent.get()).isBetween(180, 204);
    }
}
