package org.mhero.api;

import org.mhero.boot.Flow;
import org.mhero.boot.FlowContext;
import org.mhero.broadcast.ApiSettings;
import org.mhero.broadcast.BroadcastService;
import org.mhero.config.Pid;

/**
 * api: the JSON API for operators on mHero's HTTP port ({@code org.mhero.api}), HTTP Basic against a Karaf JAAS realm
 * with a role. Binds {@code apiHttp}. It starts after the broadcast flow and finds its {@code broadcastService} per
 * request, so while broadcasts are not running the API answers 503 rather than vanishing.
 */
public final class ApiFlow implements Flow {
    /** How long a successful login is remembered (per user and password). */
    static final long LOGIN_CACHE_MS = 30_000;

    @Override public String name() { return "api"; }
    @Override public String pid() { return ApiSettings.PID; }
    @Override public String routeFile() { return "camel/api.xml"; }

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        ApiSettings s = ApiSettings.from(pid);
        if (!pid.ok()) return;
        Authenticator jaas = new JaasAuthenticator(s.realm(), s.role(), null, ClassLoader.getSystemClassLoader(),
                LOGIN_CACHE_MS, System::currentTimeMillis);
        ctx.bind("apiHttp", new ApiHttp(new BasicAuth(jaas, s.realm(), s.role()),
                () -> ctx.lookup("broadcastService", BroadcastService.class),
                () -> ctx.lookup("inboundStore", org.mhero.inbound.InboundStore.class),
                () -> ctx.lookup("quizStore", org.mhero.quiz.QuizStore.class), s.maxBodyBytes()));
        ctx.bind("reportHttp", new ReportHttp(() -> ctx.lookup("reportStore", org.mhero.report.ReportStore.class),
                () -> ctx.lookup("broadcastService", BroadcastService.class), s.maxBodyBytes()));
        ctx.property("api.http.base", s.jettyBase());
    }
}
