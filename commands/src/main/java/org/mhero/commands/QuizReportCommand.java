package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:quiz-report name}: the quiz's funnel and its questions, most missed first. */
@Command(scope = "mhero", name = "quiz-report", description = "Shows a quiz's funnel (targeted, reached, responded, completed) and results per question")
@Service
public class QuizReportCommand implements Action {
    @Reference
    Operations operations;

    @Argument(index = 0, name = "name", required = true, description = "the quiz (quiz.<name>.* in org.mhero.quiz)")
    String name;

    @Override
    public Object execute() {
        try {
            Tables.print(operations.quizReport(name), System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(e.getMessage());
        }
        return null;
    }
}
