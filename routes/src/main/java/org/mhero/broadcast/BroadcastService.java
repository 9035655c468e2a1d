package org.mhero.broadcast;

import java.util.List;
import java.util.Optional;

/** What operators do with broadcasts; the HTTP API and the {@code mhero:broadcast*} commands call it. */
public interface BroadcastService {
    /**
     * Validates and stores a broadcast. Sent now: its recipients are resolved into the outbox in the same transaction,
     * so either everything exists or nothing does. Scheduled or recurring: resolved when due.
     */
    BroadcastView create(BroadcastRequest request, String user) throws BroadcastRejected;

    Optional<BroadcastView> get(long id);

    /** The newest broadcasts first. */
    List<BroadcastView> list(int limit);

    /** Per-recipient status of a broadcast in delivery order after {@code afterId}, optionally of one status. */
    List<DeliveryView> deliveries(long broadcastId, String status, long afterId, int limit) throws BroadcastRejected;

    /** Cancels a scheduled, recurring or sending broadcast: what was not handed over yet is not sent. */
    BroadcastView cancel(long id) throws BroadcastRejected;

    /**
     * Puts dead-lettered deliveries (all of them when {@code broadcastId} is 0) back into the outbox; with
     * {@code inDoubt} also those whose hand-over could not be confirmed (which risks a duplicate). Returns how many.
     */
    int replay(long broadcastId, boolean inDoubt) throws BroadcastRejected;
}
