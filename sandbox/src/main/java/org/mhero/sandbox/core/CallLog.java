package org.mhero.sandbox.core;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Predicate;

/** Thread-safe record of every call a simulator answered. Bounded so a long benchmark cannot exhaust the heap. */
public final class CallLog {
    private final int capacity;
    private final ArrayDeque<RecordedCall> calls = new ArrayDeque<>();   // the oldest drops off in O(1)
    private long total;

    public CallLog(int capacity) { this.capacity = capacity; }
    public CallLog() { this(200_000); }

    public synchronized void add(RecordedCall call) {
        total++;
        if (calls.size() >= capacity) calls.pollFirst();
        calls.add(call);
    }
    public synchronized List<RecordedCall> all() { return List.copyOf(calls); }
    public synchronized List<RecordedCall> matching(Predicate<RecordedCall> p) { return calls.stream().filter(p).toList(); }
    public synchronized long count(Predicate<RecordedCall> p) { return calls.stream().filter(p).count(); }
    /** Calls ever received, including those dropped from the bounded window. */
    public synchronized long total() { return total; }
    public synchronized void clear() { calls.clear(); total = 0; }
}
