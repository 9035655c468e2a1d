package org.mhero.csv;

/**
 * A file that cannot be imported as a whole: not CSV (an unclosed quote), not in the configured charset, or a header
 * without the id column. The message is for operators: it names the line or the column, never a cell's content.
 * Not an {@link java.io.IOException}, so the shared error policy does not retry it: reading the file again gives the
 * same answer.
 */
public final class CsvFormatException extends RuntimeException {
    private final long line;

    public CsvFormatException(long line, String message) {
        super(message);
        this.line = line;
    }

    /** The line the problem is on (1 is the header), or 0 for the file as a whole. */
    public long line() { return line; }
}
