package org.mhero.inbound;

import java.time.Instant;

/**
 * A received message as stored (table {@code inbound_message}), handed to the router once claimed. {@code sender} is
 * E.164 when the number parsed; {@code healthWorkerId} is null for an unknown sender; {@code resultsJson} holds a RapidPro
 * run's results ({@code {key: {value, category}}}) or null for free text.
 */
public record InboundMessage(long id, String source, String externalId, String intake, Instant receivedAt, String sender,
                             String contactUuid, Long healthWorkerId, String text, String flowUuid, String resultsJson,
                             int attempts, String senderProblem) {
    public boolean fromFlow() { return flowUuid != null; }
}
