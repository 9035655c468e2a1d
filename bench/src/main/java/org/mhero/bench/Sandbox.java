package org.mhero.bench;

import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.sandbox.ihris.IhrisSandboxMain;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The sandbox iHRIS under the benchmark: in this JVM, or in a JVM of its own (so heap figures are mHero's alone). */
interface Sandbox extends AutoCloseable {
    String baseUrl();
    String mode();
    /** CPU time the sandbox used so far, when it runs in its own process (else -1: it is part of this process). */
    long cpuNanos();
    @Override void close();

    static Sandbox inProcess(int practitioners) {
        IhrisSandbox s = IhrisSandbox.start(IhrisOptions.defaults(practitioners));
        return new Sandbox() {
            public String baseUrl() { return s.baseUrl(); }
            public String mode() { return "in-process"; }
            public long cpuNanos() { return -1; }
            public void close() { s.close(); }
        };
    }

    /**
     * {@code java [-Xmx<heap>] -cp <classpath> org.mhero.sandbox.ihris.IhrisSandboxMain <n> <port>}; the classpath is
     * this JVM's own unless given (it holds mhero-sandbox and all its dependencies).
     */
    static Sandbox forked(int practitioners, String heap, String classpath) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        if (heap != null && !heap.isBlank()) cmd.add("-Xmx" + heap);
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(classpath == null || classpath.isBlank() ? System.getProperty("java.class.path") : classpath);
        cmd.add(IhrisSandboxMain.class.getName());
        cmd.add(Integer.toString(practitioners));
        cmd.add(Integer.toString(port));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread hook = new Thread(p::destroyForcibly, "bench-sandbox-killer");
        Runtime.getRuntime().addShutdownHook(hook);
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[sandbox pid " + p.pid() + "] " + line);
                    if (line.startsWith("sandbox iHRIS with")) ready.complete(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
            ready.completeExceptionally(new IllegalStateException("the forked sandbox ended before it was ready (exit "
                    + (p.isAlive() ? "?" : p.exitValue()) + ")"));
        }, "bench-sandbox-output");
        pump.setDaemon(true);
        pump.start();
        try {
            ready.get(Duration.ofMinutes(3).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("the forked sandbox iHRIS did not start: " + e.getMessage(), e);
        }
        String base = "http://127.0.0.1:" + port + "/fhir";
        return new Sandbox() {
            public String baseUrl() { return base; }
            public String mode() { return "fork(pid " + p.pid() + (heap == null || heap.isBlank() ? "" : ", -Xmx" + heap) + ")"; }
            public long cpuNanos() {
                return p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
            }
            public void close() {
                p.destroy();
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
}
