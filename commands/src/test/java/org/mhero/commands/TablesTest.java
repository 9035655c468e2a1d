package org.mhero.commands;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TablesTest {
    static String print(List<List<String>> rows) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tables.print(rows, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsTheHeaderAndEveryRowAligned() {
        String out = print(List.of(List.of("group", "members"), List.of("doctors", "26"), List.of("bong-nurses-midwives", "52")));
        assertThat(out).contains("group", "members", "doctors", "26", "bong-nurses-midwives", "52");
        assertThat(out.lines().filter(l -> l.contains("doctors")).findFirst().orElseThrow().indexOf("26"))
                .isEqualTo(out.lines().filter(l -> l.contains("bong")).findFirst().orElseThrow().indexOf("52"));
    }

    @Test
    void saysNoneForAnEmptyTable() {
        assertThat(print(List.of(List.of("health worker", "why")))).contains("(none)");
    }
}
