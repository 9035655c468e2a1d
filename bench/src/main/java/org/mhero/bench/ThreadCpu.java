package org.mhero.bench;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this JVM's threads, grouped by what they do (JIT compilers, garbage collection, the rest by thread name),
 * from {@code /proc/self/task/<tid>/stat} and {@code comm}. A snapshot minus an earlier one says where a phase's CPU
 * went, including the threads a Java profiler does not sample (the compilers and the collector). Threads that end in
 * between are lost. Linux only; empty elsewhere.
 */
final class ThreadCpu {
    private final Map<String, Long> ticksByTask;   // "tid name" -> utime + stime ticks

    private ThreadCpu(Map<String, Long> ticksByTask) {
        this.ticksByTask = ticksByTask;
    }

    static ThreadCpu now() {
        Map<String, Long> out = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) return new ThreadCpu(out);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
            for (Path t : ds) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = Files.readString(t.resolve("comm")).trim();
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(t.getFileName() + " " + comm, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (Exception ignored) {
                    // the thread ended while being read
                }
            }
        } catch (Exception ignored) {
            // not readable here
        }
        return new ThreadCpu(out);
    }

    /** CPU seconds per group since {@code before}, largest first, groups under 10 ms left out. */
    Map<String, Double> since(ThreadCpu before) {
        Map<String, Long> byGroup = new TreeMap<>();
        for (Map.Entry<String, Long> e : ticksByTask.entrySet()) {
            long d = e.getValue() - before.ticksByTask.getOrDefault(e.getKey(), 0L);
            if (d > 0) byGroup.merge(group(e.getKey().substring(e.getKey().indexOf(' ') + 1)), d, Long::sum);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .filter(e -> e.getValue() >= 1)
                .forEach(e -> out.put(e.getKey(), e.getValue() / 100.0));   // USER_HZ
        return out;
    }

    /** Thread names (at most 15 characters in comm) folded into groups: numbered pool threads are one group. */
    static String group(String comm) {
        if (comm.startsWith("C2 Compiler")) return "jit-c2";
        if (comm.startsWith("C1 Compiler")) return "jit-c1";
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread")) return "gc+vm";
        return comm.replaceAll("[#-]?\\d+$", "").replaceAll("\\s+$", "");
    }
}
