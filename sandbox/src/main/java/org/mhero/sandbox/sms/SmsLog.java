package org.mhero.sandbox.sms;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an SMS simulator accepted, per recipient (a multi-recipient request counts once per number), and the
 * delivery-report callbacks it made. Tests use it to assert exactly-once delivery.
 */
public final class SmsLog {
    /** One accepted message to one recipient. {@code id} is the gateway's id (Kannel %I, AT messageId). */
    public record Message(String id, String from, String to, String text, Instant acceptedAt, String ourRef) {}

    /** One delivery-report callback made (or attempted: {@code httpStatus} -1 when the call failed). */
    public record Dlr(String messageId, String to, String event, String url, int httpStatus, Instant at) {}

    /** One MO the simulator pushed to the integration. */
    public record Mo(String id, String from, String to, String text, String url, int httpStatus, Instant at) {}

    private final List<Message> messages = new ArrayList<>();
    private final List<Dlr> dlrs = new ArrayList<>();
    private final List<Mo> mos = new ArrayList<>();
    private final List<Message> delivered = new ArrayList<>();

    synchronized void accepted(Message m) { messages.add(m); }
    synchronized void delivered(Message m) { delivered.add(m); }
    synchronized void dlr(Dlr d) { dlrs.add(d); notifyAll(); }
    synchronized void mo(Mo m) { mos.add(m); }

    public synchronized List<Message> messages() { return List.copyOf(messages); }
    /** Messages that reached the (simulated) SMSC, in delivery order; paced by the throughput limit. */
    public synchronized List<Message> delivered() { return List.copyOf(delivered); }
    public synchronized List<Dlr> dlrs() { return List.copyOf(dlrs); }
    public synchronized List<Mo> mos() { return List.copyOf(mos); }
    public synchronized List<Message> to(String number) { return messages.stream().filter(m -> m.to().equals(number)).toList(); }
    public synchronized List<String> textsTo(String number) { return to(number).stream().map(Message::text).toList(); }
    /** How many times each (recipient, text) pair was accepted: every value is 1 when delivery was exactly-once. */
    public synchronized Map<String, Integer> countsByRecipientAndText() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Message x : messages) m.merge(x.to() + " " + x.text(), 1, Integer::sum);
        return m;
    }
    /** (recipient, text) pairs accepted more than once. */
    public synchronized List<String> duplicates() {
        List<String> d = new ArrayList<>();
        countsByRecipientAndText().forEach((k, v) -> { if (v > 1) d.add(k + " x" + v); });
        return d;
    }
    public synchronized int size() { return messages.size(); }
    public synchronized void clear() { messages.clear(); dlrs.clear(); mos.clear(); delivered.clear(); }

    /** Waits until at least {@code n} DLR callbacks were made; false on timeout. */
    public synchronized boolean awaitDlrs(int n, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (dlrs.size() < n) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) return false;
            wait(left);
        }
        return true;
    }
}
