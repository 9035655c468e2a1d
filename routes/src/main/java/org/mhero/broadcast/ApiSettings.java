package org.mhero.broadcast;

import org.mhero.config.Pid;

/** {@code etc/org.mhero.api.cfg}: mHero's HTTP port, the JAAS realm and role of its JSON API, the body size limit. */
public record ApiSettings(String host, int port, String realm, String role, int maxBodyBytes) {
    public static final String PID = "org.mhero.api";

    public static ApiSettings from(Pid p) {
        String host = p.string("http.host");
        int port = p.integer("http.port", 1, 65_535);
        String realm = p.string("auth.realm");
        String role = p.string("auth.role");
        if (role != null && role.isBlank()) p.problem("auth.role", "is empty: every API user needs a role");
        int max = p.integer("max.body.bytes", 1024, 64 * 1024 * 1024);
        return new ApiSettings(host, port, realm, role, max);
    }

    /** The Camel Jetty base URI ({@code jetty:http://host:port}). */
    public String jettyBase() { return "jetty:http://" + host + ":" + port; }
}
