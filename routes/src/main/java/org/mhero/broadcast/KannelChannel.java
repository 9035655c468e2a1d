package org.mhero.broadcast;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The Kannel channel: one {@code sendsms} GET per batch (contracts/sms-aggregators.md §1–2), with every number of the
 * batch in {@code to}, separated by spaces. A batch is exactly one request ({@link #batchSize()} =
 * {@code kannel.max.recipients}), so one {@code delivery_batch} row is one hand-over: Kannel answers once for the whole
 * request, and when that answer is missing (a timeout) exactly the numbers of that request are in doubt.
 *
 * <p><b>Delivery reports.</b> Kannel calls {@code dlr-url} once per number and event. The URL carries the batch id,
 * and Kannel fills in the number ({@code %p}), the event ({@code %d}), the SMSC's id ({@code %F}) and its answer
 * ({@code %A}): {@code <dlr.base.url>/dlr/kannel?token=…&batch=<id>&to=%p&type=%d&fid=%F&answer=%A}. Batch id plus
 * number find the delivery, because a broadcast never messages one number twice (resolution skips the second holder).
 * One request per number with our delivery id in the URL would have worked too, but costs one HTTP round trip per
 * message instead of one per {@code kannel.max.recipients}; and the batch id is written before the call, so a report
 * that overtakes Kannel's own 202 still finds its delivery.
 *
 * <p><b>Answers</b> (§1, §11): 202 {@code 0: Accepted} or {@code 3: Queued} (Kannel keeps it in its store) → ACCEPTED;
 * 400 and 403 → FAILED for good, with Kannel's text; 503 and a refused connection → RETRY; any other 4xx → RETRY (the
 * request was refused before anything was queued, most likely a wrong {@code kannel.url}: the deliveries go dead after
 * the configured attempts and can be replayed once fixed); a timeout or another 5xx → IN_DOUBT. Kannel cannot be asked
 * what it did with a request, so {@link #reconcile} stays {@code CANNOT_TELL} and in-doubt deliveries are never re-sent
 * by themselves (a delivery report still settles them).
 *
 * <p><b>Text.</b> Always sent as UTF-8 ({@code charset=UTF-8}); text outside the GSM alphabet also gets {@code coding=2}
 * (UCS-2), as RapidPro's Kannel driver does.
 *
 * <p><b>Why java.net.http and not camel-http.</b> The outcome depends on <em>how</em> a call failed: a refused or timed
 * out connect certainly sent nothing (RETRY), a timeout after the request was written may have been taken (IN_DOUBT).
 * The JDK client reports those as distinct exception types ({@link ConnectException}, {@link HttpConnectTimeoutException},
 * {@link HttpTimeoutException}) and returns every status without throwing; the channel is a plain class the
 * {@code channel} route template calls as a bean, with no per-call route of its own, as {@code RapidProClient} does. One
 * client per channel instance is shared by every call and dispatch worker.
 *
 * <p>Numbers and texts are never logged at INFO.
 */
public final class KannelChannel implements Channel {
    public static final String NAME = "kannel";
    private static final Logger LOG = LoggerFactory.getLogger(KannelChannel.class);

    private final ChannelSettings.Kannel settings;
    private final String dlrBaseUrl;
    private final String dlrToken;
    private final HttpClient http;
    private final Pacer pacer;

    public KannelChannel(ChannelSettings.Kannel settings, String dlrBaseUrl, String dlrToken) {
        this.settings = settings;
        this.dlrBaseUrl = dlrBaseUrl;
        this.dlrToken = dlrToken;
        this.http = GatewayCall.client(settings.requestTimeoutMs());
        this.pacer = new Pacer(settings.tps(), 0, Pacer.SYSTEM);
    }

    @Override public String name() { return NAME; }
    @Override public int batchSize() { return settings.maxRecipients(); }

    @Override
    public SendResult send(Batch batch) throws InterruptedException {
        if (!(batch.content() instanceof Content.Text text)) {
            return SendResult.failed("Kannel sends texts only; flows go through RapidPro");
        }
        Map<Long, SendResult.RecipientResult> noPhone = new HashMap<>();
        StringBuilder to = new StringBuilder();
        for (Recipient r : batch.recipients()) {
            if (r.phone() == null || r.phone().isBlank()) {
                noPhone.put(r.deliveryId(), new SendResult.RecipientResult(SendResult.Outcome.FAILED, null, "no phone number"));
            } else {
                if (to.length() > 0) to.append(' ');
                to.append(r.phone());
            }
        }
        if (to.length() == 0) return new SendResult(SendResult.Outcome.FAILED, null, "no phone number", noPhone);
        pacer.acquire(batch.size() - noPhone.size());
        URI uri = URI.create(settings.url() + "?" + query(settings, to.toString(), text.text(), dlrUrl(batch.id())));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(settings.requestTimeoutMs())).GET().build();
        SendResult result = GatewayCall.send(http, request, "Kannel", settings.requestTimeoutMs(), KannelChannel::interpret);
        LOG.debug("Kannel batch {} ({} numbers): {} {}", batch.id(), batch.size(), result.outcome(), result.reason());
        if (noPhone.isEmpty()) return result;
        return new SendResult(result.outcome(), result.externalId(), result.reason(), noPhone);
    }

    /** The callback Kannel expands per number and event (see the class comment). */
    String dlrUrl(long batchId) {
        return dlrBaseUrl + "/dlr/kannel?token=" + enc(dlrToken) + "&batch=" + batchId + "&to=%p&type=%d&fid=%F&answer=%A";
    }

    /** The sendsms query string: credentials, sender, numbers, text and coding, delivery report mask and URL. */
    static String query(ChannelSettings.Kannel s, String to, String text, String dlrUrl) {
        StringBuilder q = new StringBuilder();
        q.append("username=").append(enc(s.username())).append("&password=").append(enc(s.password()));
        if (s.from() != null && !s.from().isBlank()) q.append("&from=").append(enc(s.from()));
        q.append("&to=").append(enc(to)).append("&text=").append(enc(text)).append("&charset=UTF-8");
        if (!GsmAlphabet.isGsm7(text)) q.append("&coding=2");
        if (s.dlrMask() > 0) q.append("&dlr-mask=").append(s.dlrMask()).append("&dlr-url=").append(enc(dlrUrl));
        return q.toString();
    }

    /** What Kannel's answer means (contracts/sms-aggregators.md §1 and §11). */
    static SendResult interpret(int status, String body) {
        String answer = "HTTP " + status + " " + shorten(body);
        if (status >= 200 && status < 300) return SendResult.accepted(null);
        if (status == 400 || status == 403) return SendResult.failed("Kannel refused it: " + answer);
        if (status == 503) return SendResult.retry("Kannel: " + answer);
        if (status >= 400 && status < 500) return SendResult.retry("Kannel refused the request (check kannel.url): " + answer);
        return SendResult.inDoubt("Kannel: " + answer);
    }

    static String shorten(String body) {
        if (body == null) return "";
        String s = body.strip().replaceAll("\\s+", " ");
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    static String enc(String s) { return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8); }
}
