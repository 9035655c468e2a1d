package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:quiz-results [-n 100] name}: a quiz's results per enrolled worker. */
@Command(scope = "mhero", name = "quiz-results", description = "Shows a quiz's results per worker: questions sent, answered, correct, finished")
@Service
public class QuizResultsCommand implements Action {
    @Reference
    Operations operations;

    @Option(name = "-n", description = "at most this many workers (by health worker id)")
    int limit = 100;

    @Argument(index = 0, name = "name", required = true, description = "the quiz")
    String name;

    @Override
    public Object execute() {
        try {
            Tables.print(operations.quizResults(name, Math.max(1, limit)), System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(e.getMessage());
        }
        return null;
    }
}
