package org.mhero.sandbox.sms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mhero.sandbox.core.Query;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AfricasTalkingSimulatorTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    Receiver rx;
    AfricasTalkingSimulator at;

    @BeforeEach
    void setUp() throws Exception {
        rx = new Receiver();
        at = AfricasTalkingSimulator.start(AfricasTalkingSimulator.options().dlrUrl(rx.url() + "/at/dlr").moUrl(rx.url() + "/at/mo")
                .reject("+254711000406", 406).deliveryFailure("+254711000009", "AbsentSubscriber"));
    }

    @AfterEach
    void tearDown() {
        at.close();
        rx.close();
    }

    HttpResponse<String> send(String apiKey, String accept, String to, String message) throws Exception {
        String form = "username=sandbox&to=" + URLEncoder.encode(to, StandardCharsets.UTF_8) + "&message=" + URLEncoder.encode(message, StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(at.messagingUrl())).header("apiKey", apiKey)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        if (accept != null) b.header("Accept", accept);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, List<String>> form(Receiver.Got g) { return Query.parse(g.body()); }

    @Test
    void perRecipientJsonReplyAndDlrs() throws Exception {
        HttpResponse<String> r = send("atsk_test_key", "application/json", "+254711000001,+254711000406,0711", "Hello");
        assertThat(r.statusCode()).isEqualTo(201);
        JsonNode data = JSON.readTree(r.body()).get("SMSMessageData");
        assertThat(data.get("Message").asText()).isEqualTo("Sent to 1/3 Total Cost: KES 0.8000");
        JsonNode rec = data.get("Recipients");
        assertThat(rec.get(0).get("statusCode").asInt()).isEqualTo(101);
        assertThat(rec.get(0).get("status").asText()).isEqualTo("Success");
        assertThat(rec.get(0).get("messageId").asText()).startsWith("ATXid_");
        assertThat(rec.get(1).get("statusCode").asInt()).isEqualTo(406);
        assertThat(rec.get(1).get("status").asText()).isEqualTo("UserInBlacklist");
        assertThat(rec.get(2).get("statusCode").asInt()).isEqualTo(403);
        List<Receiver.Got> dlrs = rx.take(2);
        assertThat(dlrs.get(0).method()).isEqualTo("POST");
        assertThat(form(dlrs.get(0)).get("status")).containsExactly("Sent");
        assertThat(form(dlrs.get(1)).get("status")).containsExactly("Success");
        assertThat(form(dlrs.get(1)).get("id")).containsExactly(rec.get(0).get("messageId").asText());
        assertThat(at.log().textsTo("+254711000001")).containsExactly("Hello");
        assertThat(at.log().size()).isEqualTo(1);

        send("atsk_test_key", "application/json", "+254711000009", "Hi");
        List<Receiver.Got> failed = rx.take(2);
        assertThat(form(failed.get(1)).get("status")).containsExactly("Failed");
        assertThat(form(failed.get(1)).get("failureReason")).containsExactly("AbsentSubscriber");
    }

    @Test
    void authXmlDefaultAndMo() throws Exception {
        HttpResponse<String> r = send("wrong", "application/json", "+254711000001", "x");
        assertThat(r.statusCode()).isEqualTo(401);
        r = send("atsk_test_key", null, "+254711000001", "x");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.body()).contains("<statusCode>101</statusCode>").startsWith("<?xml");
        rx.take(2);
        assertThat(at.sendMo("+254711000001", "12345", "STOCK 5 ORS")).isEqualTo(200);
        Receiver.Got mo = rx.next();
        Map<String, List<String>> f = form(mo);
        assertThat(mo.uri()).isEqualTo("/at/mo");
        assertThat(f.keySet()).containsExactlyInAnyOrder("date", "from", "id", "linkId", "text", "to", "networkCode");
        assertThat(f.get("text")).containsExactly("STOCK 5 ORS");
    }
}
