package org.mhero.csv;

import org.mhero.boot.Flow;
import org.mhero.boot.FlowContext;
import org.mhero.config.Pid;
import org.mhero.phone.PhoneNormalizer;

/** csv-import: health workers from spreadsheets dropped in a directory, configured by {@code org.mhero.csv}. */
public final class CsvFlow implements Flow {
    @Override public String name() { return "csv-import"; }
    @Override public String pid() { return CsvSettings.PID; }
    @Override public String routeFile() { return "camel/csv-import.xml"; }
    @Override public boolean writesHealthWorkers() { return true; }

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        CsvSettings s = CsvSettings.from(pid);
        if (!pid.ok()) return;
        ctx.bind("csvImport", new CsvImport(s, ctx.syncStore(), ctx.dataSource(),
                new CsvRowMapper(s.columns(), new PhoneNormalizer(s.phoneRegion()))));
        ctx.property("csv.import.enabled", Boolean.toString(s.enabled()));
        // a disabled import never polls; its (unused) endpoint must still be a plain path, e.g. outside Karaf in tests
        String dir = !s.enabled() && s.directory().contains("${")
                ? System.getProperty("java.io.tmpdir") + "/mhero-csv-import-disabled" : s.directory();
        ctx.property("csv.import.directory", dir);
        ctx.property("csv.import.poll.ms", Integer.toString(s.pollMs()));
    }
}
