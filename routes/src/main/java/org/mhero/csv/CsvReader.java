package org.mhero.csv;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 records one at a time from a character stream, so a file of any size is read with one record in
 * memory: fields separated by the delimiter ({@code ,}, {@code ;} or tab), optionally quoted with {@code "} (a quote
 * inside a quoted field is doubled), quoted fields may hold delimiters and line breaks, records end with CRLF, LF or
 * CR, a leading UTF-8 byte order mark is skipped. What spreadsheets write that RFC 4180 does not allow is read the way
 * spreadsheets read it: a quote inside an unquoted field is kept as it is, text after a closing quote is appended.
 *
 * <p>Rows are returned as they are (ragged rows included: deciding what a short or long row means is the mapper's
 * job). A quoted field that is not closed, or a field longer than {@link #MAX_FIELD} characters (what an unclosed quote
 * in a large file becomes), is a {@link CsvFormatException} naming the line.
 */
public final class CsvReader implements Closeable {
    /** The longest field accepted, in characters: a field this long is an unclosed quote, not a value. */
    public static final int MAX_FIELD = 100_000;
    private static final int EOF = -1;

    /** One record: the line of the file it starts on (1 is the header), and its fields. */
    public record Row(long line, List<String> cells) {
        /** True when every field is empty or blank (trailing ",,,," rows of spreadsheets). */
        public boolean blank() {
            for (String c : cells) if (!c.isBlank()) return false;
            return true;
        }
    }

    private final Reader in;
    private final char delimiter;
    private final char[] buf = new char[8192];
    private int pos, len;
    private boolean started;
    private long line = 1;
    private final StringBuilder field = new StringBuilder();

    public CsvReader(Reader in, char delimiter) {
        if (delimiter == '"' || delimiter == '\r' || delimiter == '\n') {
            throw new IllegalArgumentException("not a usable delimiter: " + (int) delimiter);
        }
        this.in = in;
        this.delimiter = delimiter;
    }

    /** The next record, or null at the end of the input. */
    public Row next() throws IOException {
        int c = read();
        if (!started) {
            started = true;
            if (c == '\uFEFF') c = read();
        }
        if (c == EOF) return null;
        long start = line;
        List<String> cells = new ArrayList<>();
        while (true) {
            field.setLength(0);
            if (c == '"') c = quoted(start);
            while (c != EOF && c != delimiter && c != '\r' && c != '\n') {
                append((char) c, start);
                c = read();
            }
            cells.add(field.toString());
            if (c == delimiter) {
                c = read();
                continue;
            }
            endOfLine(c);
            return new Row(start, cells);
        }
    }

    /** Reads a quoted field (the opening quote is consumed); returns the character after the closing quote. */
    private int quoted(long start) throws IOException {
        while (true) {
            int c = read();
            if (c == EOF) {
                throw new CsvFormatException(start, "a quoted field opened on line " + start + " is not closed before the end of the file");
            }
            if (c == '"') {
                int n = read();
                if (n != '"') return n;
                append('"', start);
            } else {
                if (c == '\n' || (c == '\r' && peek() != '\n')) line++;
                append((char) c, start);
            }
        }
    }

    /** Consumes the end of a record: LF, CR or CRLF (nothing at the end of the input). */
    private void endOfLine(int c) throws IOException {
        if (c == '\r') {
            if (peek() == '\n') read();
            line++;
        } else if (c == '\n') {
            line++;
        }
    }

    private void append(char c, long start) {
        if (field.length() >= MAX_FIELD) {
            throw new CsvFormatException(start, "line " + start + " has a field longer than " + MAX_FIELD
                    + " characters (a quote that is not closed?)");
        }
        field.append(c);
    }

    private int read() throws IOException {
        if (pos == len && !fill()) return EOF;
        return buf[pos++];
    }

    private int peek() throws IOException {
        if (pos == len && !fill()) return EOF;
        return buf[pos];
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) return false;
        pos = 0;
        len = n;
        return true;
    }

    /** The line the reader is on (1 is the first line); for messages about a failure in the middle of a record. */
    public long line() { return line; }

    @Override
    public void close() throws IOException { in.close(); }
}
