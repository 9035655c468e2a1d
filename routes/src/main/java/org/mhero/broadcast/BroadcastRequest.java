package org.mhero.broadcast;

import java.time.Instant;
import java.util.List;

/**
 * A broadcast as an operator asks for it (HTTP API or {@code mhero:broadcast}). Exactly one of {@code text} and
 * {@code flowUuid}; at least one target ({@code groups} by name, a group {@code rule} such as
 * {@code cadre = nurse and district = Bong}, named {@code workers} by mHero id); {@code sendAt} null = now; {@code cron}
 * makes it recurring (Quartz syntax, in the configured time zone); {@code channel} null = the active channel.
 * {@link BroadcastService#create} validates it and answers {@link BroadcastRejected} with the field at fault.
 */
public record BroadcastRequest(String title, String text, String flowUuid, String paramsJson, List<String> groups,
                               String rule, List<Long> workers, String channel, Instant sendAt, String cron) {
    public BroadcastRequest {
        groups = groups == null ? List.of() : List.copyOf(groups);
        workers = workers == null ? List.of() : List.copyOf(workers);
    }

    public static BroadcastRequest text(String text, List<String> groups) {
        return new BroadcastRequest(null, text, null, null, groups, null, null, null, null, null);
    }
}
