package org.mhero.it;

import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Simulator;
import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The world outside Karaf, started in the test JVM before Karaf boots (Pax Exam calls {@code @Configuration} there):
 * a throwaway PostgreSQL database, two sandbox iHRIS servers (A is configured at boot; B, with more practitioners,
 * is switched to by a configuration edit), DHIS2, RapidPro and Kannel simulators (broadcasts go through RapidPro until
 * a configuration edit makes Kannel the active channel), and the shipped etc/*.cfg files with only the addresses changed.
 * Never referenced from test methods, which run inside Karaf.
 */
final class ItEnvironment {
    static final int PRACTITIONERS_A = 120;
    static final int PRACTITIONERS_B = 150;
    private static ItEnvironment instance;

    final TestDatabase db = new TestDatabase();
    final IhrisSandbox ihrisA = IhrisSandbox.start(IhrisOptions.defaults(PRACTITIONERS_A));
    final IhrisSandbox ihrisB = IhrisSandbox.start(IhrisOptions.defaults(PRACTITIONERS_B));
    final Dhis2Simulator dhis2 = Dhis2Simulator.start(Dhis2Options.defaults());
    final RapidProSimulator rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit("100/1s"));
    /** The channel a configuration edit switches broadcasts to. */
    final KannelSimulator kannel = KannelSimulator.start(KannelOptions.defaults());
    final Path configDir;
    final int apiPort;

    private ItEnvironment() throws IOException {
        configDir = Files.createDirectories(Path.of("target", "it-etc"));
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            apiPort = s.getLocalPort();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ihrisA.close();
            ihrisB.close();
            dhis2.close();
            rapidpro.close();
            kannel.close();
            db.close();
        }));
    }

    static synchronized ItEnvironment get() throws IOException {
        if (instance == null) instance = new ItEnvironment();
        return instance;
    }

    /** DHIS2 users mHero reads (it asks for users with a phone number). */
    long dhis2UsersWithPhone() {
        return dhis2.model().users().stream().filter(u -> u.phoneNumber() != null).count();
    }

    /** A shipped etc/ file with some keys replaced; every other key keeps the default that ships. */
    Path cfg(String pid, Map<String, String> overrides) throws IOException {
        Path shipped = Path.of(System.getProperty("mhero.etc.dir", "../etc"), pid + ".cfg");
        List<String> lines = Files.readAllLines(shipped);
        Map<String, String> left = new LinkedHashMap<>(overrides);
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            int eq = line.indexOf('=');
            String key = eq > 0 && !line.startsWith("#") ? line.substring(0, eq).trim() : null;
            if (key != null && left.containsKey(key)) out.append(key).append(" = ").append(left.remove(key)).append('\n');
            else out.append(line).append('\n');
        }
        left.forEach((k, v) -> out.append(k).append(" = ").append(v).append('\n'));
        Path p = configDir.resolve(pid + ".cfg");
        Files.writeString(p, out);
        return p;
    }
}
