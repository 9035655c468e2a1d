package org.mhero.boot;

import org.mhero.config.Pid;

/**
 * One flow of mHero: the PID it reads, the beans it binds and the route file it loads. {@link MheroContext} asks each
 * flow to configure itself from its PID; a flow whose PID has problems is not loaded (its problems are logged with PID
 * and key) and the others start.
 */
public interface Flow {
    /** The flow's name, the prefix of its routeIds (e.g. {@code ihris-sync}). */
    String name();

    /** The PID it is configured by (e.g. {@code org.mhero.ihris}). */
    String pid();

    /** The route file on the bundle's class path (e.g. {@code camel/ihris-sync.xml}). */
    String routeFile();

    /** Every route file of the flow, in load order (by default only {@link #routeFile()}). */
    default java.util.List<String> routeFiles() { return java.util.List.of(routeFile()); }

    /**
     * Validates the PID and, if it is valid, binds the flow's beans and properties. Record problems on {@code pid}
     * ({@link Pid#problem}); the flow is loaded only when there are none.
     */
    void configure(Pid pid, FlowContext context) throws Exception;

    /**
     * Called after every route file is loaded, before the context starts: a flow instantiates its route templates here
     * (from the properties it set in {@link #configure}; flows are shared, so they keep no state of their own).
     */
    default void routesLoaded(org.apache.camel.CamelContext camel) throws Exception {}

    /** A registry sync: it needs a valid {@code org.mhero.merge} configuration to run. */
    default boolean writesHealthWorkers() { return false; }
}
