package org.mhero.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * mHero's benchmark harness: {@code Bench <scenario> [--option value]...}. Every figure a scenario reports is a ratio
 * against a baseline measured in the same run (the machine is shared and noisy). Each run prints a table and appends
 * one JSON line to {@code bench/results/results.jsonl} (system property {@code bench.results}).
 *
 * <p>Scenarios: {@code ihris-sync} (see {@link IhrisSyncScenario}), {@code rapidpro-push} (see {@link RapidProPushScenario}),
 * {@code dhis2-sync} (see {@link Dhis2SyncScenario}), {@code broadcast} (see {@link BroadcastScenario}),
 * {@code broadcast-kannel} (see {@link KannelBroadcastScenario}), {@code inbound} (see {@link InboundScenario}),
 * {@code inbound-stock} (see {@link InboundStockScenario}).
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>();
        for (String a : argv) for (String s : a.trim().split("\\s+")) if (!s.isEmpty()) args.add(s);   // exec's args may arrive as one
        if (!args.isEmpty() && (args.get(0).startsWith("-D") || args.get(0).startsWith("-X") || args.get(0).equals("-classpath"))) {
            System.err.println("run the benchmark with exec:exec (it forks a JVM with the heap flag), not exec:java: see bench/README.md");
            System.exit(2);
        }
        if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
            usage();
            System.exit(args.isEmpty() ? 2 : 0);
        }
        String scenario = args.get(0);
        Options opts = Options.parse(args.subList(1, args.size()));
        Scenario run;
        switch (scenario) {
            case "ihris-sync" -> run = new IhrisSyncScenario(opts)::run;
            case "rapidpro-push" -> run = new RapidProPushScenario(opts)::run;
            case "broadcast" -> run = new BroadcastScenario(opts)::run;
            case "broadcast-kannel" -> run = new KannelBroadcastScenario(opts)::run;
            case "dhis2-sync" -> run = new Dhis2SyncScenario(opts)::run;
            case "inbound" -> run = new InboundScenario(opts)::run;
            case "inbound-stock" -> run = new InboundStockScenario(opts)::run;
            case "report" -> run = new ReportScenario(opts)::run;
            default -> {
                System.err.println("unknown scenario: " + scenario);
                usage();
                System.exit(2);
                return;
            }
        }
        opts.checkAllUsed();
        Map<String, Object> result = run.run();
        appendResult(result);
        boolean ok = "ok".equals(result.get("outcome"));
        System.out.flush();
        // the forked sandbox and Camel/Jetty threads must not keep the JVM alive
        System.exit(ok ? 0 : 1);
    }

    /** One benchmark: runs and returns its figures. */
    interface Scenario {
        Map<String, Object> run() throws Exception;
    }

    static void usage() {
        System.err.println("""
                usage: Bench <scenario> [options]
                  ihris-sync   full + incremental iHRIS sync against the sandbox iHRIS, as a ratio of a bare fetch-and-parse baseline
                     --practitioners N      practitioners in the sandbox (default 100000)
                     --page-size P          FHIR _count / page.size (default 200)
                     --sandbox in|fork      run the sandbox iHRIS in this JVM (default) or in its own JVM, so that
                                            heap figures are mHero's alone
                     --sandbox-heap SIZE    -Xmx of the forked sandbox JVM (default: the JVM's default)
                     --baseline true|false  measure the baselines at all (default true; false: no ratio)
                     --db-pool hikari|none  the DataSource: HikariCP like the shipped one (default) or a new connection per use
                     --final-baseline true|false  walk the baseline again at the end and use the mean (default true)
                     --timeout-min M        give up on one sync after M minutes (default 60)
                     --progress-s S         print progress every S seconds during a sync (default 15; 0 = off)
                     --dhis2-users N        also the sandbox DHIS2 with N users, synced after iHRIS: the ratio of both
                                            registries together, and DHIS2's matched against the stored practitioners (default 0)
                  broadcast    a text broadcast to N known contacts through the outbox and the RapidPro channel, at N/10 and N
                     --recipients N         recipients of the large run (default 100000)
                     --rate R               the workspace budget of the simulator and of mHero (default 600/minute)
                     --sizes N1,N2,...      the recipients of each run (default N/10,N)
                     --sandbox in|fork      the RapidPro simulator in this JVM (default) or in its own, so the heap is mHero's alone
                     --heap-probe-s S       full-GC heap probes every S s during a broadcast (default 0 = off)
                  broadcast-kannel  a text broadcast to N workers through the outbox and the Kannel channel to the Kannel simulator:
                                 unthrottled against a bare sendsms loop, then throttled to T msg/s; or, with --sizes, the live heap per size
                     --recipients N         recipients of the unthrottled run (default 50000)
                     --tps T                kannel.tps of the throttled run (default 200; 0 = no throttled run)
                     --throttled-recipients N  recipients of the throttled run (default 60 s worth: 60 T)
                     --max-recipients M     kannel.max.recipients (default: the shipped value)
                     --concurrency C        dispatch.concurrency (default: the shipped value)
                     --sandbox fork|in      the simulator in its own JVM (default) or in this one
                     --peer-heap SIZE       -Xmx of the forked simulator (default 2g)
                     --dlr true|false       delivery reports on (the shipped dlr mask, default) or off (mask 0)
                     --baseline true|false  the bare sendsms loops before and after (default true)
                     --sizes N1,N2,...      memory mode: one unthrottled broadcast per size, live heap after full GC
                     --heap-probe-s S       full-GC heap probes every S s during a broadcast (default 2 with --sizes, else 0)
                  dhis2-sync   full + incremental DHIS2 sync against the sandbox DHIS2, as a ratio of a bare fetch-and-parse baseline
                     --users N              users generated in the sandbox (default 10000; one in twelve has no phone and is not served)
                     --page-size P          DHIS2 pageSize / page.size (default 200)
                     --db-pool hikari|none  the DataSource (default hikari, like the shipped one)
                     --final-baseline true|false  walk the baseline again at the end and use the mean (default true)
                     --second-full true|false  empty the tables and run the full sync again, JIT warm (default true)
                     --steady N             then N rounds of baseline and full sync, ratio of the medians (default 0 = off)
                     --keep-db true|false   keep the database at the end, for inspection (default false)
                  report       broadcast, flow and quiz reports over N recipients against reading the rows once
                     --recipients N         recipients (default 100000)
                     --runs R               timed runs of each report (default 5)
                     --keep-db true|false   keep the database at the end (default false)
                  inbound      inbound messages through intake (Kannel get-url) and routing, with replies through the outbox
                     --messages N           messages of the throughput phase (default 20000)
                     --clients C            concurrent senders (default 16)
                     --rate R --seconds S   the paced latency phase: R messages per second for S seconds (default 500, 30)
                     --workers W            health workers seeded (default 2000)
                  inbound-stock  SMS stock reports at a sustained rate on the Kannel intake: latency to the DHIS2 simulator (p50/p99)
                     --rate R               reports per second (default 50)
                     --seconds S            how long (default 30)
                     --workers W            distinct senders, each at a facility in the STOCK data set (default 200)
                  rapidpro-push  N changed workers pushed to the RapidPro simulator at the workspace's rate limit
                     --contacts N           workers to push (default 10000)
                     --rate R               the workspace budget, for the simulator and mHero alike (default 6000/minute;
                                            RapidPro's own default is 3600/hour)
                     --concurrency C        push.concurrency (default: the shipped etc/org.mhero.rapidpro.cfg)
                     --db-pool hikari|none  the DataSource: HikariCP like the shipped one (default) or a new connection per use
                JVM heap: mvn ... exec:exec -Dbench.heap=512m (the JVM default otherwise)""");
    }

    static void appendResult(Map<String, Object> result) throws IOException {
        Path file = Path.of(System.getProperty("bench.results", "results/results.jsonl"));
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        String line = new ObjectMapper().writeValueAsString(result) + "\n";
        Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println("result appended to " + file.toAbsolutePath().normalize());
    }

    /** The JVM facts every result carries. */
    static Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("java_version", System.getProperty("java.version"));
        env.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        env.put("nproc", Runtime.getRuntime().availableProcessors());
        env.put("xmx_bytes", Runtime.getRuntime().maxMemory());
        env.put("xmx_flag", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxRAM")).reduce((a, b) -> b).orElse("default"));
        env.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-X")).toList());
        env.put("loadavg_start", loadAverage());
        // what was measured when it is not the installed build (e.g. an older class first on the classpath)
        if (System.getProperty("bench.label") != null) env.put("label", System.getProperty("bench.label"));
        return env;
    }

    /**
     * The first fields of every result: when, which scenario, its options as given, the machine and JVM
     * ({@link #environment}), and the routes jar that was measured.
     */
    static Map<String, Object> header(String scenario, Map<String, String> options) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("date", java.time.Instant.now().toString());
        h.put("scenario", scenario);
        h.put("options", options);
        h.putAll(environment());
        h.put("routes_jar", describe(org.mhero.boot.MheroContext.class));
        return h;
    }

    /**
     * Camel's JMX statistics of every processor of the routes whose id starts with {@code routePrefix}:
     * "route/id (name)" → {total processing ms, exchanges}. Two snapshots around a phase say where its time went.
     */
    static Map<String, long[]> processorStats(String routePrefix) {
        Map<String, long[]> out = new LinkedHashMap<>();
        try {
            javax.management.MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
            for (javax.management.ObjectName on : mbs.queryNames(new javax.management.ObjectName("org.apache.camel:type=processors,*"), null)) {
                String route = String.valueOf(mbs.getAttribute(on, "RouteId"));
                if (!route.startsWith(routePrefix)) continue;
                String id = String.valueOf(mbs.getAttribute(on, "ProcessorId"));
                String kind = String.valueOf(mbs.getAttribute(on, "ProcessorName"));
                long total = ((Number) mbs.getAttribute(on, "TotalProcessingTime")).longValue();
                long calls = ((Number) mbs.getAttribute(on, "ExchangesTotal")).longValue();
                out.put(route + "/" + id + " (" + kind + ")", new long[] {total, calls});
            }
        } catch (Exception e) {
            out.put("unavailable: " + e, new long[] {0, 0});
        }
        return out;
    }

    /** Which build of a class was measured: its jar (or directory), last-modified time and size. */
    static String describe(Class<?> c) {
        try {
            Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            return p + (Files.isRegularFile(p) ? " (" + Files.getLastModifiedTime(p) + ", " + Files.size(p) + " bytes)" : "");
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }

    /**
     * The pool production uses (pax-jdbc's HikariCP) on {@code db}, sized by the shipped
     * {@code hikari.maximumPoolSize} of {@code etc/org.ops4j.datasource-mhero.cfg}.
     */
    static com.zaxxer.hikari.HikariDataSource hikari(org.mhero.sandbox.db.TestDatabase db, String poolName) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(Path.of(System.getProperty("mhero.etc.dir", "../etc"), "org.ops4j.datasource-mhero.cfg"))) {
            p.load(r);
        }
        com.zaxxer.hikari.HikariConfig c = new com.zaxxer.hikari.HikariConfig();
        c.setPoolName(poolName);
        c.setJdbcUrl(db.jdbcUrl());
        c.setUsername(db.user());
        c.setPassword(db.password());
        c.setMaximumPoolSize(Integer.parseInt(p.getProperty("hikari.maximumPoolSize", "10").trim()));
        return new com.zaxxer.hikari.HikariDataSource(c);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return String.valueOf(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** {@code --name value} pairs. */
    static final class Options {
        private final Map<String, String> values = new LinkedHashMap<>();
        private final java.util.Set<String> used = new java.util.HashSet<>();

        static Options parse(List<String> args) {
            Options o = new Options();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (!a.startsWith("--")) throw new IllegalArgumentException("expected --option, got " + a);
                String name = a.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) { value = name.substring(eq + 1); name = name.substring(0, eq); }
                else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) value = args.get(++i);
                else value = "true";
                o.values.put(name, value);
            }
            return o;
        }

        String string(String name, String def) { used.add(name); return values.getOrDefault(name, def); }
        int integer(String name, int def) { return Integer.parseInt(string(name, Integer.toString(def)).replace("_", "")); }
        boolean bool(String name, boolean def) { return Boolean.parseBoolean(string(name, Boolean.toString(def))); }

        void checkAllUsed() {
            for (String k : values.keySet()) if (!used.contains(k)) System.err.println("warning: unknown option --" + k + " ignored");
        }

        Map<String, String> asMap() { return Map.copyOf(values); }
    }

    /**
     * Every shipped etc/org.mhero.*.cfg with nothing scheduled: every {@code *.enabled} key and every {@code *.on.start}
     * key false (syncs, imports, push and pull, reconciling, report tracking, quizzes, the groups' apply at start), so
     * that only what a scenario starts runs; and {@code ${karaf.data}} expanded, as Karaf would, to a scratch directory
     * of this run. Mutable maps, for the scenario's overrides.
     */
    static Map<String, Map<String, String>> shippedConfig() throws IOException {
        Map<String, Map<String, String>> pids = new java.util.HashMap<>();
        Path etc = Path.of(System.getProperty("mhero.etc.dir", "../etc"));
        try (var files = Files.list(etc)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("org\\.mhero\\..*\\.cfg")).sorted().toList()) {
                java.util.Properties p = new java.util.Properties();
                try (java.io.Reader r = Files.newBufferedReader(f)) {
                    p.load(r);
                }
                Map<String, String> v = new java.util.HashMap<>();
                p.forEach((k, val) -> v.put(k.toString(), val.toString().trim()));
                for (Map.Entry<String, String> e : v.entrySet()) {
                    String k = e.getKey();
                    if (k.equals("enabled") || k.endsWith(".enabled") || k.endsWith(".on.start")) e.setValue("false");
                    if (e.getValue().contains("${karaf.data}")) e.setValue(e.getValue().replace("${karaf.data}", karafData().toString()));
                }
                pids.put(f.getFileName().toString().replaceFirst("\\.cfg$", ""), v);
            }
        }
        if (pids.isEmpty()) throw new IllegalStateException("no org.mhero.*.cfg in " + etc.toAbsolutePath());
        return pids;
    }

    private static Path karafData;

    /** The scratch directory that stands for Karaf's data directory in this run (deleted on exit when empty). */
    static synchronized Path karafData() throws IOException {
        if (karafData == null) {
            karafData = Files.createTempDirectory("mhero-bench-karaf-data");
            karafData.toFile().deleteOnExit();
        }
        return karafData;
    }

    /** Seconds in a rate's unit: second, minute, hour, day (or a number of seconds such as 10s). */
    static double seconds(String unit) {
        return switch (unit) {
            case "second", "s" -> 1;
            case "minute", "m" -> 60;
            case "hour", "h" -> 3600;
            case "day", "d" -> 86400;
            default -> Double.parseDouble(unit.replace("s", ""));
        };
    }
}
