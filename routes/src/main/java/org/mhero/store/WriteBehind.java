package org.mhero.store;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Stores the page just read while the next one is fetched: at most one store in flight, in page order, so the sync
 * overlaps network and database work without reordering anything. A failed store is rethrown by the next
 * {@link #submit} or by {@link #drain}, so the run fails and the watermark stays at the last committed page.
 */
public final class WriteBehind implements AutoCloseable {
    private final ExecutorService writer;
    private Future<?> inFlight;

    public WriteBehind(String name) {
        writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits for the previous store (rethrowing its failure), then starts this one. */
    public synchronized <T> void submit(Callable<T> store) throws Exception {
        drain();
        inFlight = writer.submit(store);
    }

    /** True while a store is running (its outcome, success or failure, is collected by the next submit or drain). */
    public synchronized boolean busy() {
        return inFlight != null && !inFlight.isDone();
    }

    /** Waits for the store in flight, if any; rethrows its failure. */
    public synchronized void drain() throws Exception {
        Future<?> f = inFlight;
        inFlight = null;
        if (f == null) return;
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }

    /** Stops the writer thread; a store still in flight completes or rolls back on its own. */
    @Override
    public void close() {
        writer.shutdown();
    }
}
