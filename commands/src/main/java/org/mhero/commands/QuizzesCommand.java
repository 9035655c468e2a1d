package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:quizzes}: every saved quiz, from the configuration or the API, with its status and counts. */
@Command(scope = "mhero", name = "quizzes", description = "Lists the quizzes (configured and created through the API) with their status and counts")
@Service
public class QuizzesCommand implements Action {
    @Reference
    Operations operations;

    @Override
    public Object execute() {
        try {
            Tables.print(operations.quizzes(), System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(e.getMessage());
        }
        return null;
    }
}
