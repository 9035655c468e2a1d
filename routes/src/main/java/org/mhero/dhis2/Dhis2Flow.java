package org.mhero.dhis2;

import org.mhero.boot.Flow;
import org.mhero.boot.FlowContext;
import org.mhero.config.Pid;
import org.mhero.phone.PhoneNormalizer;

/** dhis2-sync: health workers (DHIS2 users) and the organisation-unit hierarchy, configured by {@code org.mhero.dhis2}. */
public final class Dhis2Flow implements Flow {
    @Override public String name() { return "dhis2-sync"; }
    @Override public String pid() { return Dhis2Settings.PID; }
    @Override public String routeFile() { return "camel/dhis2-sync.xml"; }
    @Override public boolean writesHealthWorkers() { return true; }

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        Dhis2Settings s = Dhis2Settings.from(pid);
        if (!pid.ok()) return;
        ctx.bind("dhis2Sync", new Dhis2Sync(s, ctx.syncStore(), new Dhis2OrgUnitMapper(s.levelNames()),
                new Dhis2UserMapper(new PhoneNormalizer(s.phoneRegion()), s.userOrgUnitRule())));
        ctx.property("dhis2.base.url", s.baseUrl());
        // a secret: reaches the routes only as the Authorization header of the DHIS2 calls, never a log line
        ctx.property("dhis2.auth.header", s.authorizationHeader());
        ctx.property("dhis2.http.connect.timeout.ms", Integer.toString(s.connectTimeoutMs()));
        ctx.property("dhis2.http.socket.timeout.ms", Integer.toString(s.socketTimeoutMs()));
        ctx.property("dhis2.sync.enabled", Boolean.toString(s.syncEnabled()));
        ctx.property("dhis2.sync.on.start", Boolean.toString(s.syncEnabled() && s.syncOnStart()));
        ctx.property("dhis2.sync.cron.uri", s.cronForUri());
    }
}
