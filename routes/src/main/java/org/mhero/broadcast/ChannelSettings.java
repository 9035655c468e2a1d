package org.mhero.broadcast;

import org.mhero.config.Pid;

import java.time.ZoneId;
import java.util.Set;

/** {@code etc/org.mhero.channel.cfg}: the active channel, its fallback, text limits, dispatch and each channel's keys. */
public record ChannelSettings(String active, String failover, int failoverAfterFailures, int failoverOpenSeconds,
                              int textMaxLength, boolean splitLongText, int dispatchConcurrency, int dispatchPollMs,
                              int staleSeconds, int schedulePollMs, ZoneId timeZone, boolean includeInactive,
                              int rapidproBatchSize,
                              Kannel kannel, HttpAggregator httpAggregator, String dlrBaseUrl, String dlrToken) {
    public static final String PID = "org.mhero.channel";
    public static final Set<String> CHANNELS = Set.of("rapidpro", "kannel", "http-aggregator");

    /** Kannel's sendsms interface. */
    public record Kannel(String url, String username, String password, String from, int maxRecipients, int tps,
                         int dlrMask, int requestTimeoutMs) {}

    /** An Africa's Talking-style messaging API. */
    public record HttpAggregator(String url, String username, String apiKey, String from, int maxRecipients, int tps,
                                 int requestTimeoutMs) {}

    public static ChannelSettings from(Pid p) {
        String active = p.oneOf("active", "rapidpro", "kannel", "http-aggregator");
        String failover = p.optional("failover");
        if (failover != null && !CHANNELS.contains(failover)) {
            p.problem("failover", "= '" + failover + "' is not one of " + CHANNELS + " (or empty)");
        } else if (failover != null && failover.equals(active)) {
            p.problem("failover", "= '" + failover + "' is the active channel itself");
        }
        int after = p.integer("failover.after.failures", 1, 1000);
        int open = p.integer("failover.open.seconds", 1, 86_400);
        int maxLength = p.integer("text.max.length", 1, 10_000);
        String tooLong = p.oneOf("text.too.long", "refuse", "split");
        int concurrency = p.integer("dispatch.concurrency", 1, 32);
        int poll = p.integer("dispatch.poll.ms", 10, 600_000);
        int stale = p.integer("dispatch.stale.seconds", 5, 86_400);
        int schedulePoll = p.integer("schedule.poll.ms", 100, 600_000);
        ZoneId zone = ZoneId.of("UTC");
        String z = p.string("schedule.time.zone");
        try {
            if (z != null) zone = ZoneId.of(z);
        } catch (RuntimeException e) {
            p.problem("schedule.time.zone", "= '" + z + "' is not a time zone id (such as Africa/Monrovia)");
        }
        boolean inactive = p.bool("include.inactive");
        int rpBatch = p.integer("rapidpro.batch.size", 1, 200);

        Kannel kannel = new Kannel(p.url("kannel.url"), p.string("kannel.username"), p.string("kannel.password"),
                p.optional("kannel.from"), p.integer("kannel.max.recipients", 1, 500), p.integer("kannel.tps", 0, 100_000),
                p.integer("kannel.dlr.mask", 0, 31), p.integer("kannel.request.timeout.ms", 100, 600_000));
        HttpAggregator at = new HttpAggregator(p.url("http-aggregator.url"), p.string("http-aggregator.username"),
                p.string("http-aggregator.api.key"), p.optional("http-aggregator.from"),
                p.integer("http-aggregator.max.recipients", 1, 1000), p.integer("http-aggregator.tps", 0, 100_000),
                p.integer("http-aggregator.request.timeout.ms", 100, 600_000));
        String dlrBase = p.url("dlr.base.url");
        String token = p.string("dlr.token");
        if (token != null && token.length() < 8) p.problem("dlr.token", "is shorter than 8 characters");
        return new ChannelSettings(active, failover, after, open, maxLength, "split".equals(tooLong), concurrency, poll, stale,
                schedulePoll, zone, inactive, rpBatch, kannel, at, dlrBase, token);
    }
}
