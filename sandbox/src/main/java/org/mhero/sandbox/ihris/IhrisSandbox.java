package org.mhero.sandbox.ihris;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.mhero.sandbox.core.CallLog;
import org.mhero.sandbox.core.Faults;

import java.util.EnumSet;

/**
 * A sandbox iHRIS: a real HAPI FHIR R4 {@code RestfulServer} on Jetty 12 (127.0.0.1), serving Practitioner,
 * PractitionerRole, Location, CodeSystem and Basic from an {@link IhrisStore} of lazily generated, iHRIS-shaped data.
 * {@link Faults} apply to every request under {@code /fhir}.
 */
public final class IhrisSandbox implements AutoCloseable {
    private final IhrisStore store;
    private final Faults faults = new Faults();
    private final CallLog calls = new CallLog(50_000);
    private final FaultFilter filter = new FaultFilter(faults, calls);
    private final Server server;
    private final ServerConnector connector;

    private IhrisSandbox(IhrisOptions options) {
        this.store = new IhrisStore(options);
        QueuedThreadPool pool = new QueuedThreadPool(32, 2);
        pool.setName("ihris-sandbox");
        pool.setDaemon(true);
        server = new Server(pool);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(options.port());
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder("fhir", new IhrisFhirServlet(store, FhirContext.forR4Cached()));
        holder.setInitOrder(1);
        context.addServlet(holder, "/fhir/*");
        context.addFilter(new FilterHolder(filter), "/fhir/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.setStopTimeout(0);
    }

    /** Starts the server; {@code options.port() == 0} picks a free port. */
    public static IhrisSandbox start(IhrisOptions options) {
        IhrisSandbox s = new IhrisSandbox(options);
        try {
            s.server.start();
        } catch (Exception e) {
            s.close();
            throw new IllegalStateException("cannot start the sandbox iHRIS: " + e, e);
        }
        return s;
    }

    /** {@code http://127.0.0.1:<port>/fhir} */
    public String baseUrl() { return "http://127.0.0.1:" + port() + "/fhir"; }
    public int port() { return connector.getLocalPort(); }
    public Faults faults() { return faults; }
    public IhrisStore store() { return store; }
    /** FHIR requests received (including those answered by an injected fault). */
    public long requestCount() { return filter.requests(); }
    /** The last 50,000 FHIR calls (method, path, query, headers, body, status). */
    public CallLog calls() { return calls; }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
