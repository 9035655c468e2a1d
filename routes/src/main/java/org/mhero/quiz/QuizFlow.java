package org.mhero.quiz;

import org.mhero.boot.Flow;
import org.mhero.boot.FlowContext;
import org.mhero.config.Pid;

import java.time.ZoneId;
import java.util.List;

/**
 * quiz: spaced SMS quizzes ({@code org.mhero.quiz}). Binds {@code quizStore} when enabled; the inbound router sends
 * QUIZ messages to it (and to the inbox while it is not running).
 */
public final class QuizFlow implements Flow {
    @Override public String name() { return "quiz"; }
    @Override public String pid() { return QuizDefinition.PID; }
    @Override public String routeFile() { return "camel/quiz.xml"; }

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        boolean enabled = pid.bool("enabled");
        ZoneId zone = QuizDefinition.zone(pid);
        int poll = pid.integer("send.poll.seconds", 1, 86_400);
        List<QuizDefinition> quizzes = QuizDefinition.from(pid);
        if (!pid.ok()) return;
        ctx.property("quiz.enabled", Boolean.toString(enabled));
        ctx.property("quiz.poll.ms", Long.toString(poll * 1000L));
        // bound either way (the routes refer to it); while disabled its routes do not start and QUIZ messages go to the inbox
        ctx.bind("quizStore", new QuizStore(ctx.dataSource(), zone, quizzes, enabled));
    }
}
