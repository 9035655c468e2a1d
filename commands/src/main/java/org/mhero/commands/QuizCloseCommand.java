package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:quiz-close name}: closes a quiz, as {@code POST /api/quizzes/{name}/close}. */
@Command(scope = "mhero", name = "quiz-close", description = "Closes a quiz: no more questions are sent and later answers are not scored")
@Service
public class QuizCloseCommand implements Action {
    @Reference
    Operations operations;

    @Argument(index = 0, name = "name", required = true, description = "the quiz")
    String name;

    @Override
    public Object execute() {
        try {
            System.out.println(operations.closeQuiz(name, "mhero:quiz-close by " + BroadcastCommand.user()));
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(e.getMessage());
        }
        return null;
    }
}
