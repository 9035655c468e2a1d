package org.mhero.sandbox.sms;

import java.util.LinkedHashMap;
import java.util.Map;

/** Settings of a {@link KannelSimulator}; the defaults mirror contracts/samples/sms/kannel-loopback-fakesmsc.conf. */
public final class KannelOptions {
    int port = 0;
    int threads = 8;
    String username = "mhero";
    String password = "secret";
    int maxRecipients = 0;
    double throughput = 0;
    String smscId = "FAKE";
    String sendsmsChars = "0123456789 +-";
    long dlrDelayMillis = 0;
    Map<String, Integer> failures = new LinkedHashMap<>();
    String moGetUrl;
    String moPostUrl;
    boolean sendSender = true;
    String moService = "default";

    public static KannelOptions defaults() { return new KannelOptions(); }

    public KannelOptions port(int port) { this.port = port; return this; }
    public KannelOptions threads(int threads) { this.threads = threads; return this; }
    /** The sendsms-user. */
    public KannelOptions user(String username, String password) { this.username = username; this.password = password; return this; }
    /** Recipients allowed in one space-separated {@code to} (0 = unlimited, as Kannel); above it: 400. */
    public KannelOptions maxRecipients(int n) { this.maxRecipients = n; return this; }
    /**
     * SMSC {@code throughput} in messages per second (0 = unlimited). As in Kannel, sendsms still accepts at once
     * (202) and queues; delivery to the SMSC, and so the DLRs, are paced at this rate.
     */
    public KannelOptions throughput(double tps) { this.throughput = tps; return this; }
    public KannelOptions smscId(String id) { this.smscId = id; return this; }
    /** Characters allowed in {@code to} (Kannel's {@code sendsms-chars}); others answer 400 "Garbage 'to' field". */
    public KannelOptions sendsmsChars(String chars) { this.sendsmsChars = chars; return this; }
    /** Pause between the SMSC accepting a message (DLR 8) and the handset report (DLR 1/2). */
    public KannelOptions dlrDelayMillis(long ms) { this.dlrDelayMillis = ms; return this; }
    /**
     * Makes a number fail: {@code 16} = rejected by the SMSC (DLR 16 only), {@code 2} = accepted by the SMSC but not
     * delivered to the phone (DLR 8 then 2).
     */
    public KannelOptions failure(String number, int dlrType) {
        if (dlrType != 2 && dlrType != 16) throw new IllegalArgumentException("DLR failure type must be 2 or 16");
        failures.put(number, dlrType);
        return this;
    }
    /** sms-service get-url template, e.g. {@code http://127.0.0.1:18080/mo?from=%p&to=%P&text=%a&time=%t&smsc=%i&id=%I}. */
    public KannelOptions moGetUrl(String template) { this.moGetUrl = template; this.moPostUrl = null; return this; }
    /** sms-service post-url template: text as body, metadata in X-Kannel-* headers. */
    public KannelOptions moPostUrl(String template) { this.moPostUrl = template; this.moGetUrl = null; return this; }
    /** post-url {@code send-sender} (adds X-Kannel-From); default true. */
    public KannelOptions sendSender(boolean b) { this.sendSender = b; return this; }
}
