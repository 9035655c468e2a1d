package org.mhero.report;

import org.mhero.boot.Flow;
import org.mhero.boot.FlowContext;
import org.mhero.config.Pid;
import org.mhero.rapidpro.RapidProClient;

/**
 * report: response reports for broadcasts, flows and quizzes ({@code org.mhero.report}). Binds {@code reportStore}
 * (the API and the {@code mhero:report} command read it) and {@code rapidproTracker}, which the route
 * {@code report.track} runs every {@code track.poll.seconds} to read back message statuses and runs from RapidPro.
 */
public final class ReportFlow implements Flow {
    public static final String PID = "org.mhero.report";

    @Override public String name() { return "report"; }
    @Override public String pid() { return PID; }
    @Override public String routeFile() { return "camel/report.xml"; }

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        boolean track = pid.bool("track.enabled");
        int poll = pid.integer("track.poll.seconds", 5, 86_400);
        int hours = pid.integer("track.hours", 1, 24 * 90);
        int pages = pid.integer("track.max.pages", 1, 10_000);
        int batches = pid.integer("track.max.batches", 1, 100_000);
        int window = pid.integer("response.window.hours", 1, 24 * 90);
        boolean sent = pid.bool("reached.includes.sent");
        if (!pid.ok()) return;
        ctx.property("report.track.enabled", Boolean.toString(track));
        ctx.property("report.track.ms", Long.toString(poll * 1000L));
        ctx.bind("reportStore", new ReportStore(ctx.dataSource(), window, sent));
        ctx.bind("rapidproTracker", new RapidProTracker(() -> ctx.lookup("rapidproClient", RapidProClient.class),
                ctx.dataSource(), hours, pages, batches));
    }
}
