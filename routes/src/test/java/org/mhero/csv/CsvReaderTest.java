package org.mhero.csv;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvReaderTest {
    static List<CsvReader.Row> read(String text, char delimiter) throws IOException {
        return read(new StringReader(text), delimiter);
    }

    static List<CsvReader.Row> read(Reader in, char delimiter) throws IOException {
        List<CsvReader.Row> rows = new ArrayList<>();
        try (CsvReader r = new CsvReader(in, delimiter)) {
            for (CsvReader.Row row; (row = r.next()) != null; ) rows.add(row);
        }
        return rows;
    }

    @Test
    void readsPlainRecordsWithLfCrlfAndCrLineEndsAndALastLineWithoutOne() throws IOException {
        List<CsvReader.Row> rows = read("a,b,c\n1,2,3\r\n4,5,6\r7,8,9", ',');
        assertThat(rows).extracting(CsvReader.Row::cells).containsExactly(
                List.of("a", "b", "c"), List.of("1", "2", "3"), List.of("4", "5", "6"), List.of("7", "8", "9"));
        assertThat(rows).extracting(CsvReader.Row::line).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aFinalLineBreakDoesNotMakeAnEmptyRecord() throws IOException {
        assertThat(read("a,b\r\n1,2\r\n", ',')).hasSize(2);
        assertThat(read("", ',')).isEmpty();
    }

    @Test
    void quotedFieldsHoldDelimitersDoubledQuotesAndLineBreaks() throws IOException {
        List<CsvReader.Row> rows = read("id,name,note\r\n1,\"Zinnah, Jr.\",\"says \"\"hi\"\"\"\r\n"
                + "2,\"two\r\nlines\",\"three\nmore\nlines\"\r\n3,x,\"\"\n", ',');
        assertThat(rows.get(1).cells()).containsExactly("1", "Zinnah, Jr.", "says \"hi\"");
        assertThat(rows.get(2).cells()).containsExactly("2", "two\r\nlines", "three\nmore\nlines");
        assertThat(rows.get(3).cells()).containsExactly("3", "x", "");
        assertThat(rows).as("the line each record starts on, as an editor shows it").extracting(CsvReader.Row::line)
                .containsExactly(1L, 2L, 3L, 7L);
    }

    @Test
    void emptyFieldsAndEmptyLinesAreKept() throws IOException {
        List<CsvReader.Row> rows = read("a,,c,\n\n,,\n", ',');
        assertThat(rows).extracting(CsvReader.Row::cells).containsExactly(List.of("a", "", "c", ""), List.of(""), List.of("", "", ""));
        assertThat(rows.get(1).blank()).isTrue();
        assertThat(rows.get(2).blank()).isTrue();
        assertThat(rows.get(0).blank()).isFalse();
    }

    @Test
    void skipsAUtf8ByteOrderMarkAtTheStartOnly() throws IOException {
        List<CsvReader.Row> rows = read("\uFEFFEmployee Code,Name\n\uFEFF1,x\n", ',');
        assertThat(rows.get(0).cells()).containsExactly("Employee Code", "Name");
        assertThat(rows.get(1).cells().get(0)).isEqualTo("\uFEFF1");
    }

    @Test
    void readsSemicolonAndTabDelimitedFiles() throws IOException {
        assertThat(read("a;b,c;\"d;e\"\n", ';').get(0).cells()).containsExactly("a", "b,c", "d;e");
        assertThat(read("a\tb,c\t\"d\te\"\t\n", '\t').get(0).cells()).containsExactly("a", "b,c", "d\te", "");
    }

    @Test
    void raggedRowsAreReturnedAsTheyAre() throws IOException {
        assertThat(read("a,b,c\n1\n1,2,3,4,5\n", ',')).extracting(r -> r.cells().size()).containsExactly(3, 1, 5);
    }

    @Test
    void readsWhatSpreadsheetsWriteOutsideRfc4180LikeSpreadsheetsDo() throws IOException {
        assertThat(read("5'6\",x\"y\n\"a\"b,c\n", ',')).extracting(CsvReader.Row::cells)
                .containsExactly(List.of("5'6\"", "x\"y"), List.of("ab", "c"));
    }

    @Test
    void anUnclosedQuoteFailsNamingTheLineItOpensOn() {
        assertThatThrownBy(() -> read("a,b\n1,2\n3,\"open\n4,5\n", ','))
                .isInstanceOf(CsvFormatException.class).hasMessageContaining("line 3")
                .satisfies(e -> assertThat(((CsvFormatException) e).line()).isEqualTo(3));
    }

    @Test
    void aRunawayFieldFailsInsteadOfFillingTheMemory() {
        String huge = "a\n\"" + "x".repeat(CsvReader.MAX_FIELD + 10) + "\"\n";
        assertThatThrownBy(() -> read(huge, ',')).isInstanceOf(CsvFormatException.class).hasMessageContaining("line 2");
    }

    @Test
    void streamsRecordsAcrossBufferBoundaries() throws IOException {
        // a reader that returns one character at a time: every state crosses a buffer boundary
        String text = "id,name\r\n1,\"a\"\"b\"\r\n2,\"x\r\ny\"\r\n";
        Reader slow = new StringReader(text) {
            @Override public int read(char[] b, int off, int len) throws IOException { return super.read(b, off, Math.min(len, 1)); }
        };
        assertThat(read(slow, ',')).extracting(CsvReader.Row::cells)
                .containsExactly(List.of("id", "name"), List.of("1", "a\"b"), List.of("2", "x\r\ny"));
    }
}
