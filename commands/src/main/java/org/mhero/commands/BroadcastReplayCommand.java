package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:broadcast-replay [--in-doubt] [id]}: dead letters (of one broadcast, or all) back into the outbox. */
@Command(scope = "mhero", name = "broadcast-replay", description = "Puts dead-lettered deliveries back into the outbox")
@Service
public class BroadcastReplayCommand implements Action {
    @Reference
    Operations operations;

    @Option(name = "--in-doubt", description = "also deliveries whose hand-over could not be confirmed (may send a duplicate)")
    boolean inDoubt;

    @Argument(index = 0, name = "id", required = false, description = "a broadcast id (default: every broadcast)")
    long id;

    @Override
    public Object execute() {
        try {
            System.out.println(operations.replayDeadLetters(id, inDoubt));
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
        }
        return null;
    }
}
