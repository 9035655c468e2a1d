package org.mhero.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The live heap of this JVM: used heap right after a full GC ({@code System.gc()}), measured on demand and, while
 * started, every {@code periodSeconds} (0 = never) in a daemon thread, keeping the maximum. Each probe is a
 * stop-the-world collection, so probing runs are for memory figures, not for rates.
 */
final class LiveHeap {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final int periodSeconds;
    private Thread thread;
    private volatile double maxMb;
    private volatile int probes;

    LiveHeap(int periodSeconds) { this.periodSeconds = periodSeconds; }

    /** Used heap after a full GC, in MB (10^6 bytes). */
    double liveMb() {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed() / 1e6;
    }

    void start() {
        if (periodSeconds <= 0) return;
        thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(periodSeconds * 1000L);
                } catch (InterruptedException e) {
                    return;
                }
                double mb = liveMb();
                maxMb = Math.max(maxMb, mb);
                probes++;
            }
        }, "bench-live-heap");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        if (thread != null) {
            thread.interrupt();
            thread.join();
            thread = null;
        }
    }

    double maxMb() { return maxMb; }
    int probes() { return probes; }
}
