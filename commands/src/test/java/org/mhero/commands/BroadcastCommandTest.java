package org.mhero.commands;

import org.junit.jupiter.api.Test;
import org.mhero.boot.Operations;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BroadcastCommandTest {
    @Test
    void theTextIsNotInTheThreadNameWhileTheBroadcastIsCreated() {
        List<String> threadNames = new ArrayList<>();
        List<Map<String, String>> fields = new ArrayList<>();
        BroadcastCommand c = new BroadcastCommand();
        c.operations = (Operations) Proxy.newProxyInstance(Operations.class.getClassLoader(), new Class<?>[] {Operations.class},
                (proxy, method, args) -> {
                    threadNames.add(Thread.currentThread().getName());
                    @SuppressWarnings("unchecked") Map<String, String> f = (Map<String, String>) args[0];
                    fields.add(f);
                    return "broadcast 1 sending";
                });
        c.groups = List.of("doctors");
        c.text = "Measles vaccination starts Monday";
        String before = "pipe-mhero:broadcast --group doctors 'Measles vaccination starts Monday'"; // as Karaf names it
        Thread.currentThread().setName(before);
        c.execute();

        assertThat(fields).singleElement().satisfies(f -> assertThat(f).containsEntry("text", "Measles vaccination starts Monday"));
        assertThat(threadNames).singleElement().asString().doesNotContain("Measles");
        assertThat(Thread.currentThread().getName()).as("restored").isEqualTo(before);
    }
}
