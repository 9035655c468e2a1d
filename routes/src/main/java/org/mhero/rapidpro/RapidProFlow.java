package org.mhero.rapidpro;

import org.mhero.boot.Flow;
import org.mhero.boot.FlowContext;
import org.mhero.config.IhrisSettings;
import org.mhero.config.Pid;
import org.mhero.ihris.FhirClientFactory;
import org.mhero.phone.PhoneNormalizer;

import java.time.Duration;

/**
 * rapidpro-contacts: two-way contact sync with one RapidPro workspace, configured by {@code org.mhero.rapidpro}. Binds
 * the workspace's one {@link RateLimiter} ({@code rapidproLimiter}) and client ({@code rapidproClient}) that every
 * RapidPro call of mHero shares.
 */
public final class RapidProFlow implements Flow {
    @Override public String name() { return "rapidpro-contacts"; }
    @Override public String pid() { return RapidProSettings.PID; }
    @Override public String routeFile() { return "camel/rapidpro-contacts.xml"; }
    @Override public boolean writesHealthWorkers() { return true; }

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        RapidProSettings s = RapidProSettings.from(pid);
        if (!pid.ok()) return;
        IhrisRegistrar registrar = null;
        if (s.registerUnknownContacts()) {
            // contacts born in RapidPro are written to iHRIS with the server and credentials of org.mhero.ihris
            Pid ihrisPid = ctx.pid(IhrisSettings.PID);
            IhrisSettings ihris = IhrisSettings.from(ihrisPid);
            if (!ihrisPid.ok()) {
                pid.problem("pull.unknown.contacts", "= register needs a valid " + IhrisSettings.PID + " (" + ihrisPid.problems().get(0) + ")");
                return;
            }
            registrar = new IhrisRegistrar(FhirClientFactory.create(ihris));
        }
        RateLimiter limiter = RateLimiter.builder(s.rate()).build();
        RapidProClient client = RapidProClient.builder(s.apiUrl(), s.token(), limiter)
                .connectTimeout(Duration.ofMillis(s.connectTimeoutMs()))
                .requestTimeout(Duration.ofMillis(s.requestTimeoutMs()))
                .build();
        ctx.bind("rapidproLimiter", limiter);
        ctx.bind("rapidproClient", client);
        ctx.bind("rapidproGroupMirror", new GroupMirror(ctx.dataSource(), client));
        ctx.bind("rapidproContacts", new RapidProContacts(s, client, new ContactStore(ctx.dataSource()), ctx.syncStore(),
                new PulledContactMapper(new PhoneNormalizer(s.phoneRegion())), registrar));
        ctx.property("rapidpro.push.enabled", Boolean.toString(s.pushEnabled()));
        ctx.property("rapidpro.pull.enabled", Boolean.toString(s.pullEnabled()));
        ctx.property("rapidpro.push.cron.uri", RapidProSettings.forUri(s.pushCron()));
        ctx.property("rapidpro.pull.cron.uri", RapidProSettings.forUri(s.pullCron()));
        ctx.property("rapidpro.sync.on.start", Boolean.toString(s.syncOnStart() && (s.pushEnabled() || s.pullEnabled())));
    }
}
