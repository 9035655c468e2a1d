package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

/** {@code mhero:group-preview 'cadre = nurse and region = "Bong"'}: count and sample before saving a rule. */
@Command(scope = "mhero", name = "group-preview", description = "Shows how many health workers a group rule selects, and a sample, without saving it")
@Service
public class GroupPreviewCommand implements Action {
    @Reference
    Operations operations;

    @Argument(index = 0, name = "rule", required = true, description = "a rule, e.g. 'cadre in (nurse, midwife) and region = \"Bong\"'")
    String rule;

    @Option(name = "--sample", description = "how many members to show")
    int sample = 10;

    @Override
    public Object execute() {
        try {
            Tables.print(operations.previewGroup(rule, sample), System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("invalid rule: " + e.getMessage());
        }
        return null;
    }
}
