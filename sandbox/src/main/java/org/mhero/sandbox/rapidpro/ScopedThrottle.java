package org.mhero.sandbox.rapidpro;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DRF {@code SimpleRateThrottle} semantics keyed by workspace + scope ({@code OrgUserRateThrottle}): a history of
 * request times; entries older than the period drop off; when the history is full the request is refused (and not
 * recorded) with DRF's wait: {@code (period - (now - oldest)) / (count - len(history) + 1)}, rounded up (at least 1).
 */
final class ScopedThrottle {
    private final Map<String, RateLimit> rates = new ConcurrentHashMap<>();
    private final Map<String, Deque<Long>> histories = new HashMap<>();

    void rate(String scope, RateLimit rate) {
        if (rate == null) rates.remove(scope); else rates.put(scope, rate);
    }

    RateLimit rate(String scope) { return rates.get(scope); }

    Map<String, RateLimit> rates() { return Map.copyOf(rates); }

    /** Records a request; empty when allowed, else the wait in whole seconds (≥ 1). */
    synchronized OptionalLong hit(String workspace, String scope) {
        RateLimit rate = rates.get(scope);
        if (rate == null) return OptionalLong.empty();
        long now = System.nanoTime();
        long duration = rate.period().toNanos();
        Deque<Long> history = histories.computeIfAbsent(workspace + ":" + scope, k -> new ArrayDeque<>());
        while (!history.isEmpty() && history.peekLast() <= now - duration) history.pollLast();
        if (history.size() >= rate.count()) {
            long remaining = duration - (now - history.peekLast());
            long available = rate.count() - history.size() + 1;
            double waitSeconds = available <= 0 ? remaining / 1e9 : (remaining / 1e9) / available;
            return OptionalLong.of(Math.max(1, (long) Math.ceil(waitSeconds)));
        }
        history.addFirst(now);
        return OptionalLong.empty();
    }

    synchronized void reset() { histories.clear(); }
}
