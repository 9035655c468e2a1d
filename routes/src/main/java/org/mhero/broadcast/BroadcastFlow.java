package org.mhero.broadcast;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.mhero.boot.Flow;
import org.mhero.boot.FlowContext;
import org.mhero.config.ErrorSettings;
import org.mhero.config.Pid;
import org.mhero.rapidpro.RapidProClient;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * broadcast: the outbox and its dispatch (configured by {@code org.mhero.channel}). Binds {@code broadcastService}
 * (what the HTTP API and the commands call), {@code broadcastStore}, {@code outboxStore}, {@code broadcastDispatcher} and
 * one bean per configured channel ({@code channel.rapidpro}, {@code channel.kannel}, {@code channel.http-aggregator}),
 * each behind its own instance of the {@code channel} route template, so that {@code active} (or a broadcast's own
 * channel) picks among them. The RapidPro channel reuses the workspace's client and rate limiter bound by
 * rapidpro-contacts. The gateways' delivery reports come in on mHero's HTTP port ({@code org.mhero.api}) through
 * {@code camel/delivery-reports.xml} and the {@code deliveryReports} bean.
 */
public final class BroadcastFlow implements Flow {
    @Override public String name() { return "broadcast"; }
    @Override public String pid() { return ChannelSettings.PID; }
    @Override public String routeFile() { return "camel/broadcast.xml"; }
    @Override public List<String> routeFiles() { return List.of("camel/broadcast.xml", "camel/delivery-reports.xml"); }

    /** How long a delivery report naming an unknown message id waits for a hand-over still being recorded. */
    static final long REPORT_GRACE_MILLIS = 3000;

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        ChannelSettings s = ChannelSettings.from(pid);
        Pid errorsPid = ctx.pid(ErrorSettings.PID);
        ErrorSettings errors = ErrorSettings.from(errorsPid);
        if (!errorsPid.ok()) errors = new ErrorSettings(3, 1000, 2.0, 60_000);
        // A delivery is dead-lettered after redelivery.max + 1 attempts. For a broadcast of one batch on a channel that is
        // down, its own failed attempts are all the circuit sees: it must open by the last retry, or the deliveries die
        // on the active channel without ever trying the failover.
        if (s.failover() != null && s.failoverAfterFailures() > errors.maxRedeliveries()) {
            pid.problem("failover.after.failures", "= " + s.failoverAfterFailures() + " is more than org.mhero.errors redelivery.max = "
                    + errors.maxRedeliveries() + ": a broadcast of one batch would be dead-lettered on '" + s.active()
                    + "' before the circuit opens and '" + s.failover() + "' is tried; set it to at most " + errors.maxRedeliveries());
        }
        RapidProClient rapidpro = ctx.lookup("rapidproClient", RapidProClient.class);
        Map<String, Channel> channels = new LinkedHashMap<>();
        if (rapidpro != null) channels.put("rapidpro", new RapidProChannel(rapidpro, s.rapidproBatchSize()));
        if ("rapidpro".equals(s.active()) && rapidpro == null) {
            pid.problem("active", "= rapidpro, but org.mhero.rapidpro is not valid (see its problems)");
        }
        Pid apiPid = ctx.pid(ApiSettings.PID);
        ApiSettings api = ApiSettings.from(apiPid);
        if (!apiPid.ok()) {
            pid.problem("dlr.base.url", "delivery reports come in on mHero's HTTP port, but org.mhero.api is not valid: "
                    + apiPid.problems().get(0));
        }
        if (!pid.ok()) return;
        // the SMS aggregators: their keys were validated with the PID above, so both are configured whenever it is valid
        channels.put(KannelChannel.NAME, new KannelChannel(s.kannel(), s.dlrBaseUrl(), s.dlrToken()));
        channels.put(HttpAggregatorChannel.NAME, new HttpAggregatorChannel(s.httpAggregator()));

        OutboxStore outbox = new OutboxStore(ctx.dataSource(), errors);
        BroadcastStore store = new BroadcastStore(ctx.dataSource(), s, channels.keySet(), rapidpro);
        ctx.bind("outboxStore", outbox);
        ctx.bind("broadcastStore", store);
        ctx.bind("broadcastService", store);
        ctx.bind("broadcastDispatcher", new Dispatcher(outbox, channels, s));
        channels.forEach((name, ch) -> ctx.bind("channel." + name, ch));
        ctx.bind("deliveryReports", new DeliveryReports(outbox, s.dlrToken(), REPORT_GRACE_MILLIS));
        ctx.property("broadcast.http.base", api.jettyBase());
        ctx.property("broadcast.channels", String.join(",", channels.keySet()));
        ctx.property("broadcast.dispatch.concurrency", Integer.toString(s.dispatchConcurrency()));
        ctx.property("broadcast.dispatch.poll.ms", Integer.toString(s.dispatchPollMs()));
        ctx.property("broadcast.schedule.poll.ms", Integer.toString(s.schedulePollMs()));
        ctx.property("broadcast.reconcile.poll.ms", Integer.toString(Math.max(1000, s.staleSeconds() * 1000 / 3)));
    }

    @Override
    public void routesLoaded(org.apache.camel.CamelContext camel) throws Exception {
        var props = camel.getPropertiesComponent();
        int workers = Integer.parseInt(props.resolveProperty("broadcast.dispatch.concurrency").orElse("1"));
        for (int w = 1; w <= workers; w++) {
            camel.addRouteFromTemplate("broadcast.dispatch-" + w, "broadcast-dispatcher", Map.of("worker", Integer.toString(w)));
        }
        // a stopping context (a configuration edit, Karaf stopping) claims no more batches: the dispatch loops end after
        // the hand-over in progress instead of sending the rest of the outbox through the old channel during the shutdown
        Dispatcher dispatcher = camel.getRegistry().lookupByNameAndType("broadcastDispatcher", Dispatcher.class);
        SimpleEventNotifierSupport onStopping = new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStoppingEvent) dispatcher.stopClaiming();
            }
        };
        // context events only: a notifier that takes exchange events makes Camel create them for every exchange and step
        onStopping.setIgnoreExchangeEvents(true);
        onStopping.setIgnoreStepEvents(true);
        onStopping.setIgnoreRouteEvents(true);
        onStopping.setIgnoreServiceEvents(true);
        camel.getManagementStrategy().addEventNotifier(onStopping);
        for (String name : props.resolveProperty("broadcast.channels").orElse("").split(",")) {
            if (!name.isBlank()) camel.addRouteFromTemplate("channel." + name, "channel", Map.of("name", name));
        }
    }
}
