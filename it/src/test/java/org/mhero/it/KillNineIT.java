package org.mhero.it;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Exactly once across a crash: a real Karaf (unpacked from the distribution, the mhero feature installed at boot)
 * sends a broadcast through the RapidPro simulator; in the middle of it the Karaf JVM is killed with SIGKILL (no
 * shutdown hook runs, calls are in flight), then started again on the same database. The proof comes from the
 * simulator's own records: every recipient got exactly one message, and nothing is left unsettled.
 */
public class KillNineIT {
    static final int PRACTITIONERS = 600;
    static TestDatabase db;
    static IhrisSandbox ihris;
    static RapidProSimulator rapidpro;
    static Path karaf;
    static Process process;

    @BeforeClass
    public static void world() throws Exception {
        db = new TestDatabase();
        ihris = IhrisSandbox.start(IhrisOptions.defaults(PRACTITIONERS));
        // slow calls (so a kill lands while calls are in flight) at a modest rate (so the broadcast takes a while)
        rapidpro = RapidProSimulator.start(RapidProOptions.defaults().rateLimit("20/1s"));
        rapidpro.faults().latency(250);
        karaf = unpack();
        configure();
    }

    @AfterClass
    public static void stop() {
        kill();
        if (rapidpro != null) rapidpro.close();
        if (ihris != null) ihris.close();
        if (db != null) db.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Path unpack() throws IOException {
        String version = System.getProperty("karaf.version", "4.4.8");
        String repo = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        Path tarball = Path.of(repo, "org/apache/karaf/apache-karaf", version, "apache-karaf-" + version + ".tar.gz");
        Path dir = Path.of("target", "kill9");
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toAbsolutePath().toString(), "-C", dir.toString()).inheritIO().start();
        try {
            assertEquals("tar exit", 0, tar.waitFor());
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return dir.resolve("apache-karaf-" + version).toAbsolutePath();
    }

    static void put(String file, String key, String value) throws IOException {
        Path p = karaf.resolve("etc").resolve(file);
        List<String> lines = Files.exists(p) ? Files.readAllLines(p) : List.of();
        StringBuilder out = new StringBuilder();
        boolean done = false;
        for (String line : lines) {
            if (!line.startsWith("#") && line.contains("=") && line.substring(0, line.indexOf('=')).trim().equals(key)) {
                out.append(key).append(" = ").append(value).append('\n');
                done = true;
            } else {
                out.append(line).append('\n');
            }
        }
        if (!done) out.append(key).append(" = ").append(value).append('\n');
        Files.writeString(p, out);
    }

    /** The shipped cfg files with only addresses and timings changed; the mhero feature installed at boot. */
    static void configure() throws IOException {
        Path etc = Path.of(System.getProperty("mhero.etc.dir", "../etc"));
        try (Stream<Path> files = Files.list(etc)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cfg")).toList()) {
                Files.copy(f, karaf.resolve("etc").resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        put("org.ops4j.datasource-mhero.cfg", "url", db.jdbcUrl());
        put("org.ops4j.datasource-mhero.cfg", "user", db.user());
        put("org.ops4j.datasource-mhero.cfg", "password", db.password());
        put("org.mhero.ihris.cfg", "base.url", ihris.baseUrl());
        put("org.mhero.ihris.cfg", "sync.on.start", "true");
        put("org.mhero.dhis2.cfg", "sync.enabled", "false");
        put("org.mhero.dhis2.cfg", "sync.on.start", "false");
        put("org.mhero.csv.cfg", "import.enabled", "false");
        put("org.mhero.rapidpro.cfg", "api.url", rapidpro.baseUrl());
        put("org.mhero.rapidpro.cfg", "api.token", rapidpro.token());
        put("org.mhero.rapidpro.cfg", "rate.limit", "20/1s");
        put("org.mhero.rapidpro.cfg", "http.request.timeout.ms", "5000");
        put("org.mhero.rapidpro.cfg", "sync.on.start", "false");
        put("org.mhero.rapidpro.cfg", "push.enabled", "false");
        put("org.mhero.rapidpro.cfg", "pull.enabled", "false");
        put("org.mhero.channel.cfg", "rapidpro.batch.size", "10");
        put("org.mhero.channel.cfg", "dispatch.concurrency", "2");
        put("org.mhero.channel.cfg", "dispatch.poll.ms", "100");
        put("org.mhero.channel.cfg", "dispatch.stale.seconds", "8");
        put("org.mhero.api.cfg", "http.port", Integer.toString(freePort()));
        put("org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort()));
        put("org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(freePort()));
        put("org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(freePort()));
        put("org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository"));
        String features = Files.readString(karaf.resolve("etc/org.apache.karaf.features.cfg"))
                .replaceFirst("featuresRepositories = \\\\", "featuresRepositories = mvn:org.mhero/mhero-features/"
                        + System.getProperty("mhero.version") + "/xml/features, \\\\")
                .replaceFirst("featuresBoot = \\\\", "featuresBoot = mhero, \\\\");
        Files.writeString(karaf.resolve("etc/org.apache.karaf.features.cfg"), features);
    }

    static void start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(karaf.resolve("bin/karaf").toString(), "server")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(karaf.resolve("karaf.out").toFile()));
        pb.environment().put("EXTRA_JAVA_OPTS", "-Xmx512m -XX:MaxMetaspaceSize=384m");
        process = pb.start();
    }

    /** SIGKILL to Karaf's JVM and its launcher script: no shutdown hook, no graceful stop. */
    static void kill() {
        if (process == null) return;
        List<ProcessHandle> all = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) h.onExit().join();
        process = null;
    }

    static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                printLog();
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    static void printLog() {
        try {
            Path log = karaf.resolve("data/log/karaf.log");
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                System.out.println("---- karaf.log (last 80 lines) ----");
                lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
            }
        } catch (IOException e) {
            System.out.println("cannot read karaf.log: " + e);
        }
    }

    static long count(String sql) {
        try {
            return db.count(sql);
        } catch (RuntimeException e) {
            return -1; // tables not migrated yet
        }
    }

    @Test
    public void everyRecipientGetsExactlyOneMessageAcrossAKillNine() throws Exception {
        start();
        await("the iHRIS sync in Karaf", Duration.ofMinutes(4),
                () -> count("select count(*) from sync_run where source like 'ihris%' and status = 'ok'") > 0);
        // the outbox as BroadcastService.create leaves it: one broadcast, one pending delivery per reachable worker
        long recipients = db.count("""
                with b as (insert into broadcast (title, kind, text, target, status, created_by, started_at)
                           values ('kill -9', 'text', 'Exactly once, please.', '{"rule":"reachable"}', 'sending', 'it', now()) returning id)
                , d as (insert into delivery (broadcast_id, health_worker_id, phone, status)
                        select b.id, h.id, p.e164, 'pending' from b, health_worker h
                          join lateral (select e164 from phone where health_worker_id = h.id and is_primary and e164 is not null
                                         order by shared, id limit 1) p on true
                         where not h.opted_out and not exists (select 1 from phone q where q.e164 = p.e164 and q.health_worker_id < h.id)
                        returning 1)
                select count(*) from d""");
        assertTrue("recipients: " + recipients, recipients >= 300);

        await("a third of the broadcast accepted", Duration.ofMinutes(2),
                () -> count("select count(*) from delivery where status = 'accepted'") >= recipients / 3);
        long postsBeforeKill = rapidpro.calls().count(c -> c.method().equals("POST") && c.path().endsWith("/broadcasts.json"));
        kill();
        long acceptedAtKill = db.count("select count(*) from delivery where status = 'accepted'");
        long postingAtKill = db.count("select count(*) from delivery where status = 'posting'");
        System.out.printf("kill -9 after %d POSTs: %d accepted, %d in flight (posting) of %d%n", postsBeforeKill, acceptedAtKill,
                postingAtKill, recipients);
        assertTrue("killed mid-broadcast", acceptedAtKill < recipients);

        start();
        await("the broadcast to complete after the restart", Duration.ofMinutes(4),
                () -> count("select count(*) from broadcast where title = 'kill -9' and status = 'completed'") == 1);

        Map<String, Long> perUrn = rapidpro.outgoing().stream().filter(d -> "Exactly once, please.".equals(d.text()))
                .collect(Collectors.groupingBy(RapidProSimulator.Delivery::urn, Collectors.counting()));
        Map<Long, Long> histogram = perUrn.values().stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        System.out.println("messages per recipient: " + histogram + "; batches reconciled after the restart: "
                + db.count("select count(*) from delivery_batch where status = 'accepted' and finished_at > started_at + interval '8 seconds'"));
        assertEquals("every recipient got a message", recipients, perUrn.size());
        assertEquals("nobody got two: " + histogram, Map.of(1L, recipients), histogram);
        assertEquals(recipients, db.count("select count(*) from delivery where status = 'accepted'"));
        assertEquals(0, db.count("select count(*) from delivery where status in ('pending', 'posting', 'in_doubt', 'dead')"));
    }

}
