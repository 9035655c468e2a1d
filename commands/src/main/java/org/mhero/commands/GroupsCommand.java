package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:groups}: the configured contact groups and their sizes. */
@Command(scope = "mhero", name = "groups", description = "Lists the contact groups of etc/org.mhero.groups.cfg with their members")
@Service
public class GroupsCommand implements Action {
    @Reference
    Operations operations;

    @Override
    public Object execute() {
        Tables.print(operations.groups(), System.out);
        return null;
    }
}
