package org.mhero.broadcast;

/**
 * One way out to health workers' phones (RapidPro, Kannel, an HTTP aggregator). Implementations make the calls and
 * translate answers; they never touch the database: {@link Dispatcher} does the bookkeeping before and after
 * {@link #send}. A channel must not throw for an answer it understands: it returns a {@link SendResult}.
 */
public interface Channel {
    /** The name the configuration uses: {@code rapidpro}, {@code kannel}, {@code http-aggregator}. */
    String name();

    /** Recipients per claimed batch (RapidPro: 200, 100 contact uuids plus 100 URNs). */
    int batchSize();

    /** Whether it can start RapidPro flows (only the RapidPro channel can). */
    default boolean supportsFlows() { return false; }

    /** Hands one batch over. */
    SendResult send(Batch batch) throws InterruptedException;

    /** What a channel can say about a batch whose outcome was unknown. */
    enum Reconciliation { CREATED, NOT_CREATED, CANNOT_TELL }

    /**
     * Asks the gateway whether it created {@code batch} (a call that timed out, or a process that died mid-call).
     * {@link Reconciliation#CANNOT_TELL} when the gateway has no way to say (Kannel, Africa's Talking): the deliveries
     * then stay {@code in_doubt} rather than risk a duplicate, until a delivery report settles them or an operator
     * replays them.
     */
    default ReconcileResult reconcile(Batch batch) throws InterruptedException {
        return new ReconcileResult(Reconciliation.CANNOT_TELL, null);
    }

    record ReconcileResult(Reconciliation answer, String externalId) {}
}
