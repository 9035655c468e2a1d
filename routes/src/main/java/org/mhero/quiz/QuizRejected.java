package org.mhero.quiz;

/**
 * A quiz request that cannot be accepted, with the field at fault and an HTTP status: 400 for a bad value (an unknown
 * group or training), 404 for an unknown quiz, 409 for a clash with what exists (the name or the keyword is taken, the
 * quiz is already closed). Nothing has been written when it is thrown.
 */
public final class QuizRejected extends Exception {
    private final int status;
    private final String field;

    public QuizRejected(int status, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    public int status() { return status; }
    public String field() { return field; }
}
