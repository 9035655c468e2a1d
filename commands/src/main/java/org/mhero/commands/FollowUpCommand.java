package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:follow-up broadcast 12 'text'}: a broadcast to the non-responders of a broadcast, flow or quiz, in one step. */
@Command(scope = "mhero", name = "follow-up", description = "Sends a broadcast to the workers who did not respond to a broadcast, flow or quiz")
@Service
public class FollowUpCommand implements Action {
    @Reference
    Operations operations;

    @Argument(index = 0, name = "kind", required = true, description = "broadcast, flow or quiz")
    String kind;

    @Argument(index = 1, name = "id", required = true, description = "the broadcast id, the flow uuid or the quiz name")
    String key;

    @Argument(index = 2, name = "text", required = true, description = "the message")
    String text;

    @Override
    public Object execute() {
        BroadcastCommand.runNamed("mhero:follow-up", () -> {   // the command line holds the text (see runNamed)
            try {
                System.out.println(operations.followUp(kind, key, text, BroadcastCommand.user()));
            } catch (IllegalArgumentException | IllegalStateException e) {
                System.err.println(e.getMessage());
            }
        });
        return null;
    }
}
