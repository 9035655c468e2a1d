package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:inbox}: received messages, newest first, with how each was routed and what came of it (numbers masked). */
@Command(scope = "mhero", name = "inbox", description = "Lists received messages with their route and outcome, for review")
@Service
public class InboxCommand implements Action {
    @Reference
    Operations operations;

    @Option(name = "--status", description = "only this status: inbox (waiting for a person), failed, done, received, routing")
    String status;

    @Option(name = "--route", description = "only this route: opt-out, opt-in, help, trigger, stock, record-update, quiz, inbox")
    String route;

    @Option(name = "--search", description = "only messages whose text contains this (any case)")
    String search;

    @Option(name = "-n", description = "how many rows")
    int limit = 50;

    @Override
    public Object execute() {
        try {
            Tables.print(operations.inbox(status, route, search, limit), System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(e.getMessage());
        }
        return null;
    }
}
