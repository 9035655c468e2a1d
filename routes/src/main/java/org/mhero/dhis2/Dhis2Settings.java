package org.mhero.dhis2;

import org.mhero.config.Pid;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code etc/org.mhero.dhis2.cfg}: where DHIS2 is, how to authenticate (Basic or a personal access token), and when and
 * how to sync users and organisation units (contracts/dhis2.md §2, §4–§6).
 */
public record Dhis2Settings(String baseUrl, String auth, String username, String password, String token,
                            int pageSize, int connectTimeoutMs, int socketTimeoutMs, boolean syncEnabled, String syncCron,
                            boolean syncOnStart, String phoneRegion, Map<Integer, String> levelNames,
                            String userOrgUnitRule) {
    public static final String PID = "org.mhero.dhis2";
    /** The only rule so far: of a user's data-capture units, the one with the highest level (ties: the smallest id). */
    public static final String RULE_DEEPEST = "deepest";

    public static Dhis2Settings from(Pid p) {
        String base = p.url("base.url");
        if (base != null && base.endsWith("/api")) {
            p.problem("base.url", "= '" + base + "' must be the server address without /api (mHero adds /api/...)");
        }
        String auth = p.oneOf("auth.type", "token", "basic");
        String user = p.optional("auth.username");
        String pass = p.optional("auth.password");
        String token = p.optional("auth.token");
        if (auth.equals("basic") && (user == null || pass == null)) {
            p.problem("auth.username", "and auth.password are required when auth.type = basic");
        }
        if (auth.equals("token")) {
            if (token == null) p.problem("auth.token", "is required when auth.type = token");
            else if (!token.startsWith("d2pat_")) p.problem("auth.token", "is not a DHIS2 personal access token (d2pat_...)");
        }
        int page = p.integer("page.size", 1, 1000);
        int connect = p.integer("http.connect.timeout.ms", 100, 600_000);
        int socket = p.integer("http.socket.timeout.ms", 100, 600_000);
        boolean enabled = p.bool("sync.enabled");
        String cron = p.cron("sync.cron");
        boolean onStart = p.bool("sync.on.start");
        String region = p.phoneRegion("phone.default.region");
        Map<Integer, String> levels = levelNames(p, p.string("orgunit.level.names"));
        String rule = p.oneOf("user.orgunit.rule", RULE_DEEPEST);
        return new Dhis2Settings(base, auth, user, pass, token, page, connect, socket, enabled, cron, onStart, region,
                levels, rule);
    }

    /** {@code 1=country,2=region,3=district,4=facility}: DHIS2 level number → our level name. */
    static Map<Integer, String> levelNames(Pid p, String value) {
        Map<Integer, String> out = new TreeMap<>();
        if (value == null) return out;
        List<String> bad = new ArrayList<>();
        boolean twice = false;
        for (String entry : value.split(",")) {
            if (entry.isBlank()) continue;
            String[] kv = entry.split("=", 2);
            try {
                int level = Integer.parseInt(kv[0].trim());
                String name = kv.length == 2 ? kv[1].trim() : "";
                if (level < 1 || level > 50 || !name.matches("[a-z][a-z0-9_-]*")) throw new IllegalArgumentException();
                twice |= out.containsValue(name) || out.put(level, name) != null;
            } catch (IllegalArgumentException e) {
                bad.add(entry.trim());
            }
        }
        if (!bad.isEmpty()) {
            p.problem("orgunit.level.names", "= '" + value + "': " + String.join(", ", bad)
                    + " not <level number>=<lower-case name>, e.g. 1=country,2=region,3=district,4=facility");
        } else if (twice) {
            p.problem("orgunit.level.names", "= '" + value + "' names a level or a level name twice");
        } else if (out.isEmpty()) {
            p.problem("orgunit.level.names", "names no level");
        }
        return Collections.unmodifiableMap(out);
    }

    /** The {@code Authorization} header value. A secret: bound as a property, never logged. */
    public String authorizationHeader() {
        if (auth.equals("basic")) {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        return "ApiToken " + token;
    }

    /** The cron as a Camel quartz URI value (spaces as '+'). */
    public String cronForUri() { return syncCron == null ? "" : syncCron.trim().replace(' ', '+'); }

    /** Never prints the password or the token. */
    @Override
    public String toString() {
        return "Dhis2Settings[baseUrl=" + baseUrl + ", auth=" + auth + ", pageSize=" + pageSize + ", syncEnabled="
                + syncEnabled + ", syncCron=" + syncCron + ", levels=" + levelNames + "]";
    }
}
