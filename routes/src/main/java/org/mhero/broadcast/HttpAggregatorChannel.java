package org.mhero.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An Africa's Talking-style HTTP aggregator (contracts/sms-aggregators.md §8): one form POST per batch with every
 * number of the batch in {@code to}, comma-separated ({@link #batchSize()} = {@code http-aggregator.max.recipients}),
 * the {@code apiKey} header and {@code Accept: application/json}.
 *
 * <p>The reply says what happened to each number ({@code SMSMessageData.Recipients}): {@code statusCode} 100, 101 or
 * 102 → ACCEPTED with the gateway's {@code messageId} (kept for delivery reports); 401–407 and 502 → FAILED with the
 * status text; 500 and 501 → RETRY for that number only; other codes ≥ 400 → FAILED. A number the reply does not
 * mention is in doubt. For the request as a whole: a refused connection or 429 → RETRY; 400, 401 and 403 → FAILED (a
 * bad request or credentials; the text is kept); other 4xx → RETRY (most likely a wrong URL); 5xx, a timeout after the
 * request was written, or a 2xx that cannot be read → IN_DOUBT. The aggregator cannot be asked about a request, so
 * {@link #reconcile} stays {@code CANNOT_TELL}. java.net.http for the reasons given on {@link KannelChannel}.
 *
 * <p>Numbers and texts are never logged at INFO.
 */
public final class HttpAggregatorChannel implements Channel {
    public static final String NAME = "http-aggregator";
    private static final Logger LOG = LoggerFactory.getLogger(HttpAggregatorChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Integer> ACCEPTED = Set.of(100, 101, 102);
    private static final Set<Integer> RETRYABLE = Set.of(500, 501);

    private final ChannelSettings.HttpAggregator settings;
    private final HttpClient http;
    private final Pacer pacer;

    public HttpAggregatorChannel(ChannelSettings.HttpAggregator settings) {
        this.settings = settings;
        this.http = GatewayCall.client(settings.requestTimeoutMs());
        this.pacer = new Pacer(settings.tps(), 0, Pacer.SYSTEM);
    }

    @Override public String name() { return NAME; }
    @Override public int batchSize() { return settings.maxRecipients(); }

    @Override
    public SendResult send(Batch batch) throws InterruptedException {
        if (!(batch.content() instanceof Content.Text text)) {
            return SendResult.failed("the HTTP aggregator sends texts only; flows go through RapidPro");
        }
        List<String> numbers = batch.recipients().stream().map(Recipient::phone).filter(p -> p != null && !p.isBlank()).toList();
        if (numbers.isEmpty()) return SendResult.failed("no phone number");
        pacer.acquire(numbers.size());
        StringBuilder form = new StringBuilder();
        form.append("username=").append(enc(settings.username())).append("&to=").append(enc(String.join(",", numbers)))
                .append("&message=").append(enc(text.text()));
        if (settings.from() != null && !settings.from().isBlank()) form.append("&from=").append(enc(settings.from()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(settings.url()))
                .timeout(Duration.ofMillis(settings.requestTimeoutMs()))
                .header("apiKey", settings.apiKey() == null ? "" : settings.apiKey())
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString(), StandardCharsets.UTF_8)).build();
        SendResult result = GatewayCall.send(http, request, "the aggregator", settings.requestTimeoutMs(),
                (status, body) -> interpret(status, body, batch.recipients()));
        LOG.debug("HTTP aggregator batch {} ({} numbers): {} {}", batch.id(), batch.size(), result.outcome(), result.reason());
        return result;
    }

    /** What the aggregator's answer means for the request and for each recipient. */
    static SendResult interpret(int status, String body, List<Recipient> recipients) {
        String answer = "HTTP " + status + " " + KannelChannel.shorten(body);
        if (status == 429) return SendResult.retry("the aggregator throttled the request: " + answer);
        if (status == 400 || status == 401 || status == 403) return SendResult.failed("the aggregator refused it: " + answer);
        if (status >= 400 && status < 500) return SendResult.retry("the aggregator refused the request (check http-aggregator.url): " + answer);
        if (status < 200 || status >= 300) return SendResult.inDoubt("the aggregator: " + answer);
        JsonNode data;
        try {
            data = JSON.readTree(body).path("SMSMessageData");
        } catch (IOException | RuntimeException e) {
            data = null;
        }
        JsonNode entries = data == null ? null : data.path("Recipients");
        if (entries == null || !entries.isArray()) {
            return SendResult.inDoubt("the aggregator answered HTTP " + status + " without a readable recipient list");
        }
        Map<String, Deque<JsonNode>> byNumber = new HashMap<>();
        for (JsonNode e : entries) byNumber.computeIfAbsent(digits(e.path("number").asText("")), k -> new ArrayDeque<>()).add(e);
        Map<Long, SendResult.RecipientResult> per = new HashMap<>();
        boolean anyAccepted = false, anyRetry = false, anyDoubt = false;
        for (Recipient r : recipients) {
            Deque<JsonNode> q = r.phone() == null ? null : byNumber.get(digits(r.phone()));
            JsonNode e = q == null ? null : q.poll();
            SendResult.RecipientResult rr;
            if (r.phone() == null || r.phone().isBlank()) {
                rr = new SendResult.RecipientResult(SendResult.Outcome.FAILED, null, "no phone number");
            } else if (e == null) {
                rr = new SendResult.RecipientResult(SendResult.Outcome.IN_DOUBT, null, "the aggregator's answer does not mention this number");
            } else {
                rr = recipient(e);
            }
            switch (rr.outcome()) {
                case ACCEPTED -> anyAccepted = true;
                case RETRY -> anyRetry = true;
                case IN_DOUBT -> anyDoubt = true;
                default -> { }
            }
            per.put(r.deliveryId(), rr);
        }
        // a recipient in doubt keeps the batch open, so that the reconciliation settles it
        SendResult.Outcome batch = anyDoubt ? SendResult.Outcome.IN_DOUBT : anyAccepted ? SendResult.Outcome.ACCEPTED
                : anyRetry ? SendResult.Outcome.RETRY : SendResult.Outcome.FAILED;
        String message = data.path("Message").isTextual() ? KannelChannel.shorten(data.path("Message").asText()) : null;
        return new SendResult(batch, null, batch == SendResult.Outcome.ACCEPTED ? null : message, per);
    }

    /** One entry of {@code SMSMessageData.Recipients}. */
    static SendResult.RecipientResult recipient(JsonNode e) {
        int code = e.path("statusCode").asInt(-1);
        String status = e.path("status").asText("");
        String messageId = e.path("messageId").asText(null);
        boolean hasId = messageId != null && !messageId.isBlank() && !messageId.equals("None");
        String why = (status.isBlank() ? "statusCode " + code : status + " (statusCode " + code + ")");
        if (ACCEPTED.contains(code)) {
            return hasId ? new SendResult.RecipientResult(SendResult.Outcome.ACCEPTED, messageId, null)
                    : new SendResult.RecipientResult(SendResult.Outcome.IN_DOUBT, null, why + " without a messageId");
        }
        if (RETRYABLE.contains(code)) return new SendResult.RecipientResult(SendResult.Outcome.RETRY, null, "the aggregator: " + why);
        if (code >= 400) return new SendResult.RecipientResult(SendResult.Outcome.FAILED, null, "the aggregator refused it: " + why);
        return hasId ? new SendResult.RecipientResult(SendResult.Outcome.ACCEPTED, messageId, null)
                : new SendResult.RecipientResult(SendResult.Outcome.FAILED, null, "the aggregator: " + why);
    }

    /** Only the digits: numbers are compared without their {@code +}. */
    static String digits(String phone) { return phone.replaceAll("[^0-9]", ""); }

    static String enc(String s) { return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8); }
}
