package org.mhero.broadcast;

import org.apache.camel.CamelContext;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mhero.boot.MheroContext;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.testing.ShippedConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mhero.testing.Await.await;
import static org.mhero.broadcast.BroadcastFixtures.count;

/**
 * A small broadcast through Debian's real Kannel (bearerbox, smsbox and fakesmsc, started by sandbox/kannel/kannel.sh)
 * with the shipped Kannel keys (user, password, sender, dlr-mask 27): the messages reach fakesmsc and Kannel's own DLRs
 * (8, then 1) come back to /dlr/kannel and mark the deliveries delivered. Skipped when Kannel cannot be installed here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealKannelBroadcastTest extends CamelTestSupport {
    static final Path SCRIPT = Path.of(System.getProperty("basedir", "."), "..", "sandbox", "kannel", "kannel.sh").toAbsolutePath().normalize();
    static final Map<String, String> ENV = new HashMap<>();
    static Path work;
    static int sendsmsPort;
    static TestDatabase db;
    static boolean started;

    static int run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("kannel-sh", ".out"); // a file, not a pipe: the daemons outlive the script
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(ENV);
        Process p = pb.start();
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        String text = Files.readString(out);
        Files.deleteIfExists(out);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError("kannel.sh " + String.join(" ", args) + " timed out:\n" + text);
        }
        System.out.println("kannel.sh " + String.join(" ", args) + " -> " + p.exitValue() + "\n" + text);
        return p.exitValue();
    }

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(SCRIPT), "sandbox/kannel/kannel.sh not found");
        work = Files.createTempDirectory("kannel-broadcast");
        sendsmsPort = ShippedConfig.freePort();
        ENV.put("KANNEL_WORK", work.toString());
        ENV.put("KANNEL_ADMIN_PORT", Integer.toString(ShippedConfig.freePort()));
        ENV.put("KANNEL_SMSBOX_PORT", Integer.toString(ShippedConfig.freePort()));
        ENV.put("KANNEL_SENDSMS_PORT", Integer.toString(sendsmsPort));
        ENV.put("KANNEL_SMSC_PORT", Integer.toString(ShippedConfig.freePort()));
        ENV.put("KANNEL_MO_URL", "http://127.0.0.1:" + ShippedConfig.freePort() + "/mo?from=%p");
        ENV.put("KANNEL_MO_POST_URL", "http://127.0.0.1:" + ShippedConfig.freePort() + "/mo-post");
        int rc = run("start");
        Assumptions.assumeFalse(rc == 3, "Kannel cannot be installed here (apt unavailable)");
        assertThat(rc).as("kannel.sh start").isZero();
        started = true;
        db = new TestDatabase();
    }

    @AfterAll
    void stop() throws Exception {
        if (context != null) context.stop();
        if (started) run("stop");
        if (db != null) db.close();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        ShippedConfig cfg = ShippedConfig.idle().pid("org.mhero.channel", Map.of("active", "kannel",
                "kannel.url", "http://127.0.0.1:" + sendsmsPort + "/cgi-bin/sendsms", "kannel.max.recipients", "2",
                "dispatch.poll.ms", "50"));
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(db.dataSource());
        mhero.setConfiguration(cfg.asMap());
        CamelContext camel = mhero.build();
        assertThat(mhero.getProblems()).isEmpty();
        return camel;
    }

    static String fakesmscLog() {
        try {
            return Files.readString(work.resolve("fakesmsc.log"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aBroadcastReachesFakesmscAndKannelsReportsMarkItDelivered() throws Exception {
        List<String> numbers = BroadcastFixtures.numbers("+23177600", 3);
        List<Long> workers = BroadcastFixtures.workers(db, numbers);
        BroadcastView b = BroadcastFixtures.broadcast(context, "Cholera alert: report cases today", workers);
        await(Duration.ofSeconds(30), "Kannel's DLRs mark all 3 delivered", () -> count(db, b.id(), "delivered") == 3);
        // fakesmsc may log a message after Kannel has reported it delivered
        await(Duration.ofSeconds(10), "fakesmsc logs the 3 messages",
                () -> fakesmscLog().lines().filter(l -> l.contains("Got message")).count() >= 3);
        for (String n : numbers) {
            assertThat(fakesmscLog()).contains("<15000 " + n + " text Cholera alert: report cases today>");
        }
        assertThat(db.strings("select distinct gateway_status from delivery where broadcast_id = " + b.id())).containsExactly("1");

        // a text outside the GSM alphabet goes as UCS-2 (coding=2, charset=UTF-8) and is delivered too
        List<Long> one = BroadcastFixtures.workers(db, List.of("+231776009999"));
        BroadcastView u = BroadcastFixtures.broadcast(context, "Ŋ test", one);
        await(Duration.ofSeconds(30), "the UCS-2 message is delivered", () -> count(db, u.id(), "delivered") == 1);
        await(Duration.ofSeconds(10), "fakesmsc logs the fourth message",
                () -> fakesmscLog().lines().filter(l -> l.contains("Got message")).count() == 4);
        // U+014A (Ŋ) is 01 4A: Kannel converted our UTF-8 to UCS-2
        assertThat(fakesmscLog()).contains("<15000 +231776009999 ucs-2 %01J%00+%00t%00e%00s%00t>");
    }
}
