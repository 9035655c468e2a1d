package org.mhero.broadcast;

import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KannelChannelTest {
    static final ChannelSettings.Kannel SETTINGS = new ChannelSettings.Kannel("http://127.0.0.1:13013/cgi-bin/sendsms",
            "mhero", "s3cret&x", "15000", 50, 0, 27, 10_000);

    static Map<String, String> parse(String query) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            m.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    @Test
    void sendsEveryNumberOfTheBatchInOneRequestWithTheDlrUrl() {
        KannelChannel ch = new KannelChannel(SETTINGS, "https://mhero.example.org", "tok en+1");
        String q = KannelChannel.query(SETTINGS, "+231770000001 +231770000002", "Meeting at 9", ch.dlrUrl(42));
        Map<String, String> p = parse(q);
        assertThat(p).containsEntry("username", "mhero").containsEntry("password", "s3cret&x").containsEntry("from", "15000")
                .containsEntry("to", "+231770000001 +231770000002").containsEntry("text", "Meeting at 9")
                .containsEntry("charset", "UTF-8").containsEntry("dlr-mask", "27").doesNotContainKey("coding");
        assertThat(q).contains("to=%2B231770000001+%2B231770000002"); // a + in a number must not become a space
        // Kannel decodes dlr-url once, then expands the %-escapes: our token stays encoded inside it
        assertThat(p.get("dlr-url")).isEqualTo(
                "https://mhero.example.org/dlr/kannel?token=tok+en%2B1&batch=42&to=%p&type=%d&fid=%F&answer=%A");
        assertThat(ch.batchSize()).isEqualTo(50);
    }

    @Test
    void asksForUcs2WhenTheTextIsNotGsm() {
        Map<String, String> p = parse(KannelChannel.query(SETTINGS, "+231770000001", "Ŋ mɔ̀ɔ", "http://x/dlr"));
        assertThat(p).containsEntry("coding", "2").containsEntry("charset", "UTF-8").containsEntry("text", "Ŋ mɔ̀ɔ");
    }

    @Test
    void noDlrUrlWhenTheMaskIsZeroAndNoFromWhenEmpty() {
        var s = new ChannelSettings.Kannel("http://k/cgi-bin/sendsms", "u", "p", null, 1, 0, 0, 1000);
        Map<String, String> p = parse(KannelChannel.query(s, "+231770000001", "hi", "http://x/dlr"));
        assertThat(p).doesNotContainKeys("dlr-mask", "dlr-url", "from");
    }

    @Test
    void mapsKannelsAnswers() {
        assertThat(KannelChannel.interpret(202, "0: Accepted for delivery").outcome()).isEqualTo(SendResult.Outcome.ACCEPTED);
        assertThat(KannelChannel.interpret(202, "3: Queued for later delivery").outcome()).isEqualTo(SendResult.Outcome.ACCEPTED);
        SendResult auth = KannelChannel.interpret(403, "Authorization failed for sendsms");
        assertThat(auth.outcome()).isEqualTo(SendResult.Outcome.FAILED);
        assertThat(auth.reason()).contains("403").contains("Authorization failed for sendsms");
        assertThat(KannelChannel.interpret(403, "Not routable. Do not try again.").outcome()).isEqualTo(SendResult.Outcome.FAILED);
        assertThat(KannelChannel.interpret(400, "Missing receiver number, rejected").outcome()).isEqualTo(SendResult.Outcome.FAILED);
        SendResult temporal = KannelChannel.interpret(503, "Temporal failure, try again later.");
        assertThat(temporal.outcome()).isEqualTo(SendResult.Outcome.RETRY);
        assertThat(temporal.reason()).contains("Temporal failure");
        assertThat(KannelChannel.interpret(404, "Unknown request.").outcome()).isEqualTo(SendResult.Outcome.RETRY);
        assertThat(KannelChannel.interpret(500, "proxy error").outcome()).isEqualTo(SendResult.Outcome.IN_DOUBT);
        assertThat(KannelChannel.interpret(502, "").outcome()).isEqualTo(SendResult.Outcome.IN_DOUBT);
    }

    @Test
    void kannelCannotBeAskedAboutAnUnansweredRequest() throws Exception {
        KannelChannel ch = new KannelChannel(SETTINGS, "http://x", "token-123");
        assertThat(ch.reconcile(null).answer()).isEqualTo(Channel.Reconciliation.CANNOT_TELL);
    }
}
