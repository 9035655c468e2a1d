package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:quiz-follow-up name 'text'}: a broadcast to the quiz's non-responders, in one step. */
@Command(scope = "mhero", name = "quiz-follow-up", description = "Sends a broadcast to the workers enrolled in a quiz who have not answered yet")
@Service
public class QuizFollowUpCommand implements Action {
    @Reference
    Operations operations;

    @Argument(index = 0, name = "name", required = true, description = "the quiz")
    String name;

    @Argument(index = 1, name = "text", required = true, description = "the message")
    String text;

    @Override
    public Object execute() {
        String thread = Thread.currentThread().getName();
        Thread.currentThread().setName("mhero:quiz-follow-up"); // Karaf logs the thread name, which holds the command line
        try {
            System.out.println(operations.quizFollowUp(name, text, BroadcastCommand.user()));
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(e.getMessage());
        } finally {
            Thread.currentThread().setName(thread);
        }
        return null;
    }
}
