package org.mhero.inbound;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IntakeParserTest {
    static final String WEBHOOK = """
            {"contact":{"uuid":"7c1e0b6e-1111-4a1b-9a65-2a0d1c1e1f10","name":"Alice","urn":"tel:+231770100001"},
             "flow":{"uuid":"0F3C5F6B-2A4D-4B4E-9C47-5D1B0C6A7E21","name":"Validation"},
             "results":{"phone_ok":{"value":"yes","category":"Yes"}},
             "run":{"uuid":"run-1"},
             "input":{"uuid":"m-1","type":"msg","text":"yes","urn":"tel:+231770100001","created_on":"2026-11-22T10:00:00.123Z"}}""";

    @Test
    void readsTheShippedWebhookBody() throws Exception {
        Received r = IntakeParser.rapidproRun(WEBHOOK, "webhook");
        assertThat(r.source()).isEqualTo("rapidpro-run");
        assertThat(r.externalId()).isEqualTo("run-1");
        assertThat(r.flowUuid()).isEqualTo("0f3c5f6b-2a4d-4b4e-9c47-5d1b0c6a7e21");
        assertThat(r.sender()).isEqualTo("+231770100001");
        assertThat(r.text()).isEqualTo("yes");
        assertThat(r.sentAt()).isEqualTo(Instant.parse("2026-11-22T10:00:00.123Z"));
        assertThat(r.resultsJson()).isEqualTo("{\"phone_ok\":{\"value\":\"yes\",\"category\":\"Yes\"}}");
    }

    @Test
    void readsAResthookPayloadWithAnObjectUrn() throws Exception {
        String body = """
                {"contact":{"uuid":"c-2","name":"Bob","urn":null,"language":"eng"},"flow":{"uuid":"f-2","name":"S","revision":1},
                 "path":[],"results":{},"run":{"uuid":"run-2","created_on":"2026-11-22T10:00:00Z"},
                 "input":{"uuid":"m-2","type":"msg","text":"hi","attachments":[],"urn":{"scheme":"tel","path":"+231770100002","display":null},
                          "created_on":"2026-11-22T10:00:01Z"},"channel":null}""";
        Received r = IntakeParser.rapidproRun(body, "resthook");
        assertThat(r.urn()).isEqualTo("tel:+231770100002");
        assertThat(r.sender()).isEqualTo("+231770100002");
        assertThat(r.intake()).isEqualTo("resthook");
    }

    @Test
    void refusesRunsWithoutTheirKeysOrWithWrongTypes() {
        assertThatThrownBy(() -> IntakeParser.rapidproRun(WEBHOOK.replace("\"run\":{\"uuid\":\"run-1\"},", ""), "webhook"))
                .hasMessage("run.uuid is missing");
        assertThatThrownBy(() -> IntakeParser.rapidproRun(WEBHOOK.replace("\"uuid\":\"run-1\"", "\"uuid\":42"), "webhook"))
                .hasMessage("run.uuid is not a string");
        assertThatThrownBy(() -> IntakeParser.rapidproRun("[1,2]", "webhook")).hasMessage("body is not a JSON object");
        assertThatThrownBy(() -> IntakeParser.rapidproRun("", "webhook")).hasMessage("body is not a JSON object");
        assertThatThrownBy(() -> IntakeParser.rapidproRun(WEBHOOK.replace("\"results\":{", "\"results\":[{").replace("}},\n", "}}],\n"), "webhook"))
                .hasMessageContaining("results");
        assertThatThrownBy(() -> IntakeParser.rapidproRun(WEBHOOK.replace("run-1", "run\\u0000-1"), "webhook"))
                .hasMessage("run.uuid contains control characters");
        assertThatThrownBy(() -> IntakeParser.rapidproRun(WEBHOOK.replace("\"text\":\"yes\"", "\"text\":\"" + "x".repeat(5000) + "\""), "webhook"))
                .hasMessage("input.text is longer than 4096 characters");
    }

    @Test
    void readsKannelGetAndPostForms() throws Exception {
        Map<String, Object> get = new HashMap<>(Map.of("from", "0770100001", "to", "1234", "text", "STOCK ORS 40",
                "time", "2026-11-21 19:42:42", "id", "k-uuid-1"));
        Received r = IntakeParser.kannel(get, null, false);
        assertThat(r.externalId()).isEqualTo("k-uuid-1");
        assertThat(r.sender()).isEqualTo("0770100001");
        assertThat(r.text()).isEqualTo("STOCK ORS 40");
        assertThat(r.sentAt()).isEqualTo(Instant.parse("2026-11-21T19:42:42Z"));
        // RapidPro's suggested names
        Received rp = IntakeParser.kannel(new HashMap<>(Map.of("sender", "+231770100001", "message", "hi", "id", "k-2", "ts", "1763754162")),
                null, false);
        assertThat(rp.text()).isEqualTo("hi");
        assertThat(rp.sentAt()).isEqualTo(Instant.ofEpochSecond(1763754162));
        Received post = IntakeParser.kannel(new HashMap<>(Map.of("X-Kannel-From", "+231770100001", "id", "k-3")), "STOP\u0000", true);
        assertThat(post.intake()).isEqualTo("post-url");
        assertThat(post.text()).as("NUL cannot be stored").isEqualTo("STOP\uFFFD");
        assertThatThrownBy(() -> IntakeParser.kannel(new HashMap<>(Map.of("from", "+1", "text", "x")), null, false)).hasMessage("id is missing");
        assertThatThrownBy(() -> IntakeParser.kannel(new HashMap<>(Map.of("id", "k", "text", "x")), null, false))
                .hasMessage("from (the sender) is missing");
        assertThatThrownBy(() -> IntakeParser.kannel(new HashMap<>(Map.of("id", "k", "from", "+1", "text", "x", "time", "yesterday")), null, false))
                .hasMessageStartingWith("time = 'yesterday' is not a time");
    }

    @Test
    void repeatedParametersTakeTheFirst() throws Exception {
        Map<String, Object> p = new HashMap<>(Map.of("id", List.of("a", "b"), "from", "+231770100001", "text", "x"));
        assertThat(IntakeParser.kannel(p, null, false).externalId()).isEqualTo("a");
    }

    @Test
    void readsAfricasTalkingAndExternalForms() throws Exception {
        Received at = IntakeParser.africasTalking(new HashMap<>(Map.of("from", "+254711000001", "to", "12345", "text", "help",
                "id", "ATXid_1", "date", "2026-11-22T10:00:00Z", "linkId", "l", "networkCode", "63902")));
        assertThat(at.externalId()).isEqualTo("ATXid_1");
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        Received a = IntakeParser.external(new HashMap<>(Map.of("from", "+231770100001", "text", "hi")), now);
        Received b = IntakeParser.external(new HashMap<>(Map.of("sender", "+231770100001", "text", "hi")), now);
        Received c = IntakeParser.external(new HashMap<>(Map.of("from", "+231770100001", "text", "hi")), now.plusSeconds(1));
        assertThat(a.externalId()).as("same sender, text and second: one message").isEqualTo(b.externalId()).startsWith("h:");
        assertThat(c.externalId()).isNotEqualTo(a.externalId());
        assertThat(IntakeParser.external(new HashMap<>(Map.of("from", "+2", "text", "t", "id", "x-1")), now).externalId()).isEqualTo("x-1");
        assertThatThrownBy(() -> IntakeParser.external(new HashMap<>(Map.of("text", "hi")), now))
                .hasMessage("must have one of 'sender' or 'from' set");
    }
}
