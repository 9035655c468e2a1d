package org.mhero.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A simulated peer of a broadcast benchmark (the Kannel or the RapidPro simulator): in this JVM, or forked into its own
 * ({@link PeerMain}) so that the benchmark's heap figures are mHero's alone. Either way the scenario sees its address and
 * its records as JSON ({@link PeerMain#kannelStats}, {@link PeerMain#rapidproStats}).
 */
interface Peer extends AutoCloseable {
    ObjectMapper JSON = new ObjectMapper();

    /**
     * The simulators answer through the JDK's HttpServer, which leaves Nagle's algorithm on unless this property is set
     * (it is read once, when the first server starts). With it off, a reply written as headers then body waits for the
     * client's delayed ACK: 40 ms stalls that capped the Kannel simulator's delivery-report callbacks at about 90/s and
     * made its sendsms answers erratic. Real gateways do not stall like that, so the peers run with it on.
     */
    String NODELAY = "sun.net.httpserver.nodelay";

    /** Kannel: the sendsms URL; RapidPro: the base URL. */
    String url();
    /** RapidPro's API token (null for Kannel). */
    String token();
    /**
     * RapidPro contact uuids of the seeded workers, in number order (empty for Kannel). A forked peer hands them over
     * once and forgets them: 200,000 uuids are about 17 MB of this JVM's heap, which must not count as mHero's.
     */
    List<String> contactUuids();
    JsonNode stats() throws IOException;
    void clear() throws IOException;
    String mode();
    /** CPU the peer used so far when forked, else -1 (it is part of this process). */
    long cpuNanos();
    @Override void close();

    static Peer kannel(boolean fork, double throughput, String heap) throws IOException {
        if (fork) return forked(List.of("kannel", "--throughput", Double.toString(throughput)), heap, null);
        KannelSimulator k = KannelSimulator.start(KannelOptions.defaults().throughput(throughput));
        return new Peer() {
            public String url() { return k.sendsmsUrl(); }
            public String token() { return null; }
            public List<String> contactUuids() { return List.of(); }
            public JsonNode stats() { return JSON.valueToTree(PeerMain.kannelStats(k)); }
            public void clear() { k.log().clear(); k.calls().clear(); }
            public String mode() { return "in-process"; }
            public long cpuNanos() { return -1; }
            public void close() { k.close(); }
        };
    }

    /** A RapidPro simulator at {@code rate} holding {@code contacts} contacts tel:+23177%07d. */
    static Peer rapidpro(boolean fork, String rate, int contacts, String heap) throws IOException {
        if (fork) {
            Path uuids = Files.createTempFile("mhero-bench-uuids", ".txt");
            try {
                return forked(List.of("rapidpro", "--rate", rate, "--contacts", Integer.toString(contacts), "--uuids", uuids.toString()), heap, uuids);
            } finally {
                Files.deleteIfExists(uuids);
            }
        }
        RapidProSimulator r = RapidProSimulator.start(RapidProOptions.defaults().rateLimit(rate));
        List<String> ids = new ArrayList<>(contacts);
        for (int i = 0; i < contacts; i++) ids.add(r.createContact("Worker " + i, String.format("tel:+23177%07d", i)));
        return new Peer() {
            public String url() { return r.baseUrl(); }
            public String token() { return r.token(); }
            public List<String> contactUuids() { return ids; }
            public JsonNode stats() { return JSON.valueToTree(PeerMain.rapidproStats(r)); }
            public void clear() { r.calls().clear(); }
            public String mode() { return "in-process"; }
            public long cpuNanos() { return -1; }
            public void close() { r.close(); }
        };
    }

    private static Peer forked(List<String> args, String heap, Path uuidsFile) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        if (heap != null && !heap.isBlank()) cmd.add("-Xmx" + heap);
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-D" + NODELAY + "=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(PeerMain.class.getName());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread hook = new Thread(p::destroyForcibly, "bench-peer-killer");
        Runtime.getRuntime().addShutdownHook(hook);
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("ready ") || line.startsWith("stats ") || line.equals("cleared") || line.startsWith("error ")) answers.add(line);
                    else System.out.println("[peer pid " + p.pid() + "] " + line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
            answers.add("error the peer process ended");
        }, "bench-peer-output");
        pump.setDaemon(true);
        pump.start();
        Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        String ready = take(answers, "ready", Duration.ofMinutes(5));
        String[] parts = ready.split(" ");
        List<List<String>> uuids = new ArrayList<>(List.of(uuidsFile == null ? List.of() : Files.readAllLines(uuidsFile, StandardCharsets.UTF_8)));
        return new Peer() {
            public String url() { return parts[1]; }
            public String token() { return parts[2].equals("-") ? null : parts[2]; }
            public List<String> contactUuids() {
                List<String> u = uuids.get(0);
                uuids.set(0, List.of());
                return u;
            }
            public synchronized JsonNode stats() throws IOException {
                in.write("stats\n");
                in.flush();
                return JSON.readTree(take(answers, "stats", Duration.ofMinutes(2)).substring("stats ".length()));
            }
            public synchronized void clear() throws IOException {
                in.write("clear\n");
                in.flush();
                take(answers, "cleared", Duration.ofMinutes(1));
            }
            public String mode() { return "fork(pid " + p.pid() + (heap == null || heap.isBlank() ? "" : ", -Xmx" + heap) + ")"; }
            public long cpuNanos() { return p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L); }
            public void close() {
                try {
                    in.write("exit\n");
                    in.flush();
                } catch (IOException ignored) {
                    // gone already
                }
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down already
                }
            }
        };
    }

    private static String take(BlockingQueue<String> answers, String expected, Duration timeout) throws IOException {
        try {
            String line = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) throw new IOException("the peer did not answer '" + expected + "' within " + timeout);
            if (!line.startsWith(expected)) throw new IOException("the peer answered '" + line + "' instead of '" + expected + "'");
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
