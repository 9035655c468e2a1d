package org.mhero.sandbox.sms;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KannelSimulatorTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    Receiver rx;
    KannelSimulator kannel;

    @BeforeEach
    void setUp() throws Exception { rx = new Receiver(); }

    @AfterEach
    void tearDown() {
        if (kannel != null) kannel.close();
        rx.close();
    }

    static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    HttpResponse<String> get(String query) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(kannel.sendsmsUrl() + "?" + query)).build(), HttpResponse.BodyHandlers.ofString());
    }

    String send(String to, String text, int mask, String dlrUrl) {
        return "username=mhero&password=secret&from=mHero&to=" + enc(to) + "&text=" + enc(text) + "&charset=UTF-8&coding=0"
                + (mask > 0 ? "&dlr-mask=" + mask + "&dlr-url=" + enc(dlrUrl) : "");
    }

    @Test
    void acceptsAndReportsDelivery8Then1AsObserved() throws Exception {
        kannel = KannelSimulator.start(KannelOptions.defaults());
        HttpResponse<String> r = get(send("+256700000001", "Hello health worker é", 31,
                rx.url() + "/dlr?msgid=abc123&status=%d&answer=%A&to=%p&ts=%T&fid=%F"));
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("0: Accepted for delivery");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html");
        List<Receiver.Got> dlrs = rx.take(2);
        assertThat(dlrs.get(0).method()).isEqualTo("GET");
        assertThat(dlrs.get(0).uri()).matches("/dlr\\?msgid=abc123&status=8&answer=ACK%2F&to=%2B256700000001&ts=\\d+&fid=");
        assertThat(dlrs.get(1).uri()).matches("/dlr\\?msgid=abc123&status=1&answer=&to=%2B256700000001&ts=\\d+&fid=[0-9a-f-]{36}");
        assertThat(kannel.log().textsTo("+256700000001")).containsExactly("Hello health worker é");
        // mask 3 gives only the final report
        get(send("+256700000001", "again", 3, rx.url() + "/dlr?id=m1&s=%d"));
        assertThat(rx.next().uri()).isEqualTo("/dlr?id=m1&s=1");
    }

    @Test
    void errorRepliesAreExact() throws Exception {
        kannel = KannelSimulator.start(KannelOptions.defaults().maxRecipients(2));
        HttpResponse<String> r = get("username=mhero&password=wrong&to=%2B256700000001&text=x");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("Authorization failed for sendsms");
        r = get("username=mhero&password=secret&text=x");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("Missing receiver number, rejected");
        assertThat(get("username=mhero&password=secret&to=abc&text=x").statusCode()).isEqualTo(400);
        assertThat(get(send("+1 +2 +3", "x", 0, null)).statusCode()).isEqualTo(400);
        kannel.bearerboxUp(false);
        r = get(send("+256700000001", "x", 0, null));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("Temporal failure, try again later.");
        kannel.bearerboxUp(true);
        kannel.faults().force5xx(1);
        r = get(send("+256700000001", "x", 0, null));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("Temporal failure, try again later.");
        assertThat(kannel.log().size()).isZero();
    }

    @Test
    void multiRecipientCountsPerRecipientAndPostWithHeaders() throws Exception {
        kannel = KannelSimulator.start(KannelOptions.defaults());
        assertThat(get(send("+231770000001 +231770000002", "Meeting at 10", 0, null)).statusCode()).isEqualTo(202);
        HttpResponse<String> p = HTTP.send(HttpRequest.newBuilder(URI.create(kannel.sendsmsUrl()))
                .header("X-Kannel-Username", "mhero").header("X-Kannel-Password", "secret").header("X-Kannel-To", "+231770000003")
                .header("X-Kannel-From", "mHero").header("Content-Type", "text/plain; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString("Posted text")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(p.statusCode()).isEqualTo(202);
        assertThat(kannel.log().size()).isEqualTo(3);
        assertThat(kannel.log().textsTo("+231770000002")).containsExactly("Meeting at 10");
        assertThat(kannel.log().textsTo("+231770000003")).containsExactly("Posted text");
        assertThat(kannel.log().duplicates()).isEmpty();
        get(send("+231770000002", "Meeting at 10", 0, null));
        assertThat(kannel.log().duplicates()).containsExactly("+231770000002 Meeting at 10 x2");
    }

    @Test
    void failureNumbersGiveDlr16Or8Then2() throws Exception {
        kannel = KannelSimulator.start(KannelOptions.defaults().failure("+231770000016", 16).failure("+231770000002", 2));
        get(send("+231770000016", "x", 31, rx.url() + "/dlr?s=%d&to=%p"));
        assertThat(rx.next().uri()).isEqualTo("/dlr?s=16&to=%2B231770000016");
        get(send("+231770000002", "y", 31, rx.url() + "/dlr?s=%d"));
        assertThat(rx.take(2)).extracting(Receiver.Got::uri).containsExactly("/dlr?s=8", "/dlr?s=2");
        assertThat(kannel.log().awaitDlrs(3, 2000)).isTrue();
        assertThat(kannel.log().dlrs()).extracting(SmsLog.Dlr::event).containsExactly("16", "8", "2");
    }

    @Test
    void acceptsFastButDeliversAtThroughput() throws Exception {
        kannel = KannelSimulator.start(KannelOptions.defaults().throughput(10));
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) assertThat(get(send("+23177000" + String.format("%04d", i), "m" + i, 0, null)).statusCode()).isEqualTo(202);
        assertThat(kannel.log().size()).isEqualTo(10);
        assertThat(kannel.log().delivered().size()).isLessThan(10);
        while (kannel.log().delivered().size() < 10) Thread.sleep(10);
        long deliveredMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(deliveredMs).isGreaterThanOrEqualTo(9 * 1000 / 10 - 20);
        assertThat(kannel.queued()).isZero();
    }

    @Test
    void smscDownQueuesThenDelivers() throws Exception {
        kannel = KannelSimulator.start(KannelOptions.defaults());
        kannel.smscUp(false);
        HttpResponse<String> r = get(send("+231770000001", "later", 1, rx.url() + "/dlr?s=%d"));
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("3: Queued for later delivery");
        Thread.sleep(150);
        assertThat(kannel.log().delivered()).isEmpty();
        kannel.smscUp(true);
        assertThat(rx.next().uri()).isEqualTo("/dlr?s=1");
    }

    @Test
    void moByGetUrlAndPostUrl() throws Exception {
        kannel = KannelSimulator.start(KannelOptions.defaults().moGetUrl(rx.url() + "/mo?from=%p&to=%P&text=%a&time=%t&smsc=%i&id=%I&kw=%k&rest=%r"));
        assertThat(kannel.sendMo("+256700000001", "15000", "STOCK 12 ORS 40 zinc")).isEqualTo(200);
        Receiver.Got g = rx.next();
        assertThat(g.method()).isEqualTo("GET");
        assertThat(g.uri()).matches("/mo\\?from=%2B256700000001&to=15000&text=STOCK\\+12\\+ORS\\+40\\+zinc"
                + "&time=\\d{4}-\\d{2}-\\d{2}\\+\\d{2}:\\d{2}:\\d{2}&smsc=FAKE&id=[0-9a-f-]{36}&kw=STOCK&rest=12\\+ORS\\+40\\+zinc");
        kannel.close();
        kannel = KannelSimulator.start(KannelOptions.defaults().moPostUrl(rx.url() + "/mo-post"));
        assertThat(kannel.sendMo("+256700000002", "15000", "post Jambo réponse")).isEqualTo(200);
        g = rx.next();
        assertThat(g.method()).isEqualTo("POST");
        assertThat(g.body()).isEqualTo("post Jambo réponse");
        assertThat(g.headers().getFirst("Content-Type")).isEqualTo("text/plain; charset=\"UTF-8\"");
        assertThat(g.headers().getFirst("X-Kannel-From")).isEqualTo("+256700000002");
        assertThat(g.headers().getFirst("X-Kannel-To")).isEqualTo("15000");
        assertThat(g.headers().getFirst("X-Kannel-SMSC")).isEqualTo("FAKE");
        assertThat(g.headers().getFirst("X-Kannel-Time")).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");
        assertThat(kannel.log().mos()).hasSize(1);
    }
}
