package org.mhero.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.mhero.testing.ShippedConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RapidPro flow mHero ships (etc/samples/rapidpro/mhero-validation-flow.json) keeps its contract with the shipped
 * configuration: its uuid is mapped to record updates and started by the trigger word, its result names become the
 * result keys record updates read, and its webhook posts the documented body to mHero's webhook intake.
 */
class ShippedFlowDefinitionTest {
    static final Path ETC = Path.of(System.getProperty("mhero.etc.dir", "../etc"));

    @Test
    void theValidationFlowMatchesTheShippedConfigurationAndTheWebhookContract() throws Exception {
        JsonNode flow = new ObjectMapper().readTree(ETC.resolve("samples/rapidpro/mhero-validation-flow.json").toFile()).path("flows").get(0);
        ShippedConfig cfg = ShippedConfig.idle();
        String uuid = flow.path("uuid").asText();
        assertThat(cfg.value("org.mhero.inbound", "flow." + uuid)).isEqualTo("record-update");
        assertThat(cfg.value("org.mhero.inbound", "trigger.VALIDATE")).isEqualTo(uuid);

        List<String> resultKeys = new ArrayList<>();
        JsonNode webhook = null;
        for (JsonNode node : flow.path("nodes")) {
            String name = node.path("router").path("result_name").asText("");
            if (!name.isEmpty() && node.path("router").has("wait")) resultKeys.add(name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_"));
            for (JsonNode a : node.path("actions")) if (a.path("type").asText().equals("call_webhook")) webhook = a;
        }
        assertThat(resultKeys).containsExactlyInAnyOrder(cfg.value("org.mhero.inbound", "record.result.phone.confirm"),
                cfg.value("org.mhero.inbound", "record.result.phone"));
        assertThat(webhook).isNotNull();
        assertThat(webhook.path("method").asText()).isEqualTo("POST");
        assertThat(webhook.path("url").asText()).contains("/inbound/rapidpro/webhook?token=");
        assertThat(webhook.path("body").asText().strip())
                .isEqualTo(Files.readString(ETC.resolve("samples/rapidpro/webhook-body.txt")).strip());
        assertThat(webhook.path("body").asText()).contains("\"run\", object(\"uuid\", run.uuid)");
    }
}
