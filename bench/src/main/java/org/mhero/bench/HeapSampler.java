package org.mhero.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Samples the used heap every 100 ms in a daemon thread: the maximum over the whole run and over each phase. Also
 * answers GC counts/times and process CPU time, so that a phase's figures can be read next to where its time went.
 */
final class HeapSampler implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private volatile boolean stop;
    private volatile String phase = "setup";
    private final Map<String, Long> phasePeaks = new LinkedHashMap<>();
    private long peak;

    HeapSampler() {
        thread = new Thread(this::loop, "bench-heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!stop) {
            sample();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        long used = memory.getHeapMemoryUsage().getUsed();
        peak = Math.max(peak, used);
        phasePeaks.merge(phase, used, Math::max);
    }

    /** Starts attributing samples to {@code name} (samples once at the boundary of each phase). */
    void phase(String name) {
        sample();
        phase = name;
        sample();
    }

    long usedNow() { return memory.getHeapMemoryUsage().getUsed(); }
    synchronized long peak() { return peak; }
    synchronized long peak(String phase) { return phasePeaks.getOrDefault(phase, 0L); }
    synchronized Map<String, Long> phasePeaks() { return new LinkedHashMap<>(phasePeaks); }

    /** Used heap after a full GC: the live set (taken outside the timed sections). */
    long liveAfterGc() {
        System.gc();
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return usedNow();
    }

    static long gcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) t += Math.max(0, gc.getCollectionTime());
        return t;
    }

    static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, gc.getCollectionCount());
        return n;
    }

    static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
