package org.mhero.sandbox;

import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Simulator;
import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.sandbox.sms.AfricasTalkingSimulator;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The sandbox of peers, standalone: a seeded iHRIS (HAPI FHIR R4), and the RapidPro, DHIS2, Kannel and Africa's
 * Talking simulators, on loopback, for the demo and for rehearsing a campaign without touching production. Prints what
 * runs where, and writes the addresses to an env file ({@code --env-file}) that the run script turns into mHero's etc/
 * configuration. Ports: {@code --ihris-port 8090 --rapidpro-port 8091 --dhis2-port 8092 --kannel-port 13013
 * --at-port 8093}; {@code --rapidpro-rate 3600/hour} the workspace's API budget; {@code --mhero-inbound
 * http://127.0.0.1:8181} is where simulated phones and webhooks post.
 *
 * <pre>java org.mhero.sandbox.Sandbox [--practitioners 500] [--env-file f] [ports]</pre>
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
        String rate = a.getOrDefault("rapidpro-rate", "3600/hour");
        RapidProSimulator rapidpro = RapidProSimulator.start(RapidProOptions.defaults()
                .port(Integer.parseInt(a.getOrDefault("rapidpro-port", "8091"))).rateLimit(rate));
        s.running.add(rapidpro);
        s.env.put("RAPIDPRO_URL", rapidpro.baseUrl());
        s.env.put("RAPIDPRO_TOKEN", rapidpro.token());
        s.env.put("RAPIDPRO_RATE", rate);

        String inbound = a.getOrDefault("mhero-inbound", "http://127.0.0.1:8181");
        Dhis2Simulator dhis2 = Dhis2Simulator.start(Dhis2Options.defaults()
                .port(Integer.parseInt(a.getOrDefault("dhis2-port", "8092"))));
        s.running.add(dhis2);
        s.env.put("DHIS2_URL", dhis2.baseUrl());
        s.env.put("DHIS2_TOKEN", Dhis2Options.DEFAULT_TOKEN);
        // some people are in both registries, as in real countries: mHero should merge them
        int overlap = RegistryOverlap.seed(ihris.store(), dhis2.model(), Integer.parseInt(a.getOrDefault("overlap-every", "10")));
        KannelSimulator kannel = KannelSimulator.start(KannelOptions.defaults()
                .port(Integer.parseInt(a.getOrDefault("kannel-port", "13013")))
                .moGetUrl(inbound + "/mo/kannel?from=%p&to=%P&text=%a&time=%t&smsc=%i&id=%I"));
        s.running.add(kannel);
        s.env.put("KANNEL_SENDSMS_URL", kannel.sendsmsUrl());
        AfricasTalkingSimulator at = AfricasTalkingSimulator.start(AfricasTalkingSimulator.options()
                .port(Integer.parseInt(a.getOrDefault("at-port", "8093")))
                .dlrUrl(inbound + "/dlr/africastalking").moUrl(inbound + "/mo/africastalking"));
        s.running.add(at);
        s.env.put("AT_URL", at.baseUrl());

        System.out.printf("mHero sandbox up in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        System.out.printf("  iHRIS (HAPI FHIR R4)  %s  (%d practitioners)%n", ihris.baseUrl(), practitioners);
        System.out.printf("  RapidPro API v2       %s/api/v2/  (Authorization: Token %s; rate limit %s)%n", rapidpro.baseUrl(), rapidpro.token(), rate);
        System.out.printf("  DHIS2 Web API         %s  (Authorization: ApiToken %s, or Basic admin:district; %d users also in iHRIS)%n",
                dhis2.apiUrl(), Dhis2Options.DEFAULT_TOKEN, overlap);
        System.out.printf("  Kannel sendsms        %s  (username=mhero&password=secret)%n", kannel.sendsmsUrl());
        System.out.printf("  Africa's Talking      %s/version1/messaging%n", at.baseUrl());
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
