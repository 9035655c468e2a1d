package org.mhero.broadcast;

/**
 * A broadcast request that cannot be accepted, with the field at fault and an HTTP status: 400 for a bad value, 404
 * for an unknown broadcast, 409 for a state that does not allow it (cancelling a completed broadcast). Nothing has been
 * written when it is thrown.
 */
public final class BroadcastRejected extends Exception {
    private final int status;
    private final String field;

    public BroadcastRejected(int status, String field, String message) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public static BroadcastRejected bad(String field, String message) { return new BroadcastRejected(400, field, message); }

    public int status() { return status; }
    public String field() { return field; }
}
