package org.mhero.sandbox.ihris;

/** Runs a sandbox iHRIS standalone: {@code IhrisSandboxMain [practitioners=1000] [port=8090] [seed=42]}. */
public final class IhrisSandboxMain {
    private IhrisSandboxMain() {}

    public static void main(String[] args) throws InterruptedException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8090;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42L;
        long t0 = System.nanoTime();
        IhrisSandbox s = IhrisSandbox.start(IhrisOptions.defaults(n).withPort(port).withSeed(seed));
        System.out.printf("sandbox iHRIS with %d practitioners at %s (started in %d ms)%n", n, s.baseUrl(),
                (System.nanoTime() - t0) / 1_000_000);
        Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        Thread.currentThread().join();
    }
}
