package org.mhero.broadcast;

import org.apache.camel.CamelContext;
import org.mhero.sandbox.db.TestDatabase;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Health workers with numbers, broadcasts to them, and their deliveries, for the channel route tests. */
final class BroadcastFixtures {
    private BroadcastFixtures() {}

    /** One active health worker per number (E.164), each with that number as its primary phone; returns their ids. */
    static List<Long> workers(TestDatabase db, List<String> phones) throws SQLException {
        List<Long> ids = new ArrayList<>();
        for (String phone : phones) {
            ids.add(org.mhero.testing.TestWorkers.insert(db.dataSource(), "Worker " + phone.substring(phone.length() - 4), phone, null));
        }
        return ids;
    }

    /** {@code n} numbers {@code prefix} + a zero-padded counter, to 9 national digits after {@code +231}. */
    static List<String> numbers(String prefix, int n) {
        List<String> out = new ArrayList<>();
        int width = 13 - prefix.length();
        for (int i = 1; i <= n; i++) out.add(prefix + String.format("%0" + width + "d", i));
        return out;
    }

    /** Creates a text broadcast to these workers through the store the routes use. */
    static BroadcastView broadcast(CamelContext camel, String text, List<Long> workers) throws BroadcastRejected {
        BroadcastStore store = camel.getRegistry().lookupByNameAndType("broadcastStore", BroadcastStore.class);
        return store.create(new BroadcastRequest("test", text, null, null, null, null, workers, null, null, null), "test");
    }

    /** How many deliveries of a broadcast have this status. */
    static long count(TestDatabase db, long broadcastId, String status) {
        return db.count("select count(*) from delivery where broadcast_id = " + broadcastId + " and status = '" + status + "'");
    }

    /** Messages with this text the RapidPro simulator was asked to send to this number (E.164), by URN or contact. */
    static long rapidproMessages(org.mhero.sandbox.rapidpro.RapidProSimulator rapidpro, String number, String text) {
        return rapidpro.outgoing().stream().filter(d -> text.equals(d.text()) && ("tel:" + number).equals(d.urn())).count();
    }
}
