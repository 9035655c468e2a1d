package org.mhero.broadcast;

/**
 * Where a delivery report puts a message (contracts/sms-aggregators.md §11). A status only moves forward:
 * accepted → sent → delivered, or to failed; a late "sent" after "delivered" is ignored.
 */
public enum DeliveryState {
    ACCEPTED("accepted", 1), SENT("sent", 2), DELIVERED("delivered", 3), FAILED("failed", 3);

    private final String column;
    private final int rank;

    DeliveryState(String column, int rank) {
        this.column = column;
        this.rank = rank;
    }

    /** The value of {@code delivery.status}. */
    public String column() { return column; }

    /** Order of progress; a report never lowers it. */
    public int rank() { return rank; }
}
