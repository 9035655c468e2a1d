package org.mhero.broadcast;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class CircuitBreakerTest {
    @Test
    void opensAfterConsecutiveFailuresThenLetsOneTryAfterThePause() {
        AtomicLong now = new AtomicLong();
        CircuitBreaker cb = new CircuitBreaker(3, 1000, now::get);
        cb.failure();
        cb.failure();
        cb.success();          // a success resets the count
        cb.failure();
        cb.failure();
        assertThat(cb.isOpen()).isFalse();
        cb.failure();
        assertThat(cb.isOpen()).isTrue();
        now.addAndGet(999_000_000L);
        assertThat(cb.isOpen()).isTrue();
        now.addAndGet(2_000_000L);
        assertThat(cb.isOpen()).as("half open: one caller tries").isFalse();
        assertThat(cb.isOpen()).as("the others still fail over").isTrue();
        cb.success();
        assertThat(cb.isOpen()).isFalse();
    }
}
