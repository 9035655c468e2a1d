package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.mhero.boot.Operations;

/** {@code mhero:sync [--full] ihris}: starts a sync now, in the background (options come before the source). */
@Command(scope = "mhero", name = "sync", description = "Starts a registry or RapidPro contact sync now")
@Service
public class SyncCommand implements Action {
    @Reference
    Operations operations;

    @Argument(index = 0, name = "source", required = true, description = "ihris, dhis2, rapidpro-push or rapidpro-pull")
    @Completion(value = StringsCompleter.class, values = {"ihris", "dhis2", "rapidpro-push", "rapidpro-pull"})
    String source;

    @Option(name = "--full", description = "read every record again, whatever the watermark (ihris, dhis2)")
    boolean full;

    @Override
    public Object execute() {
        System.out.println(operations.startSync(source, full));
        return null;
    }
}
