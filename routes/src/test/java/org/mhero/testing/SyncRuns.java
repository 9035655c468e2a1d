package org.mhero.testing;

import org.mhero.sandbox.db.TestDatabase;

import java.util.List;
import java.util.Map;

/** The latest {@code sync_run} row of a test database, as the sync route tests assert on it. */
public final class SyncRuns {
    private SyncRuns() {}

    /** status, pages, seen, created, updated, unchanged (numbers as Integer) and error ("" when none). */
    public static Map<String, Object> last(TestDatabase db) {
        List<String> row = db.strings("select concat_ws('|', status, pages, seen, created, updated, unchanged, coalesce(error, '')) "
                + "from sync_run order by id desc limit 1");
        String[] v = row.get(0).split("\\|", 7);
        return Map.of("status", v[0], "pages", Integer.parseInt(v[1]), "seen", Integer.parseInt(v[2]),
                "created", Integer.parseInt(v[3]), "updated", Integer.parseInt(v[4]), "unchanged", Integer.parseInt(v[5]),
                "error", v[6]);
    }
}
