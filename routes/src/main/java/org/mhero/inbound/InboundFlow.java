package org.mhero.inbound;

import org.mhero.boot.Flow;
import org.mhero.boot.FlowContext;
import org.mhero.broadcast.ApiSettings;
import org.mhero.config.ErrorSettings;
import org.mhero.config.Pid;
import org.mhero.phone.PhoneNormalizer;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * inbound: the intake endpoints on mHero's HTTP port, persistence first, and the content-based router that takes each
 * stored message to opt-out, help, a flow start, a stock report, a record update, a quiz or the inbox
 * ({@code org.mhero.inbound}). Binds {@code inboundIntake}, {@code inboundStore}, {@code inboundRouter},
 * {@code inboundHandlers}, {@code inboundRouting} and (stock reports into DHIS2) {@code inboundStock}.
 */
public final class InboundFlow implements Flow {
    @Override public String name() { return "inbound"; }
    @Override public String pid() { return InboundSettings.PID; }
    @Override public String routeFile() { return "camel/inbound.xml"; }
    @Override public List<String> routeFiles() { return List.of(routeFile(), "camel/inbound-stock.xml", "camel/inbound-records.xml"); }

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        InboundSettings s = InboundSettings.from(pid);
        org.mhero.inbound.records.RecordSettings records = org.mhero.inbound.records.RecordUpdates.settings(pid);
        Pid apiPid = ctx.pid(ApiSettings.PID);
        ApiSettings api = ApiSettings.from(apiPid);
        if (!apiPid.ok()) pid.problem("(org.mhero.api)", "mHero's HTTP port is misconfigured: " + apiPid.problems());
        Pid errorsPid = ctx.pid(ErrorSettings.PID);
        ErrorSettings errors = ErrorSettings.from(errorsPid);
        if (!errorsPid.ok()) errors = new ErrorSettings(3, 1000, 2.0, 60_000);
        org.mhero.inbound.stock.StockSettings stock = org.mhero.inbound.stock.StockSettings.from(pid);
        if (!pid.ok()) return;
        org.mhero.inbound.stock.StockWiring.bind(stock, ctx);
        InboundStore store = new InboundStore(ctx.dataSource(), new PhoneNormalizer(s.phoneRegion()), errors);
        ctx.bind("inboundStore", store);
        ctx.bind("inboundIntake", new Intake(() -> s, store, Clock.systemUTC()));
        ctx.bind("inboundRouter", new InboundRouter(s.keywords(), s.triggers(), s.flows()));
        ctx.bind("inboundHandlers", new InboundHandlers(ctx.dataSource(), s.replies()));
        // a route whose handler belongs to another flow is taken only while that flow runs; otherwise the inbox keeps it
        ctx.bind("inboundRouting", new Routing(store, s.batchSize(), Duration.ofSeconds(s.staleSeconds()),
                route -> switch (route) {
                    case "quiz" -> {
                        var quiz = ctx.lookup("quizStore", org.mhero.quiz.QuizStore.class);
                        yield quiz != null && quiz.enabled();
                    }
                    default -> true;
                }));
        org.mhero.inbound.records.RecordUpdates.bind(records, ctx, ctx.dataSource(), s.phoneRegion());
        ctx.property("inbound.http.base", api.jettyBase());
        ctx.property("inbound.poll.ms", Integer.toString(s.pollMs()));
        ctx.bind("inboundReconciler", new Reconciler(() -> ctx.lookup("rapidproClient", org.mhero.rapidpro.RapidProClient.class),
                store, s.flows().keySet()));
        ctx.property("inbound.reconcile.enabled", Boolean.toString(s.reconcileEnabled()));
        ctx.property("inbound.reconcile.ms", Long.toString(s.reconcileSeconds() * 1000L));
    }

    /** What the routes call to claim messages; lists, so that the routes split them the same way on both paths. */
    public static final class Routing {
        private final InboundStore store;
        private final int batchSize;
        private final Duration stale;

        private final java.util.function.Predicate<String> running;

        Routing(InboundStore store, int batchSize, Duration stale, java.util.function.Predicate<String> running) {
            this.running = running;
            this.store = store;
            this.batchSize = batchSize;
            this.stale = stale;
        }

        /** The fast path: the message just stored, unless the poller took it first. */
        public List<InboundMessage> claimOne(Long id) throws java.sql.SQLException {
            if (id == null) return List.of();
            Optional<InboundMessage> m = store.claim(id, stale);
            return m.map(List::of).orElse(List.of());
        }

        public List<InboundMessage> claimDue() throws java.sql.SQLException { return store.claimDue(batchSize, stale); }

        /** The route id the content-based router switches on. */
        public String routeOf(InboundRouter.Decision d) { return running.test(d.routeId()) ? d.routeId() : "inbox"; }
    }
}
