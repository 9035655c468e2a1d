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
