package org.mhero.rapidpro;

import java.util.Locale;

/** A contact's status. Blocked and stopped contacts are skipped by broadcasts and flow starts without error (§6). */
public enum ContactStatus {
    ACTIVE, BLOCKED, STOPPED, ARCHIVED;

    public String wire() { return name().toLowerCase(Locale.ROOT); }

    /** The status for a wire value, null for null/unknown. */
    public static ContactStatus of(String wire) {
        if (wire == null) return null;
        return switch (wire.trim().toLowerCase(Locale.ROOT)) {
            case "active" -> ACTIVE;
            case "blocked" -> BLOCKED;
            case "stopped" -> STOPPED;
            case "archived" -> ARCHIVED;
            default -> null;
        };
    }

    /** Whether messages can reach the contact. */
    public boolean reachable() { return this == ACTIVE; }
}
