package org.mhero.broadcast;

import org.mhero.store.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The decisions of the dispatch stage (the routes in {@code broadcast.xml} call it): which batch goes next and through
 * which channel (the broadcast's own, else the active one, else the failover while the active one's circuit is open;
 * flows always through RapidPro), what the answer means for the outbox, and the reconciliation of hand-overs that got
 * no answer.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final OutboxStore store;
    private final Map<String, Channel> channels;
    private final ChannelSettings settings;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final Map<Long, String> unavailableLogged = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public Dispatcher(OutboxStore store, Map<String, Channel> channels, ChannelSettings settings) {
        this.store = store;
        this.channels = Map.copyOf(channels);
        this.settings = settings;
    }

    /**
     * The next batch to hand over (written as {@code posting}), or null when the outbox has nothing due or the context is
     * stopping. A dispatch route loops while there is work, and Camel's graceful shutdown waits for that exchange: without
     * the stop check a configuration edit (which stops this context and starts a new one) would first send the rest of
     * the outbox through the old channel, for as long as the shutdown timeout allows.
     */
    public Batch claim() throws SQLException {
        if (stopping) return null;
        for (OutboxStore.Sending s : store.sending()) {
            String channel = channelFor(s);
            if (channel == null) continue;
            Optional<Batch> b = store.claim(s.broadcastId(), channel, channels.get(channel).batchSize());
            if (b.isPresent()) return b.get();
        }
        return null;
    }

    /** The channel for the next batch of a broadcast, or null when none can take it now. */
    String channelFor(OutboxStore.Sending s) {
        String wanted = s.channel() != null ? s.channel() : settings.active();
        if (s.flow()) wanted = "rapidpro";
        if (!channels.containsKey(wanted)) {
            if (unavailableLogged.putIfAbsent(s.broadcastId(), wanted) == null) {
                LOG.error("Broadcast {} waits: channel '{}' is not configured (see mhero:problems)", s.broadcastId(), wanted);
            }
            return null;
        }
        if (s.channel() == null && breaker(wanted).isOpen() && settings.failover() != null
                && channels.containsKey(settings.failover()) && !s.flow()) {
            return settings.failover();
        }
        return wanted;
    }

    /** From now on {@link #claim} hands nothing out: the context is stopping (a batch being handed over still settles). */
    public void stopClaiming() { stopping = true; }

    /** Any failure of a channel route that escaped the channel: the call may have happened. */
    public SendResult escaped(Exception e) {
        return SendResult.inDoubt(Failures.describe(e));
    }

    /** Records the answer and feeds the channel's circuit breaker. */
    public void settle(Batch batch, SendResult result) throws SQLException {
        store.settle(batch, result);
        CircuitBreaker cb = breaker(batch.channel());
        switch (result.outcome()) {
            case RETRY, IN_DOUBT -> cb.failure();
            default -> cb.success();
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("Batch {} of broadcast {} ({} recipients) via {}: {}", batch.id(), batch.broadcastId(), batch.size(),
                    batch.channel(), result.outcome());
        }
        if (result.outcome() != SendResult.Outcome.ACCEPTED) {
            LOG.warn("Batch {} of broadcast {} ({} recipients) via {}: {} ({})", batch.id(), batch.broadcastId(), batch.size(),
                    batch.channel(), result.outcome(), result.reason());
        }
    }

    /**
     * Settles hand-overs that got no answer for longer than {@code dispatch.stale.seconds}: asks their channel whether it
     * took them. Returns how many batches were reconciled.
     */
    public int reconcile() throws Exception {
        int n = 0;
        for (Batch b : store.unsettled(Duration.ofSeconds(settings.staleSeconds()), 100)) {
            Channel ch = channels.get(b.channel());
            Channel.ReconcileResult r = ch == null || b.recipients().isEmpty()
                    ? new Channel.ReconcileResult(b.recipients().isEmpty() ? Channel.Reconciliation.CREATED : Channel.Reconciliation.CANNOT_TELL, null)
                    : ch.reconcile(b);
            store.reconciled(b, r);
            LOG.info("Batch {} of broadcast {} had no answer from {}; reconciled: {}", b.id(), b.broadcastId(), b.channel(), r.answer());
            n++;
        }
        return n;
    }

    private CircuitBreaker breaker(String channel) {
        return breakers.computeIfAbsent(channel, c -> new CircuitBreaker(settings.failoverAfterFailures(),
                settings.failoverOpenSeconds() * 1000L, System::nanoTime));
    }
}
