package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

import java.util.List;

/** {@code mhero:problems}: the configuration problems that keep a flow stopped. */
@Command(scope = "mhero", name = "problems", description = "Lists configuration problems (PID, key, what is wrong)")
@Service
public class ProblemsCommand implements Action {
    @Reference
    Operations operations;

    @Override
    public Object execute() {
        List<String> problems = operations.problems();
        if (problems.isEmpty()) System.out.println("no configuration problems");
        problems.forEach(System.out::println);
        return null;
    }
}
