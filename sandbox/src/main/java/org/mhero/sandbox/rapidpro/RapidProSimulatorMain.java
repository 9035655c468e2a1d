package org.mhero.sandbox.rapidpro;

import java.util.concurrent.CountDownLatch;

/**
 * Runs the RapidPro simulator standalone (for the demo and manual poking):
 * {@code java ... RapidProSimulatorMain [port] [token] [--flavour V7_4|CURRENT] [--rate 3600/hour] [--webhook URL]
 * [--resthook slug]}. A demo survey flow is configured; the flow uuid is printed.
 */
public final class RapidProSimulatorMain {
    public static final String DEMO_FLOW_UUID = "8d7e5f1a-2b3c-4d5e-8f90-a1b2c3d4e5f6";

    private RapidProSimulatorMain() {}

    public static void main(String[] args) throws InterruptedException {
        RapidProOptions o = RapidProOptions.defaults().port(8090);
        int positional = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--flavour", "--flavor" -> o.flavour(Flavour.valueOf(args[++i].toUpperCase()));
                case "--rate" -> o.rateLimit(args[++i]);
                case "--no-rate-limit" -> o.noRateLimit();
                case "--webhook" -> o.webhookTarget(args[++i]);
                case "--resthook" -> o.resthook(args[++i]);
                case "--workspace" -> o.workspace(args[++i]);
                default -> {
                    if (positional == 0) o.port(Integer.parseInt(a));
                    else if (positional == 1) o.token(a);
                    else throw new IllegalArgumentException("unexpected argument " + a);
                    positional++;
                }
            }
        }
        o.flow(FlowDef.of(DEMO_FLOW_UUID, "mHero Health Worker Survey",
                FlowDef.Result.choice("available", "Available", "Are you at your facility this week? (Yes/No)", "Yes", "No"),
                FlowDef.Result.text("stock_outs", "Stock Outs", "Which commodities are out of stock?")));
        RapidProSimulator sim = RapidProSimulator.start(o);
        Runtime.getRuntime().addShutdownHook(new Thread(sim::close));
        System.out.println("RapidPro simulator (" + o.flavour() + ") at " + sim.apiUrl());
        System.out.println("  Authorization: " + sim.authorization());
        System.out.println("  workspace " + sim.workspaceUuid() + ", rates " + sim.rateLimits());
        System.out.println("  demo flow " + DEMO_FLOW_UUID);
        new CountDownLatch(1).await();
    }
}
