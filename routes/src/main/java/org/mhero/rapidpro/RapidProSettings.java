package org.mhero.rapidpro;

import org.mhero.config.Pid;

import java.util.List;

/** {@code etc/org.mhero.rapidpro.cfg}: the RapidPro workspace, its rate limit, and the two-way contact sync. */
public record RapidProSettings(String apiUrl, String token, RateLimiter.Rate rate, int connectTimeoutMs, int requestTimeoutMs,
                               List<String> contactFields, boolean pushEnabled, String pushCron, int pushBatch, int pushConcurrency,
                               boolean pullEnabled, String pullCron, boolean syncOnStart, String phoneRegion,
                               boolean registerUnknownContacts) {
    public static final String PID = "org.mhero.rapidpro";

    public static RapidProSettings from(Pid p) {
        String url = p.url("api.url");
        String token = p.string("api.token");
        if (token != null && token.isBlank()) p.problem("api.token", "is empty");
        RateLimiter.Rate rate = null;
        String spec = p.string("rate.limit");
        try {
            if (spec != null) rate = RateLimiter.Rate.parse(spec);
        } catch (IllegalArgumentException e) {
            p.problem("rate.limit", "= '" + spec + "' is not a rate like 3600/hour (" + e.getMessage() + ")");
        }
        int connect = p.integer("http.connect.timeout.ms", 100, 600_000);
        int request = p.integer("http.request.timeout.ms", 100, 600_000);
        List<String> fields = List.copyOf(p.list("contact.fields"));
        try {
            ContactPayload.validateSentFields(fields);
        } catch (IllegalArgumentException e) {
            p.problem("contact.fields", "= '" + String.join(",", fields) + "': " + e.getMessage());
        }
        boolean push = p.bool("push.enabled");
        String pushCron = p.cron("push.cron");
        int batch = p.integer("push.batch.size", 1, 1000);
        int concurrency = p.integer("push.concurrency", 1, 16);
        boolean pull = p.bool("pull.enabled");
        String pullCron = p.cron("pull.cron");
        boolean onStart = p.bool("sync.on.start");
        String region = p.phoneRegion("phone.default.region");
        String unknown = p.string("pull.unknown.contacts");
        boolean register = "register".equals(unknown == null ? null : unknown.trim());
        if (unknown != null && !register && !"review".equals(unknown.trim())) {
            p.problem("pull.unknown.contacts", "= '" + unknown + "' is neither review nor register");
        }
        return new RapidProSettings(url, token, rate, connect, request, fields, push, pushCron, batch, concurrency, pull, pullCron,
                onStart, region, register);
    }

    public static String forUri(String cron) { return cron == null ? "" : cron.trim().replace(' ', '+'); }
}
