package org.mhero.inbound.stock;

import org.mhero.boot.FlowContext;
import org.mhero.config.Pid;
import org.mhero.dhis2.Dhis2Settings;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * Binds the stock route's bean ({@code inboundStock}) and the properties of {@code camel/inbound-stock.xml}, for the
 * inbound flow. DHIS2's address and credentials come from {@code org.mhero.dhis2} (the PID of the DHIS2 connection),
 * the rest from {@code org.mhero.inbound}. When the connection keys of {@code org.mhero.dhis2} are invalid, the inbound
 * flow still runs and stock reports wait in the inbox with the reason; a problem in its other keys (the sync's) does not
 * stop stock reports.
 */
public final class StockWiring {
    private StockWiring() {}

    /** The keys of org.mhero.dhis2 a stock post needs. */
    static final Set<String> CONNECTION_KEYS = Set.of("base.url", "auth.type", "auth.username", "auth.password", "auth.token");

    public static void bind(StockSettings stock, FlowContext ctx) {
        Pid dhis2Pid = ctx.pid(Dhis2Settings.PID);
        Dhis2Settings dhis2 = Dhis2Settings.from(dhis2Pid);
        String problems = dhis2Pid.problems().stream().filter(p -> CONNECTION_KEYS.contains(p.key()))
                .map(Pid.Problem::toString).collect(Collectors.joining("; "));
        boolean ok = problems.isEmpty() && dhis2.baseUrl() != null;
        ctx.bind("inboundStock", new StockReports(stock, new StockStore(ctx.dataSource()),
                ok ? null : "the DHIS2 connection is misconfigured: " + (problems.isEmpty() ? "org.mhero.dhis2 base.url is missing" : problems)));
        // never called while disabled; a placeholder keeps the endpoint URI valid
        ctx.property("inbound.stock.dhis2.url", ok ? dhis2.baseUrl() : "http://127.0.0.1:9");
        // a secret: reaches the route only as the Authorization header of the post, never a log line
        ctx.property("inbound.stock.dhis2.auth", ok ? dhis2.authorizationHeader() : "");
        ctx.property("inbound.stock.timeout.ms", Integer.toString(stock.timeoutMs()));
    }
}
