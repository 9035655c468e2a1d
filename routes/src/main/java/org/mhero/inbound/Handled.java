package org.mhero.inbound;

import java.util.List;

/**
 * What routing a message came to: the status it ends in ({@code done}, or {@code inbox} when a person has to look at
 * it), the route taken, an outcome for the inbox review, and what to send back. Every outgoing message is a
 * one-recipient broadcast written in the same transaction as the status, named by {@code inbound:<id>:<key>}, so
 * routing a message twice never sends twice.
 */
public record Handled(String status, Route route, String outcome, List<Outgoing> outgoing) {
    /** A text (reply) or a RapidPro flow start (trigger word) for the sender. */
    public record Outgoing(String key, String text, String flowUuid) {
        public static Outgoing reply(String text) { return new Outgoing("reply", text, null); }
        public static Outgoing flow(String flowUuid) { return new Outgoing("flow", null, flowUuid); }
    }

    public Handled {
        outgoing = outgoing == null ? List.of() : List.copyOf(outgoing);
    }

    public static Handled done(Route route, String outcome, Outgoing... out) { return new Handled("done", route, outcome, List.of(out)); }

    public static Handled inbox(Route route, String outcome, Outgoing... out) { return new Handled("inbox", route, outcome, List.of(out)); }

    /** Adds a reply when the text is configured (null or empty = none). */
    public Handled replying(String text) {
        if (text == null || text.isBlank()) return this;
        List<Outgoing> out = new java.util.ArrayList<>(outgoing);
        out.add(Outgoing.reply(text));
        return new Handled(status, route, outcome, out);
    }
}
