package org.mhero.sandbox.sms;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs Debian's real Kannel through kannel/kannel.sh; skipped when the script says Kannel cannot be installed (exit 3). */
class RealKannelTest {
    static final Path SCRIPT = Path.of(System.getProperty("basedir", "."), "kannel", "kannel.sh").toAbsolutePath();
    static Map<String, String> env = new HashMap<>();
    static Receiver rx;
    static Path work;
    static int sendsmsPort;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static int run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        // output to a file, not a pipe: the daemons the script leaves running must not keep our read end open
        Path out0 = Files.createTempFile("kannel-sh", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out0.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        String out = Files.readString(out0);
        Files.deleteIfExists(out0);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError("kannel.sh " + String.join(" ", args) + " timed out");
        }
        System.out.println("kannel.sh " + String.join(" ", args) + " -> " + p.exitValue() + "\n" + out);
        return p.exitValue();
    }

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(SCRIPT), "kannel.sh not found");
        rx = new Receiver();
        work = Files.createTempDirectory("kannel-test");
        sendsmsPort = freePort();
        env.put("KANNEL_WORK", work.toString());
        env.put("KANNEL_ADMIN_PORT", Integer.toString(freePort()));
        env.put("KANNEL_SMSBOX_PORT", Integer.toString(freePort()));
        env.put("KANNEL_SENDSMS_PORT", Integer.toString(sendsmsPort));
        env.put("KANNEL_SMSC_PORT", Integer.toString(freePort()));
        env.put("KANNEL_MO_URL", rx.url() + "/mo?from=%p&to=%P&text=%a&time=%t&smsc=%i&id=%I");
        env.put("KANNEL_MO_POST_URL", rx.url() + "/mo-post");
        int rc = run("start");
        Assumptions.assumeFalse(rc == 3, "Kannel cannot be installed here (apt unavailable)");
        assertThat(rc).as("kannel.sh start").isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        if (work != null) run("stop");
        if (rx != null) rx.close();
    }

    @Test
    void sendsAnSmsAndReceivesAnMo() throws Exception {
        String q = "username=mhero&password=secret&from=mHero&to=" + URLEncoder.encode("+256700000001", StandardCharsets.UTF_8)
                + "&text=" + URLEncoder.encode("Hello from the test", StandardCharsets.UTF_8)
                + "&dlr-mask=3&dlr-url=" + URLEncoder.encode(rx.url() + "/dlr?id=m1&s=%d", StandardCharsets.UTF_8);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sendsmsPort + "/cgi-bin/sendsms?" + q)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("0: Accepted for delivery");
        Path log = work.resolve("fakesmsc.log");
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end && !Files.readString(log).contains("Got message")) Thread.sleep(50);
        assertThat(Files.readString(log)).contains("<mHero +256700000001 text Hello from the test>");
        assertThat(rx.next().uri()).isEqualTo("/dlr?id=m1&s=1");

        assertThat(run("mo", "+256700000002", "STOCK 12 ORS")).isZero();
        Receiver.Got mo = rx.next();
        assertThat(mo.uri()).startsWith("/mo?from=%2B256700000002&to=15000&text=STOCK+12+ORS&time=").contains("&smsc=FAKE&id=");

        HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sendsmsPort + "/cgi-bin/sendsms?username=mhero&password=wrong&to=1&text=x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(403);
        assertThat(bad.body()).isEqualTo("Authorization failed for sendsms");
    }
}
