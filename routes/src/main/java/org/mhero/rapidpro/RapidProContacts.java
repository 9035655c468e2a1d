package org.mhero.rapidpro;

import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.store.Failures;
import org.mhero.store.SyncStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The stage bean of the {@code rapidpro-contacts} routes. Push: workers changed since their last push are upserted by
 * URN, one call each through the workspace's shared {@link RateLimiter}; a worker whose number is shared with another
 * is never pushed (an upsert by that URN would overwrite the other worker's contact) and the reason is recorded.
 * Pull: contacts modified in RapidPro since the watermark become source records of the {@code rapidpro} registry, so a
 * STOP or a block opts the worker out everywhere, and a contact nobody registered is flagged for review, or, with
 * {@code pull.unknown.contacts = register}, written to iHRIS as a Practitioner ({@link IhrisRegistrar}) and linked, so
 * that the next ihris-sync merges it into the same worker.
 */
public final class RapidProContacts {
    private static final Logger LOG = LoggerFactory.getLogger(RapidProContacts.class);

    private final RapidProSettings settings;
    private final RapidProClient client;
    private final ContactStore contacts;
    private final SyncStore sync;
    private final PulledContactMapper mapper;
    /** Null unless pull.unknown.contacts = register. */
    private final IhrisRegistrar registrar;
    private final String watermark;
    private final AtomicBoolean pushing = new AtomicBoolean(), pulling = new AtomicBoolean();

    /** Counts of one push or pull run. */
    public static final class Run {
        final long startedNanos = System.nanoTime();
        long cursor;
        String next;
        Instant since;
        int pushed, created, unchanged, skipped, failed, pages, seen;
        int registered, notRegistered;
        volatile boolean fieldsEnsured;
        /** The next page, read while the current page's calls ran. */
        List<ContactStore.Pending> prefetched;
        /** Outcomes of finished calls not yet written to rapidpro_contact. */
        final List<ContactStore.Outcome> unrecorded = new ArrayList<>();
        /** Calls in flight at once (the shared limiter still decides the rate); closed when the run ends. */
        java.util.concurrent.ExecutorService workers;

        public int pushed() { return pushed; }
        public int created() { return created; }
        public int skipped() { return skipped; }
        public int failed() { return failed; }
        public int seen() { return seen; }
        public int registered() { return registered; }
        public int notRegistered() { return notRegistered; }
    }

    public RapidProContacts(RapidProSettings settings, RapidProClient client, ContactStore contacts, SyncStore sync,
                            PulledContactMapper mapper, IhrisRegistrar registrar) {
        this.settings = settings;
        this.registrar = registrar;
        this.client = client;
        this.contacts = contacts;
        this.sync = sync;
        this.mapper = mapper;
        this.watermark = "rapidpro:contacts@" + settings.apiUrl();
    }

    // ---- push ----

    public Run beginPush() {
        if (!pushing.compareAndSet(false, true)) {
            LOG.info("rapidpro-contacts push is already running; this trigger is skipped");
            return null;
        }
        Run run = new Run();
        run.workers = java.util.concurrent.Executors.newFixedThreadPool(settings.pushConcurrency(), r -> {
            Thread t = new Thread(r, "rapidpro-contacts-push");
            t.setDaemon(true);
            return t;
        });
        return run;
    }

    /**
     * Pushes the next keyset page of due workers; returns how many it looked at (0 ends the loop).
     *
     * <p>The database work stays off the path between two calls: while this page's calls run (on the push workers,
     * paced by the limiter), this thread records the previous page's outcomes in one transaction and reads the next
     * page. A page's outcomes are recorded at the latest by the next call (the last one with 0, which ends the loop),
     * and before an exception is thrown; a push whose outcome was not recorded (the process died) is simply pushed
     * again by the next run: an upsert by URN, or an update by uuid, is idempotent.
     */
    public int pushBatch(Run run) throws SQLException {
        List<ContactStore.Pending> due = run.prefetched != null ? run.prefetched : contacts.pending(run.cursor, settings.pushBatch());
        run.prefetched = null;
        if (due.isEmpty()) {
            recordOutcomes(run);
            return 0;
        }
        run.cursor = due.get(due.size() - 1).contact().mheroId();
        List<java.util.concurrent.Future<ContactStore.Outcome>> calls = new ArrayList<>();
        for (ContactStore.Pending p : due) calls.add(run.workers.submit(() -> pushOne(run, p)));
        Exception first = null;
        try {
            recordOutcomes(run);
            run.prefetched = contacts.pending(run.cursor, settings.pushBatch());
        } catch (SQLException | RuntimeException e) {
            first = e;
        }
        List<ContactStore.Outcome> done = new ArrayList<>(due.size());
        for (java.util.concurrent.Future<ContactStore.Outcome> f : calls) {
            try {
                done.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                if (first == null) first = e.getCause() instanceof Exception ex ? ex : e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        run.unrecorded.addAll(done);
        if (first != null) {
            run.prefetched = null;
            try {
                recordOutcomes(run);   // what did go through is not pushed again
            } catch (SQLException | RuntimeException e) {
                if (e != first) first.addSuppressed(e);
            }
        }
        if (first instanceof SQLException sql) throw sql;
        if (first instanceof RuntimeException re) throw re;
        if (first != null) throw new IllegalStateException(first);
        return due.size();
    }

    private void recordOutcomes(Run run) throws SQLException {
        if (run.unrecorded.isEmpty()) return;
        contacts.record(run.unrecorded);
        run.unrecorded.clear();
    }

    /** One worker's push: skip (shared number, no E.164), nothing to send, update by uuid, or upsert by URN. */
    private ContactStore.Outcome pushOne(Run run, ContactStore.Pending p) {
        HealthWorkerContact hw = p.contact();
        String urn = hw.urn().orElse(null);
        if (urn == null) {
            count(run, 0, 0, 0, 1, 0);
            return ContactStore.Outcome.skipped(p, "no E.164 number");
        }
        if (p.sharedNumber()) {
            count(run, 0, 0, 0, 1, 0);
            return ContactStore.Outcome.skipped(p, "number shared with another health worker: not pushed, so that no contact is taken from its owner");
        }
        ContactPayload payload = ContactPayload.fromHealthWorker(hw, settings.contactFields());
        String hash = payload.hash();
        if (hash.equals(p.pushedHash()) && urn.equals(p.pushedUrn())) {
            count(run, 0, 0, 1, 0, 0);
            return ContactStore.Outcome.pushed(p, null, urn, hash);
        }
        ensureFields(run);
        try {
            String uuid = null;
            boolean created = false;
            if (p.contactUuid() != null) {
                // the worker's own contact: update it (and move it to a new number) rather than making another
                try {
                    uuid = client.updateContact(p.contactUuid(), List.of(urn), payload).uuid();
                } catch (RapidProRequestException e) {
                    if (e.status() != 404) throw e;   // deleted in RapidPro: upsert below
                }
            }
            if (uuid == null) {
                UpsertResult r = client.upsertContactByUrn(urn, payload);
                uuid = r.uuid();
                created = r.created();
            }
            count(run, 1, created ? 1 : 0, 0, 0, 0);
            return ContactStore.Outcome.pushed(p, uuid, urn, hash);
        } catch (RapidProRequestException e) {
            // this contact's data is refused (4xx): record why and go on with the others
            count(run, 0, 0, 0, 0, 1);
            return ContactStore.Outcome.skipped(p, "RapidPro refused the contact: " + e.getMessage());
        }
    }

    private synchronized void ensureFields(Run run) {
        if (run.fieldsEnsured) return;
        client.ensureFields(settings.contactFields());
        run.fieldsEnsured = true;
    }

    private static void count(Run run, int pushed, int created, int unchanged, int skipped, int failed) {
        synchronized (run) {
            run.pushed += pushed;
            run.created += created;
            run.unchanged += unchanged;
            run.skipped += skipped;
            run.failed += failed;
        }
    }

    public Run finishPush(Run run) {
        run.workers.shutdown();
        pushing.set(false);
        LOG.info("rapidpro-contacts push finished in {} ms: {} pushed ({} new contacts), {} unchanged, {} skipped, {} refused",
                (System.nanoTime() - run.startedNanos) / 1_000_000, run.pushed, run.created, run.unchanged, run.skipped, run.failed);
        return run;
    }

    public void failPush(Run run, Exception cause) {
        if (run != null && run.workers != null) run.workers.shutdown();
        pushing.set(false);
        LOG.error("rapidpro-contacts push stopped after {} pushed: {}; the rest is pushed by the next run",
                run == null ? 0 : run.pushed, Failures.describe(cause));
    }

    // ---- pull ----

    public Run beginPull() throws SQLException {
        if (!pulling.compareAndSet(false, true)) {
            LOG.info("rapidpro-contacts pull is already running; this trigger is skipped");
            return null;
        }
        Run run = new Run();
        try {
            run.since = sync.watermark(watermark);
        } catch (SQLException | RuntimeException e) {
            pulling.set(false);
            throw e;
        }
        return run;
    }

    /** Reads and stores one page of contacts modified since the watermark; returns false after the last page. */
    public boolean pullPage(Run run) throws SQLException {
        Page<RapidProContact> page = client.contactsModifiedSince(run.since, run.next);
        List<RapidProContact> live = new ArrayList<>();
        List<HealthWorkerRecord> records = new ArrayList<>();
        Instant max = null;
        for (RapidProContact c : page.results()) {
            if (c.modifiedOn() != null && (max == null || c.modifiedOn().isAfter(max))) max = c.modifiedOn();
            if (c.deleted()) continue;
            live.add(c);
            records.add(mapper.map(c));
        }
        contacts.linkKnown(live);
        sync.storePage(records, watermark, max);
        contacts.recordStatus(live);
        run.pages++;
        run.seen += records.size();
        run.next = page.next();
        return page.hasNext();
    }

    /**
     * With {@code pull.unknown.contacts = register}: every worker known only from RapidPro that may be registered
     * ({@link ContactStore#unregistered}) is written to iHRIS and linked. Those pulled now, and those of earlier pulls
     * whose registration failed: a failure leaves the worker under review with its reason, and the next pull tries
     * again. When iHRIS cannot be reached or fails (5xx, 429), the rest are not tried in this run and get that reason.
     */
    public Run registerUnknown(Run run) throws SQLException {
        if (registrar == null) return run;
        long after = 0;
        String unreachable = null;
        while (true) {
            List<UnknownContact> page = contacts.unregistered(after, 100);
            if (page.isEmpty()) break;
            for (UnknownContact u : page) {
                after = u.workerId();
                if (unreachable != null) {
                    contacts.notRegistered(u.workerId(), unreachable);
                    run.notRegistered++;
                    continue;
                }
                try {
                    String id = registrar.register(u);
                    if (contacts.registered(u.workerId(), u.contactUuid(), id)) {
                        run.registered++;
                        LOG.debug("rapidpro-contacts: health worker {} (contact {}) registered in iHRIS as Practitioner/{}",
                                u.workerId(), u.contactUuid(), id);
                    } else {
                        run.notRegistered++;
                        LOG.warn("rapidpro-contacts: health worker {} was registered in iHRIS as Practitioner/{}, which ihris-sync "
                                + "had already stored on another worker: left for review", u.workerId(), id);
                    }
                } catch (IhrisRegistrar.Failed e) {
                    run.notRegistered++;
                    if (contacts.notRegistered(u.workerId(), e.getMessage())) {
                        LOG.warn("rapidpro-contacts: health worker {} (contact {}) not registered in iHRIS: {}", u.workerId(),
                                u.contactUuid(), org.mhero.store.Failures.maskNumbers(e.getMessage()));
                    } else {
                        LOG.debug("rapidpro-contacts: health worker {} still not registered in iHRIS: {}", u.workerId(), e.getMessage());
                    }
                    if (e.retryable()) unreachable = e.getMessage() + " (not tried: an earlier registration of this run failed)";
                }
            }
        }
        return run;
    }

    public Run finishPull(Run run) throws SQLException {
        try {
            int flagged = contacts.flagContactsBornInRapidPro();
            LOG.info("rapidpro-contacts pull finished in {} ms: {} pages, {} contacts, {} new contacts flagged for review, "
                            + "{} registered in iHRIS, {} not registered (left for review)",
                    (System.nanoTime() - run.startedNanos) / 1_000_000, run.pages, run.seen, flagged, run.registered, run.notRegistered);
            return run;
        } finally {
            pulling.set(false);
        }
    }

    public void failPull(Run run, Exception cause) {
        pulling.set(false);
        LOG.error("rapidpro-contacts pull stopped after {} pages: {}; the next run resumes from the last stored page",
                run == null ? 0 : run.pages, Failures.describe(cause));
    }
}
