package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:broadcast-cancel 12}: what was not handed over to a gateway yet is not sent. */
@Command(scope = "mhero", name = "broadcast-cancel", description = "Cancels a scheduled, recurring or sending broadcast")
@Service
public class BroadcastCancelCommand implements Action {
    @Reference
    Operations operations;

    @Argument(index = 0, name = "id", required = true, description = "a broadcast id")
    long id;

    @Override
    public Object execute() {
        try {
            System.out.println(operations.cancelBroadcast(id));
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
        }
        return null;
    }
}
