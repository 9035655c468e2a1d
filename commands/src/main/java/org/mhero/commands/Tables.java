package org.mhero.commands;

import org.apache.karaf.shell.support.table.ShellTable;

import java.io.PrintStream;
import java.util.List;

/** Prints an {@code Operations} table (first row the header) as a Karaf shell table. */
final class Tables {
    private Tables() {}

    static void print(List<List<String>> rows, PrintStream out) {
        if (rows.isEmpty()) return;
        ShellTable t = new ShellTable();
        rows.get(0).forEach(t::column);
        for (List<String> row : rows.subList(1, rows.size())) t.addRow().addContent(row.toArray());
        t.print(out);
        if (rows.size() == 1) out.println("(none)");
    }
}
