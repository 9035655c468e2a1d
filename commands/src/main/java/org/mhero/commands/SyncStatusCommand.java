package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:sync-status}: the latest sync runs with their counts. */
@Command(scope = "mhero", name = "sync-status", description = "Lists the latest registry sync runs")
@Service
public class SyncStatusCommand implements Action {
    @Reference
    Operations operations;

    @Option(name = "-n", description = "how many runs")
    int limit = 10;

    @Override
    public Object execute() {
        Tables.print(operations.syncRuns(limit), System.out);
        return null;
    }
}
