package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:inbox-replay [id]}: routes failed inbound messages (one, or all) again. */
@Command(scope = "mhero", name = "inbox-replay", description = "Routes failed inbound messages again")
@Service
public class InboxReplayCommand implements Action {
    @Reference
    Operations operations;

    @Argument(index = 0, name = "id", required = false, description = "a message id (default: every failed message)")
    long id;

    @Override
    public Object execute() {
        try {
            System.out.println(operations.replayInbound(id));
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
        }
        return null;
    }
}
