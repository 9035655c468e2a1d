package org.mhero.broadcast;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RapidProChannelTest {
    static List<Recipient> recipients(int withUuid, int withoutUuid) {
        List<Recipient> r = new ArrayList<>();
        for (int i = 0; i < withUuid; i++) r.add(new Recipient(i, i, "+23177000" + String.format("%04d", i), "uuid-" + i));
        for (int i = 0; i < withoutUuid; i++) r.add(new Recipient(1000 + i, 1000 + i, "+23188000" + String.format("%04d", i), null));
        return r;
    }

    @Test
    void packs100ContactsAnd100UrnsIntoOneCall() {
        RapidProChannel.Packing p = RapidProChannel.pack(recipients(200, 0));
        assertThat(p.contacts()).hasSize(100);
        assertThat(p.urns()).hasSize(100).allMatch(u -> u.startsWith("tel:+231"));
        assertThat(p.left()).isEmpty();
    }

    @Test
    void leavesOutWhatDoesNotFitAndNeverSendsAnyoneTwice() {
        RapidProChannel.Packing p = RapidProChannel.pack(recipients(30, 150));
        assertThat(p.contacts()).hasSize(30);
        assertThat(p.urns()).hasSize(100);
        assertThat(p.left()).hasSize(50);
        assertThat(p.contacts().size() + p.urns().size() + p.left().size()).isEqualTo(180);
    }

    @Test
    void matchesAFlowStartByTheBatchParamAndABroadcastByTextAndRecipients() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Recipient> r = recipients(2, 1);
        Batch flow = new Batch(77, 1, 1, "rapidpro", new Content.FlowStart("f-1", "{\"round\":\"2\"}"), r, Instant.now());
        RapidProChannel.Packing p = RapidProChannel.pack(r);
        assertThat(RapidProChannel.params((Content.FlowStart) flow.content(), 77).toString()).contains("\"round\":\"2\"", "\"mhero_batch\":\"77\"");
        assertThat(RapidProChannel.matches(flow, p, json.readTree("{\"flow\":{\"uuid\":\"f-1\"},\"params\":{\"mhero_batch\":\"77\"}}"))).isTrue();
        assertThat(RapidProChannel.matches(flow, p, json.readTree("{\"flow\":{\"uuid\":\"f-1\"},\"params\":{\"mhero_batch\":\"78\"}}"))).isFalse();

        Batch text = new Batch(78, 1, 1, "rapidpro", new Content.Text("Hi"), r, Instant.now());
        String same = "{\"text\":{\"eng\":\"Hi\"},\"contacts\":[{\"uuid\":\"uuid-0\"},{\"uuid\":\"uuid-1\"}],\"urns\":[\"tel:+231880000000\"]}";
        assertThat(RapidProChannel.matches(text, p, json.readTree(same))).isTrue();
        assertThat(RapidProChannel.matches(text, p, json.readTree(same.replace("uuid-1", "uuid-9")))).isFalse();
        assertThat(RapidProChannel.matches(text, p, json.readTree(same.replace("\"Hi\"", "\"Hello\"")))).isFalse();
    }

    @Test
    void aReasonQuotingANumberIsMaskedBeforeItIsStoredOrLogged() {
        SendResult r = SendResult.failed("RapidPro refused it: HTTP 400 {\"urns\": {\"0\": [\"Invalid URN: tel:+231770001234\"]}}");
        assertThat(r.reason()).doesNotContain("231770001234").contains("+231*******34").contains("HTTP 400");
        assertThat(new SendResult.RecipientResult(SendResult.Outcome.FAILED, null, "406 UserInBlacklist 254711000111").reason())
                .doesNotContain("254711000111").contains("406 UserInBlacklist");
    }
}
