package org.mhero.broadcast;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP call to an SMS gateway (Kannel's sendsms, an aggregator's API) and what a call that got no answer means:
 * no connection made is safe to retry (nothing reached the gateway); no answer in time, or an answer that broke off,
 * is in doubt (the gateway may have sent), so the dispatcher does not send it again on its own. An answer is the
 * channel's to read ({@link Answer}).
 */
final class GatewayCall {
    /** Reads the gateway's answer: status and body. */
    interface Answer {
        SendResult read(int status, String body);
    }

    private GatewayCall() {}

    /** An HTTP/1.1 client that follows no redirect and gives up connecting after the request timeout (10 s at most). */
    static HttpClient client(int requestTimeoutMs) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofMillis(Math.min(requestTimeoutMs, 10_000))).build();
    }

    /** Sends {@code request}; {@code gateway} names it in the reasons ("Kannel", "the aggregator"). */
    static SendResult send(HttpClient http, HttpRequest request, String gateway, int requestTimeoutMs, Answer answer)
            throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return answer.read(response.statusCode(), response.body());
        } catch (HttpConnectTimeoutException e) {
            return SendResult.retry(gateway + " did not accept the connection within the timeout");
        } catch (HttpTimeoutException e) {
            return SendResult.inDoubt(gateway + " did not answer within " + requestTimeoutMs + " ms");
        } catch (ConnectException e) {
            return SendResult.retry("cannot connect to " + gateway + ": " + e.getClass().getSimpleName());
        } catch (IOException e) {
            return SendResult.inDoubt("the call to " + gateway + " broke off: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
