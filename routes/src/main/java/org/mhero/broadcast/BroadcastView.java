package org.mhero.broadcast;

import java.time.Instant;
import java.util.Map;

/**
 * A broadcast and its progress: {@code counts} is the number of deliveries per status (pending, posting, accepted,
 * sent, delivered, failed, skipped, dead, in_doubt, cancelled). No phone numbers or texts of health workers.
 */
public record BroadcastView(long id, String title, String kind, String status, String channel, String createdBy,
                            Instant createdAt, Instant sendAt, String cron, Instant nextFireAt, Long parentId,
                            Instant startedAt, Instant finishedAt, int recipients, Map<String, Integer> counts) {
    public BroadcastView {
        counts = counts == null ? Map.of() : Map.copyOf(counts);
    }

    public int count(String status) { return counts.getOrDefault(status, 0); }
}
