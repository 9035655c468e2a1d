package org.mhero.broadcast;

import org.junit.jupiter.api.Test;
import org.mhero.testing.ShippedConfig;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a call to an SMS gateway that got no answer means, against real sockets: nothing listening is safe to retry;
 * no answer in time or an answer that breaks off is in doubt (the gateway may have sent); an answer is the channel's.
 */
class GatewayCallTest {
    static final int TIMEOUT_MS = 400;

    static SendResult call(int port) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cgi-bin/sendsms?to=x"))
                .timeout(Duration.ofMillis(TIMEOUT_MS)).GET().build();
        return GatewayCall.send(GatewayCall.client(TIMEOUT_MS), request, "Kannel", TIMEOUT_MS,
                (status, body) -> status == 202 ? SendResult.accepted(body.trim()) : SendResult.failed("HTTP " + status));
    }

    /** A one-connection server that does {@code what} with the accepted socket, on its own thread. */
    static ServerSocket server(Consumer<Socket> what) throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                what.accept(s);
            } catch (Exception ignored) {
                // the test closed the server
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    static void readRequestHead(Socket s) {
        try {
            InputStream in = s.getInputStream();
            int state = 0;   // until the empty line: \r\n\r\n
            while (state < 4) {
                int b = in.read();
                if (b < 0) return;
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void nothingListeningIsSafeToRetry() throws Exception {
        SendResult r = call(ShippedConfig.freePort());
        assertThat(r.outcome()).isEqualTo(SendResult.Outcome.RETRY);
        assertThat(r.reason()).isEqualTo("cannot connect to Kannel: ConnectException");
    }

    @Test
    void noAnswerInTimeIsInDoubt() throws Exception {
        try (ServerSocket server = server(s -> {
            readRequestHead(s);
            try {
                Thread.sleep(5_000);   // never answers within the timeout
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        })) {
            SendResult r = call(server.getLocalPort());
            assertThat(r.outcome()).isEqualTo(SendResult.Outcome.IN_DOUBT);
            assertThat(r.reason()).isEqualTo("Kannel did not answer within " + TIMEOUT_MS + " ms");
        }
    }

    @Test
    void anAnswerThatBreaksOffIsInDoubt() throws Exception {
        try (ServerSocket server = server(s -> {
            readRequestHead(s);
            try {
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 202 Accepted\r\nContent-Length: 100\r\n\r\n0: Accep".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })) {
            SendResult r = call(server.getLocalPort());
            assertThat(r.outcome()).isEqualTo(SendResult.Outcome.IN_DOUBT);
            assertThat(r.reason()).startsWith("the call to Kannel broke off: ");
        }
    }

    @Test
    void anAnswerIsReadByTheChannel() throws Exception {
        AtomicReference<String> requestLine = new AtomicReference<>();
        try (ServerSocket server = server(s -> {
            try {
                InputStream in = s.getInputStream();
                StringBuilder line = new StringBuilder();
                for (int b; (b = in.read()) != '\r' && b >= 0; ) line.append((char) b);
                requestLine.set(line.toString());
                readRequestHead(s);
                byte[] body = "0: Accepted for delivery".getBytes(StandardCharsets.US_ASCII);
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 202 Accepted\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })) {
            SendResult r = call(server.getLocalPort());
            assertThat(r.outcome()).isEqualTo(SendResult.Outcome.ACCEPTED);
            assertThat(r.externalId()).isEqualTo("0: Accepted for delivery");
            assertThat(requestLine.get()).isEqualTo("GET /cgi-bin/sendsms?to=x HTTP/1.1");
        }
    }
}
