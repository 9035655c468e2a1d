package org.mhero.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;

/** What an upsert by URN did: {@code created} (201) or updated (200), the contact's uuid and the response body. */
public record UpsertResult(Outcome outcome, String uuid, JsonNode body) {
    public enum Outcome { CREATED, UPDATED }

    public boolean created() { return outcome == Outcome.CREATED; }

    /** The contact as RapidPro returned it. */
    public RapidProContact contact() { return RapidProContact.parse(body); }
}
