package org.mhero.rapidpro;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimiterTest {

    /** A fake monotonic clock; sleeping advances it. */
    static final class FakeTime {
        final AtomicLong now = new AtomicLong(1_000_000_000L);
        final List<Long> sleeps = new ArrayList<>();

        long nanos() { return now.get(); }

        void sleep(long nanos) {
            sleeps.add(nanos);
            now.addAndGet(nanos);
        }

        void advance(Duration d) { now.addAndGet(d.toNanos()); }
    }

    private static RateLimiter limiter(String spec, int burst, Duration margin, FakeTime t) {
        return RateLimiter.builder(spec).burst(burst).margin(margin).clock(t::nanos).sleeper(t::sleep).build();
    }

    /** The most grants in any window (t - period, t] — what DRF's sliding window counts. */
    private static int maxInWindow(List<Long> grants, long periodNanos) {
        int max = 0;
        int from = 0;
        for (int i = 0; i < grants.size(); i++) {
            while (grants.get(i) - grants.get(from) >= periodNanos) from++;
            max = Math.max(max, i - from + 1);
        }
        return max;
    }

    @Test
    void parsesDrfRatesAndCustomPeriods() {
        assertThat(RateLimiter.Rate.parse("3600/hour")).isEqualTo(new RateLimiter.Rate(3600, Duration.ofHours(1)));
        assertThat(RateLimiter.Rate.parse("2500/h")).isEqualTo(new RateLimiter.Rate(2500, Duration.ofHours(1)));
        assertThat(RateLimiter.Rate.parse("10/minute")).isEqualTo(new RateLimiter.Rate(10, Duration.ofMinutes(1)));
        assertThat(RateLimiter.Rate.parse(" 5/second ")).isEqualTo(new RateLimiter.Rate(5, Duration.ofSeconds(1)));
        assertThat(RateLimiter.Rate.parse("100/day")).isEqualTo(new RateLimiter.Rate(100, Duration.ofDays(1)));
        assertThat(RateLimiter.Rate.parse("20/2s")).isEqualTo(new RateLimiter.Rate(20, Duration.ofSeconds(2)));
        assertThat(RateLimiter.Rate.parse("5/2")).isEqualTo(new RateLimiter.Rate(5, Duration.ofSeconds(2)));
        assertThatThrownBy(() -> RateLimiter.Rate.parse("fast")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimiter.Rate.parse("0/hour")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RateLimiter.Rate.parse("10/fortnight")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void spacesPermitsEvenlyAfterASmallBurst() throws InterruptedException {
        FakeTime t = new FakeTime();
        RateLimiter l = limiter("3600/hour", 3, Duration.ofMillis(50), t);
        assertThat(l.spacing()).isEqualTo(Duration.ofSeconds(1));
        long start = t.nanos();
        List<Long> grants = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            l.acquire().close();
            grants.add(t.nanos() - start);
        }
        // three at once, then one per second
        assertThat(grants.subList(0, 3)).containsOnly(0L);
        for (int i = 3; i < 10; i++) assertThat(grants.get(i)).isEqualTo((i - 2) * 1_000_000_000L);
    }

    @Test
    void neverExceedsNPerPeriodOverASlidingWindow() throws InterruptedException {
        FakeTime t = new FakeTime();
        Duration margin = Duration.ofMillis(50);
        RateLimiter l = limiter("20/2s", 4, margin, t);
        Random random = new Random(42);
        List<Long> grants = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            // callers arrive in bursts and lulls
            if (random.nextInt(10) == 0) t.advance(Duration.ofMillis(random.nextInt(3000)));
            l.acquire().close();
            grants.add(t.nanos());
        }
        // the server's window, even widened by the jitter margin, never sees more than N
        assertThat(maxInWindow(grants, Duration.ofSeconds(2).plus(margin).toNanos())).isLessThanOrEqualTo(20);
        // and under sustained demand the rate is close to N per period, not far below it
        FakeTime t2 = new FakeTime();
        RateLimiter busy = limiter("20/2s", 4, margin, t2);
        long start = t2.nanos();
        for (int i = 0; i < 400; i++) busy.acquire().close();
        double seconds = (t2.nanos() - start) / 1e9;
        assertThat(seconds).isBetween(39.0, 42.0); // 400 at 10/s
    }

    @Test
    void pacingAtExactlyNPerPeriodFromColdStartStaysUnderTheLimit() throws InterruptedException {
        FakeTime t = new FakeTime();
        RateLimiter l = limiter("10/1s", 1, Duration.ZERO, t);
        List<Long> grants = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            l.acquire().close();
            grants.add(t.nanos());
        }
        assertThat(maxInWindow(grants, Duration.ofSeconds(1).toNanos())).isEqualTo(10);
        for (int i = 1; i < grants.size(); i++) assertThat(grants.get(i) - grants.get(i - 1)).isEqualTo(100_000_000L);
    }

    @Test
    void retryAfterBlocksEveryoneUntilThenAndResumesOneByOne() throws InterruptedException {
        FakeTime t = new FakeTime();
        RateLimiter l = limiter("3600/hour", 3, Duration.ofMillis(50), t);
        l.acquire().close();
        long blockedAt = t.nanos();
        l.onRetryAfter(12);
        assertThat(l.blockedFor()).isEqualTo(Duration.ofSeconds(12));
        // a shorter, later Retry-After does not shorten the block
        l.onRetryAfter(2);
        assertThat(l.blockedFor()).isEqualTo(Duration.ofSeconds(12));

        // tryAcquire with less time than the block gives up at once, without sleeping
        assertThat(l.tryAcquire(Duration.ofSeconds(5))).isEmpty();
        assertThat(t.nanos()).isEqualTo(blockedAt);
        assertThat(t.sleeps).isEmpty();

        l.acquire().close();
        assertThat(t.nanos() - blockedAt).isEqualTo(Duration.ofSeconds(12).toNanos());
        // no burst straight after the block: the next permit is one spacing later
        l.acquire().close();
        assertThat(t.nanos() - blockedAt).isEqualTo(Duration.ofSeconds(13).toNanos());
        assertThat(l.blockedFor()).isZero();
    }

    @Test
    void tryAcquireWaitsWhenThePermitIsWithinTheTimeout() throws InterruptedException {
        FakeTime t = new FakeTime();
        RateLimiter l = limiter("1/second", 1, Duration.ZERO, t);
        l.tryAcquire(Duration.ZERO).orElseThrow().close();
        assertThat(l.tryAcquire(Duration.ofMillis(500))).isEmpty();
        long before = t.nanos();
        l.tryAcquire(Duration.ofSeconds(2)).orElseThrow().close();
        assertThat(t.nanos() - before).isEqualTo(1_000_000_000L);
    }

    @Test
    void burstIsClampedToTheRate() {
        assertThat(RateLimiter.builder("2/second").burst(10).build().burst()).isEqualTo(2);
        assertThatThrownBy(() -> RateLimiter.builder("2/second").burst(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isSharedSafelyByManyThreadsOnTheRealClock() throws Exception {
        RateLimiter l = RateLimiter.builder("50/1s").burst(3).margin(Duration.ofMillis(20)).build();
        ConcurrentLinkedQueue<Long> grants = new ConcurrentLinkedQueue<>();
        int threads = 6;
        int each = 15;
        CountDownLatch done = new CountDownLatch(threads);
        long start = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            new Thread(() -> {
                try {
                    for (int k = 0; k < each; k++) {
                        try (RateLimiter.Permit p = l.acquire()) {
                            grants.add(System.nanoTime());
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }).start();
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        List<Long> sorted = new ArrayList<>(grants);
        sorted.sort(Long::compare);
        assertThat(sorted).hasSize(threads * each);
        assertThat(maxInWindow(sorted, Duration.ofSeconds(1).toNanos())).isLessThanOrEqualTo(50);
        // 90 permits at 50/s: about 1.8 s less the burst, plus the guard at the window edge
        assertThat((System.nanoTime() - start) / 1e9).isBetween(1.5, 4.0);
    }

    @Test
    void aSlowRequestCountsFromItsResponseNotItsGrant() throws InterruptedException {
        FakeTime t = new FakeTime();
        RateLimiter l = limiter("1/1s", 1, Duration.ZERO, t);
        long start = t.nanos();
        RateLimiter.Permit slow = l.acquire();          // a cold first request ...
        t.advance(Duration.ofMillis(800));
        slow.close();                                   // ... answered only 800 ms later
        t.advance(Duration.ofMillis(300));              // 1.1 s after the grant
        // the server may have seen the slow one as late as 0.8 s: the window is still full until 1.8 s
        assertThat(l.tryAcquire(Duration.ofMillis(600))).isEmpty();
        l.acquire().close();
        assertThat(t.nanos() - start).isEqualTo(Duration.ofMillis(1800).toNanos());
    }

    @Test
    void aThrottledRequestDoesNotCountAndAForgottenPermitExpires() throws InterruptedException {
        FakeTime t = new FakeTime();
        RateLimiter l = RateLimiter.builder("2/1s").burst(2).margin(Duration.ZERO).maxInFlight(Duration.ofSeconds(5))
                .clock(t::nanos).sleeper(t::sleep).build();
        long start = t.nanos();
        l.acquire().notCounted();                       // refused with 429: DRF did not record it
        l.acquire().close();
        t.advance(Duration.ofMillis(500));
        l.acquire().close();                            // only one other request is in the window
        assertThat(t.nanos() - start).isEqualTo(Duration.ofMillis(500).toNanos());

        FakeTime t2 = new FakeTime();
        RateLimiter l2 = RateLimiter.builder("1/1s").margin(Duration.ZERO).maxInFlight(Duration.ofSeconds(5))
                .clock(t2::nanos).sleeper(t2::sleep).build();
        long s2 = t2.nanos();
        l2.acquire();                                   // never closed
        l2.acquire().close();                           // counts as in flight for 5 s, then from then on
        assertThat(t2.nanos() - s2).isEqualTo(Duration.ofSeconds(6).toNanos());
    }
}
