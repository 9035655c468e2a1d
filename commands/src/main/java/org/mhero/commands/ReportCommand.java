package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/**
 * {@code mhero:report broadcast 12}, {@code mhero:report flow <uuid> --by district}, {@code mhero:report quiz name
 * --by non-responders}: targeted, reached, responded, completed with the % of the step before.
 */
@Command(scope = "mhero", name = "report", description = "Shows the response funnel of a broadcast, flow or quiz, by cadre or district, or its non-responders")
@Service
public class ReportCommand implements Action {
    @Reference
    Operations operations;

    @Argument(index = 0, name = "kind", required = true, description = "broadcast, flow or quiz")
    String kind;

    @Argument(index = 1, name = "id", required = true, description = "the broadcast id, the flow uuid or the quiz name")
    String key;

    @Option(name = "--by", description = "cadre, district or non-responders")
    String by;

    @Option(name = "--limit", description = "non-responders listed at most (default 100)")
    int limit = 100;

    @Override
    public Object execute() {
        try {
            Tables.print(operations.report(kind, key, by, limit), System.out);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(e.getMessage());
        }
        return null;
    }
}
