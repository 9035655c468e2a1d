package org.mhero.broadcast;

import java.time.Instant;
import java.util.List;

/**
 * Deliveries claimed together for one hand-over to a channel: all of one broadcast (and one part of a split text), so
 * they share the content. The batch row is written (status {@code posting}) before the channel is called.
 */
public record Batch(long id, long broadcastId, int part, String channel, Content content, List<Recipient> recipients,
                   Instant startedAt) {
    public Batch {
        recipients = List.copyOf(recipients);
    }

    public int size() { return recipients.size(); }
}
