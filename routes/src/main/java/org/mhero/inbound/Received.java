package org.mhero.inbound;

import java.time.Instant;

/**
 * One message as an intake parsed it, before it is stored: {@code source} + {@code externalId} is the dedupe key;
 * {@code sender} is the address as given (a number, or a URN's path), normalised to E.164 when stored.
 */
public record Received(String source, String intake, String externalId, Instant sentAt, String sender, String urn,
                       String contactUuid, String text, String flowUuid, String resultsJson) {}
