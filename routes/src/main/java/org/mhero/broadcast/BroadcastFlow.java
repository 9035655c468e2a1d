package org.mhero.broadcast;

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
 * one bean per configured channel ({@code channel.rapidpro}, ...), each behind its own instance of the {@code channel}
 * route template. The RapidPro channel reuses the workspace's client and rate limiter bound by rapidpro-contacts.
 */
public final class BroadcastFlow implements Flow {
    @Override public String name() { return "broadcast"; }
    @Override public String pid() { return ChannelSettings.PID; }
    @Override public String routeFile() { return "camel/broadcast.xml"; }
    @Override public List<String> routeFiles() { return List.of("camel/broadcast.xml"); }

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        ChannelSettings s = ChannelSettings.from(pid);
        Pid errorsPid = ctx.pid(ErrorSettings.PID);
        ErrorSettings errors = ErrorSettings.from(errorsPid);
        if (!errorsPid.ok()) errors = new ErrorSettings(3, 1000, 2.0, 60_000);
        RapidProClient rapidpro = ctx.lookup("rapidproClient", RapidProClient.class);
        Map<String, Channel> channels = new LinkedHashMap<>();
        if (rapidpro != null) channels.put("rapidpro", new RapidProChannel(rapidpro, s.rapidproBatchSize()));
        if (s.active() != null && !channels.containsKey(s.active()) && s.active().equals("rapidpro")) {
            pid.problem("active", "= rapidpro, but org.mhero.rapidpro is not valid (see its problems)");
        }
        if (!pid.ok()) return;

        OutboxStore outbox = new OutboxStore(ctx.dataSource(), errors);
        BroadcastStore store = new BroadcastStore(ctx.dataSource(), s, channels.keySet(), rapidpro);
        ctx.bind("outboxStore", outbox);
        ctx.bind("broadcastStore", store);
        ctx.bind("broadcastService", store);
        ctx.bind("broadcastDispatcher", new Dispatcher(outbox, channels, s));
        channels.forEach((name, ch) -> ctx.bind("channel." + name, ch));
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
        for (String name : props.resolveProperty("broadcast.channels").orElse("").split(",")) {
            if (!name.isBlank()) camel.addRouteFromTemplate("channel." + name, "channel", Map.of("name", name));
        }
    }
}
