package org.mhero.testing;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** The shipped etc/<pid>.cfg files, so tests run with the defaults that ship, overriding only addresses and timings. */
public final class ShippedConfig {
    private final Map<String, Map<String, String>> pids = new HashMap<>();

    /**
     * Every shipped etc/*.cfg of mHero, with nothing scheduled: {@code sync.on.start}, {@code sync.enabled},
     * {@code push.enabled}, {@code pull.enabled} and {@code import.enabled} are false, so a test starts only what it calls;
     * the API ({@code org.mhero.api}) listens on 127.0.0.1 on a free port. Override a PID with
     * {@link #pid} afterwards.
     */
    public static ShippedConfig idle() {
        ShippedConfig c = new ShippedConfig();
        try (var files = Files.list(Path.of(System.getProperty("mhero.etc.dir", "../etc")))) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("org\\.mhero\\..*\\.cfg")).toList()) {
                String pid = f.getFileName().toString().replaceFirst("\\.cfg$", "");
                c.pid(pid, Map.of());
                Map<String, String> v = c.pids.get(pid);
                for (String k : new String[] {"sync.on.start", "sync.enabled", "push.enabled", "pull.enabled", "import.enabled", "apply.on.start"}) {
                    if (v.containsKey(k)) v.put(k, "false");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // the API listens on loopback on a free port, so tests never collide with a running mHero or each other
        if (c.pids.containsKey("org.mhero.api")) {
            c.pids.get("org.mhero.api").putAll(Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(freePort())));
        }
        return c;
    }

    /** A TCP port nobody listens on now. */
    public static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

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
        values.putAll(overrides);
        pids.put(pid, values);
        return this;
    }

    public Map<String, Map<String, String>> asMap() { return Map.copyOf(pids); }
}
