package org.mhero.sandbox;

import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The sandbox of peers, standalone: a seeded iHRIS (HAPI FHIR R4) and the RapidPro simulator on loopback, for the demo
 * and for rehearsing a campaign without touching production. Prints what runs where, and writes the addresses to an
 * env file ({@code --env-file}) that the run script turns into mHero's etc/ configuration.
 *
 * <pre>java org.mhero.sandbox.Sandbox [--practitioners 500] [--ihris-port 8090] [--rapidpro-port 8091] [--env-file f]</pre>
 */
public final class Sandbox implements AutoCloseable {
    private final List<AutoCloseable> running = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        int practitioners = Integer.parseInt(a.getOrDefault("practitioners", "500"));
        Sandbox s = new Sandbox();
        Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        long t0 = System.nanoTime();
        IhrisSandbox ihris = IhrisSandbox.start(IhrisOptions.defaults(practitioners)
                .withPort(Integer.parseInt(a.getOrDefault("ihris-port", "8090"))));
        s.running.add(ihris);
        s.env.put("IHRIS_URL", ihris.baseUrl());
        RapidProSimulator rapidpro = RapidProSimulator.start(RapidProOptions.defaults()
                .port(Integer.parseInt(a.getOrDefault("rapidpro-port", "8091"))));
        s.running.add(rapidpro);
        s.env.put("RAPIDPRO_URL", rapidpro.baseUrl());
        s.env.put("RAPIDPRO_TOKEN", rapidpro.token());

        System.out.printf("mHero sandbox up in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        System.out.printf("  iHRIS (HAPI FHIR R4)  %s  (%d practitioners)%n", ihris.baseUrl(), practitioners);
        System.out.printf("  RapidPro API v2       %s/api/v2/  (Authorization: Token %s)%n", rapidpro.baseUrl(), rapidpro.token());
        if (a.containsKey("env-file")) {
            StringBuilder sb = new StringBuilder();
            s.env.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
            Files.writeString(Path.of(a.get("env-file")), sb);
        }
        new CountDownLatch(1).await();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument " + args[i]);
            String key = args[i].substring(2);
            if (i + 1 >= args.length) throw new IllegalArgumentException("--" + key + " needs a value");
            out.put(key, args[++i]);
        }
        return out;
    }

    @Override
    public void close() {
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception ignored) {
                // shutting down
            }
        }
        running.clear();
    }

}
