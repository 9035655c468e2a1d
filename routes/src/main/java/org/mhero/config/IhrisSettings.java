package org.mhero.config;


import java.util.Set;

/** {@code etc/org.mhero.ihris.cfg}: where iHRIS is, how to authenticate, and when and how to sync. */
public record IhrisSettings(String baseUrl, String auth, String username, String password, String token,
                            int pageSize, int connectTimeoutMs, int socketTimeoutMs, boolean syncEnabled, String syncCron,
                            boolean syncOnStart, String phoneRegion, String jobSystem, String cadreProperty,
                            Set<String> jurisdictionLevels) {
    public static final String PID = "org.mhero.ihris";

    public static IhrisSettings from(Pid p) {
        String base = p.url("base.url");
        String auth = p.oneOf("auth.type", "none", "basic", "bearer");
        String user = p.optional("auth.username");
        String pass = p.optional("auth.password");
        String token = p.optional("auth.token");
        if (auth.equals("basic") && (user == null || pass == null)) p.problem("auth.username", "and auth.password are required when auth.type = basic");
        if (auth.equals("bearer") && token == null) p.problem("auth.token", "is required when auth.type = bearer");
        int page = p.integer("page.size", 1, 1000);
        int connect = p.integer("http.connect.timeout.ms", 100, 600_000);
        int socket = p.integer("http.socket.timeout.ms", 100, 600_000);
        boolean enabled = p.bool("sync.enabled");
        String cron = p.cron("sync.cron");
        boolean onStart = p.bool("sync.on.start");
        String region = p.phoneRegion("phone.default.region");
        String jobSystem = p.string("job.system");
        String cadre = p.string("job.cadre.property");
        Set<String> levels = p.list("location.jurisdiction.levels");
        return new IhrisSettings(base, auth, user, pass, token, page, connect, socket, enabled, cron, onStart, region,
                jobSystem, cadre, levels);
    }

    /** The cron as a Camel quartz URI value (spaces as '+'). */
    public String cronForUri() { return syncCron == null ? "" : syncCron.trim().replace(' ', '+'); }
}
