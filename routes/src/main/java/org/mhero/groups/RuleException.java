package org.mhero.groups;

/** A rule that does not parse; the message says what and where ("unknown field 'cadr' at 1; expected one of …"). */
public final class RuleException extends IllegalArgumentException {
    private final int position;

    public RuleException(String message, int position) {
        super(message);
        this.position = position;
    }

    /** 1-based character position in the rule text where the problem is. */
    public int position() { return position; }
}
