package org.mhero.ihris;

import org.mhero.boot.Flow;
import org.mhero.boot.FlowContext;
import org.mhero.config.IhrisSettings;
import org.mhero.config.Pid;
import org.mhero.phone.PhoneNormalizer;

/** ihris-sync: health workers from iHRIS (FHIR R4), configured by {@code org.mhero.ihris}. */
public final class IhrisFlow implements Flow {
    @Override public String name() { return "ihris-sync"; }
    @Override public String pid() { return IhrisSettings.PID; }
    @Override public String routeFile() { return "camel/ihris-sync.xml"; }
    @Override public boolean writesHealthWorkers() { return true; }

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        IhrisSettings s = IhrisSettings.from(pid);
        if (!pid.ok()) return;
        ctx.bind("ihrisClient", FhirClientFactory.create(s));
        ctx.bind("ihrisSync", new IhrisSync(s, ctx.syncStore(),
                new PractitionerMapper(new PhoneNormalizer(s.phoneRegion()), s.jobSystem())));
        ctx.property("ihris.sync.enabled", Boolean.toString(s.syncEnabled()));
        ctx.property("ihris.sync.on.start", Boolean.toString(s.syncEnabled() && s.syncOnStart()));
        ctx.property("ihris.sync.cron.uri", s.cronForUri());
    }
}
