package org.mhero.broadcast;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.Map;

/**
 * The intake of gateways' delivery reports (routes {@code delivery-reports.*} call it with the request's parameters):
 * checks the shared {@code dlr.token} (constant time), reads the report ({@link DeliveryReportParser}) and moves the
 * delivery forward ({@link OutboxStore}, forward only). The answer: 200 when the report was understood, whether it
 * changed anything or not (an unknown or stale report is logged at DEBUG and dropped, so the gateway does not call
 * again); 400 when it cannot be understood; 401 without the right token; 503 when the database cannot be reached.
 *
 * <p>Africa's Talking may report before mHero has recorded the {@code messageId} of the hand-over (the report races the
 * reply to the send call). A report whose id is unknown while a hand-over on that channel is still being recorded is
 * tried again for up to {@code graceMillis}.
 */
public final class DeliveryReports {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryReports.class);

    /** What the route answers: the HTTP status and a short text. */
    public record Reply(int status, String text) {}

    static final Reply OK = new Reply(200, "OK");
    static final Reply UNAUTHORIZED = new Reply(401, "unauthorized");
    static final Reply UNAVAILABLE = new Reply(503, "try again later");

    private final OutboxStore outbox;
    private final byte[] token;
    private final boolean tokenSet;
    private final long graceMillis;

    public DeliveryReports(OutboxStore outbox, String token, long graceMillis) {
        this.outbox = outbox;
        this.token = digest(token == null ? "" : token);
        this.tokenSet = token != null && !token.isBlank();
        this.graceMillis = graceMillis;
    }

    /** {@code GET /dlr/kannel?token=…&batch=…&to=%p&type=%d&fid=%F&answer=%A}. */
    public Reply kannel(Map<String, Object> params) {
        if (!authorized(params, "kannel")) return UNAUTHORIZED;
        DeliveryReportParser.KannelReport r;
        try {
            r = DeliveryReportParser.kannel(params);
        } catch (DeliveryReportParser.Malformed e) {
            LOG.warn("Kannel delivery report refused (400): {}", e.getMessage());
            return new Reply(400, e.getMessage());
        }
        try {
            if (!outbox.reportByBatchAndPhone(KannelChannel.NAME, r.batchId(), r.phone(), r.state(), r.rawCode(), r.reason())) {
                LOG.debug("Kannel delivery report {} for batch {} ignored: no such delivery, or it is already further along",
                        r.rawCode(), r.batchId());
            }
            return OK;
        } catch (SQLException e) {
            LOG.warn("Kannel delivery report for batch {} not recorded (answered 503): {}", r.batchId(), org.mhero.store.Failures.describe(e));
            return UNAVAILABLE;
        }
    }

    /** {@code POST /dlr/africastalking?token=…} with the form {@code id}, {@code status}, {@code failureReason}, …. */
    public Reply africasTalking(Map<String, Object> params) throws InterruptedException {
        if (!authorized(params, "africastalking")) return UNAUTHORIZED;
        DeliveryReportParser.MessageReport r;
        try {
            r = DeliveryReportParser.africasTalking(params);
        } catch (DeliveryReportParser.Malformed e) {
            LOG.warn("Africa's Talking delivery report refused (400): {}", e.getMessage());
            return new Reply(400, e.getMessage());
        }
        String channel = HttpAggregatorChannel.NAME;
        try {
            long deadline = System.nanoTime() + graceMillis * 1_000_000L;
            while (true) {
                if (outbox.reportByMessageId(channel, r.messageId(), r.state(), r.rawCode(), r.reason())) return OK;
                if (outbox.knowsMessageId(channel, r.messageId())) {
                    LOG.debug("Delivery report {} for message {} ignored: the delivery is already further along", r.rawCode(), r.messageId());
                    return OK;
                }
                if (System.nanoTime() >= deadline || !outbox.handingOver(channel)) {
                    LOG.debug("Delivery report {} for unknown message {} ignored", r.rawCode(), r.messageId());
                    return OK;
                }
                Thread.sleep(50);
            }
        } catch (SQLException e) {
            LOG.warn("Delivery report for message {} not recorded (answered 503): {}", r.messageId(), org.mhero.store.Failures.describe(e));
            return UNAVAILABLE;
        }
    }

    private boolean authorized(Map<String, Object> params, String gateway) {
        String given = DeliveryReportParser.first(params, "token");
        boolean ok = tokenSet && given != null && MessageDigest.isEqual(digest(given), token);
        if (!ok) LOG.warn("Delivery report on /dlr/{} refused (401): {} token", gateway, given == null ? "no" : "wrong");
        return ok;
    }

    /** Fixed-length digests, so that the comparison takes the same time whatever the lengths. */
    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
