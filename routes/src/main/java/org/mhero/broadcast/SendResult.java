package org.mhero.broadcast;

import org.mhero.store.Failures;

import java.util.Map;

/**
 * What a channel says about one {@link Batch}. The batch-level {@link Outcome} applies to every recipient without an
 * entry in {@code perRecipient} (gateways that answer per number, such as Africa's Talking or one Kannel request per
 * number, fill it).
 *
 * <ul>
 *   <li>{@code ACCEPTED}: the gateway took it ({@code externalId}: RapidPro's broadcast / flow start id, or the
 *       gateway message id when there is one per batch);</li>
 *   <li>{@code RETRY}: it certainly was not taken (connection refused, 429, Kannel 503): try again later;</li>
 *   <li>{@code FAILED}: refused for good (400/403, invalid number): the reason is kept;</li>
 *   <li>{@code IN_DOUBT}: it may or may not have been taken (timeout, 5xx after the body was sent): never re-sent before
 *       the channel is asked ({@link Channel#reconcile}).</li>
 *   <li>{@code NOT_SENT} (per recipient only): the channel left it out of this call (a RapidPro call takes at most 100
 *       URNs); it goes straight back to the outbox and the attempt does not count.</li>
 * </ul>
 */
public record SendResult(Outcome outcome, String externalId, String reason, Map<Long, RecipientResult> perRecipient) {
    public enum Outcome { ACCEPTED, RETRY, FAILED, IN_DOUBT, NOT_SENT }

    /** The result for one delivery id: its outcome, the gateway's message id (for delivery reports) and why. */
    public record RecipientResult(Outcome outcome, String messageId, String reason) {
        public RecipientResult {
            reason = Failures.maskNumbers(reason);
        }
    }

    /** Reasons are stored for operators and logged: any phone number a gateway quotes in them is masked here. */
    public SendResult {
        reason = Failures.maskNumbers(reason);
        perRecipient = perRecipient == null ? Map.of() : Map.copyOf(perRecipient);
    }

    public static SendResult accepted(String externalId) { return new SendResult(Outcome.ACCEPTED, externalId, null, null); }
    public static SendResult retry(String reason) { return new SendResult(Outcome.RETRY, null, reason, null); }
    public static SendResult failed(String reason) { return new SendResult(Outcome.FAILED, null, reason, null); }
    public static SendResult inDoubt(String reason) { return new SendResult(Outcome.IN_DOUBT, null, reason, null); }

    /** The outcome of one recipient of the batch. */
    public RecipientResult of(long deliveryId) {
        RecipientResult r = perRecipient.get(deliveryId);
        return r != null ? r : new RecipientResult(outcome, null, reason);
    }
}
