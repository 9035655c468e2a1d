package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:review}: health workers waiting for an operator's decision (never messaged until then). */
@Command(scope = "mhero", name = "review", description = "Lists health workers that need review (conflicting identifiers, contacts created in RapidPro)")
@Service
public class ReviewCommand implements Action {
    @Reference
    Operations operations;

    @Option(name = "-n", description = "how many")
    int limit = 50;

    @Override
    public Object execute() {
        Tables.print(operations.reviewQueue(limit), System.out);
        return null;
    }
}
