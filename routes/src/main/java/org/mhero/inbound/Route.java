package org.mhero.inbound;

import java.util.Locale;

/** Where the content-based router sends a message; {@link #id()} is what the inbox shows and the routes switch on. */
public enum Route {
    OPT_OUT("opt-out"), OPT_IN("opt-in"), HELP("help"), STOCK("stock"), RECORD_UPDATE("record-update"), TRIGGER("trigger"),
    QUIZ("quiz"), INBOX("inbox");

    private final String id;

    Route(String id) { this.id = id; }

    public String id() { return id; }

    /** A value of {@code flow.<uuid> = ...}: record-update, stock, quiz or inbox; null otherwise. */
    static Route ofFlowMapping(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "record-update" -> RECORD_UPDATE;
            case "stock" -> STOCK;
            case "quiz" -> QUIZ;
            case "inbox" -> INBOX;
            default -> null;
        };
    }
}
