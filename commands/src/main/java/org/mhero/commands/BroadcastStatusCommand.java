package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/**
 * {@code mhero:broadcast-status}: the newest broadcasts with counts per status; with an id, that broadcast; with
 * {@code --deliveries}, its recipients one per row (numbers masked).
 */
@Command(scope = "mhero", name = "broadcast-status", description = "Shows broadcasts and their progress (per recipient with --deliveries)")
@Service
public class BroadcastStatusCommand implements Action {
    @Reference
    Operations operations;

    @Option(name = "--deliveries", description = "list the recipients of the broadcast and where each message is")
    boolean deliveries;

    @Option(name = "--status", description = "with --deliveries: only this status (pending, accepted, sent, delivered, failed, skipped, dead, in_doubt, cancelled, ...)")
    String status;

    @Option(name = "-n", description = "how many rows")
    int limit = 50;

    @Argument(index = 0, name = "id", required = false, description = "a broadcast id")
    Long id;

    @Override
    public Object execute() {
        try {
            if (id == null) {
                if (deliveries) System.err.println("--deliveries needs a broadcast id");
                else Tables.print(operations.broadcasts(limit), System.out);
            } else if (deliveries) {
                Tables.print(operations.broadcastDeliveries(id, status, limit), System.out);
            } else {
                Tables.print(operations.broadcast(id), System.out);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(e.getMessage());
        }
        return null;
    }
}
