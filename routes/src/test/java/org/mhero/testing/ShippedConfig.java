package org.mhero.testing;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The shipped etc/<pid>.cfg files, so tests run with the defaults that ship, overriding only addresses and timings. */
public final class ShippedConfig {
    private final Map<String, Map<String, String>> pids = new HashMap<>();
    /**
     * What idle() changed (schedules off, the addresses of mHero's HTTP port); kept when a test loads that PID again
     * with {@link #pid}, unless the test overrides the key itself.
     */
    private final Map<String, Map<String, String>> adjusted = new HashMap<>();

    /**
     * Every shipped etc/*.cfg of mHero, with nothing scheduled: every {@code *.enabled} and {@code *.on.start} key is
     * false (syncs, imports, push and pull, reconciling, report tracking, quizzes, the groups' apply at start), so a
     * test starts only what it calls. Override a PID with
     * {@link #pid} afterwards. mHero's HTTP port ({@code org.mhero.api}) is a free port on 127.0.0.1, and the channels'
     * {@code dlr.base.url} points at it, so that tests running side by side never compete for the shipped port.
     * A PID loaded again with {@link #pid} stays idle: a test that gives only addresses is never run into by a scheduled
     * sync (the shipped {@code sync.cron} fires every quarter hour, also in the middle of a test).
     */
    public static ShippedConfig idle() {
        ShippedConfig c = new ShippedConfig();
        try (var files = Files.list(Path.of(System.getProperty("mhero.etc.dir", "../etc")))) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("org\\.mhero\\..*\\.cfg")).toList()) {
                String pid = f.getFileName().toString().replaceFirst("\\.cfg$", "");
                c.pid(pid, Map.of());
                Map<String, String> v = c.pids.get(pid);
                for (String k : List.copyOf(v.keySet())) {
                    if (k.equals("enabled") || k.endsWith(".enabled") || k.endsWith(".on.start")) c.adjust(pid, k, "false");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int port = freePort();
        if (c.pids.containsKey("org.mhero.api")) {
            c.adjust("org.mhero.api", "http.host", "127.0.0.1");
            c.adjust("org.mhero.api", "http.port", Integer.toString(port));
        }
        if (c.pids.containsKey("org.mhero.channel")) c.adjust("org.mhero.channel", "dlr.base.url", "http://127.0.0.1:" + port);
        return c;
    }

    private void adjust(String pid, String key, String value) {
        adjusted.computeIfAbsent(pid, k -> new HashMap<>()).put(key, value);
        pids.get(pid).put(key, value);
    }

    /** A port nobody listens on now. */
    public static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value of {@code key} in {@code pid} as configured so far. */
    public String value(String pid, String key) { return pids.get(pid).get(key); }

    /** Loads the shipped file of {@code pid} (again), then applies the overrides. */
    public ShippedConfig pid(String pid, Map<String, String> overrides) {
        Path file = Path.of(System.getProperty("mhero.etc.dir", "../etc"), pid + ".cfg");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file.toAbsolutePath(), e);
        }
        Map<String, String> values = new HashMap<>();
        p.forEach((k, v) -> values.put(k.toString(), v.toString().trim()));
        values.putAll(adjusted.getOrDefault(pid, Map.of()));
        values.putAll(overrides);
        pids.put(pid, values);
        return this;
    }

    public Map<String, Map<String, String>> asMap() { return Map.copyOf(pids); }
}
