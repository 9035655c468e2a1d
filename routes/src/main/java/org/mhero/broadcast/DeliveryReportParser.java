package org.mhero.broadcast;

import java.util.List;
import java.util.Map;

/**
 * Reads a gateway's delivery report into the status model of contracts/sms-aggregators.md §11. The parameters are
 * those of the callback (query string, or the form of a POST) by name; a value given several times counts once (the
 * first). Throws {@link Malformed} for a report that cannot be understood (the intake answers 400).
 */
public final class DeliveryReportParser {
    private DeliveryReportParser() {}

    /** A Kannel report: the number {@code phone} (E.164) of hand-over {@code batchId}. */
    public record KannelReport(long batchId, String phone, DeliveryState state, String rawCode, String reason) {}

    /** A report that names the gateway's message id (Africa's Talking {@code id}). */
    public record MessageReport(String messageId, DeliveryState state, String rawCode, String reason) {}

    /** A report that cannot be understood; the message says why (it never quotes a number). */
    public static final class Malformed extends Exception {
        public Malformed(String message) { super(message); }
    }

    /**
     * Kannel's {@code dlr-url} call as {@link KannelChannel} asks for it: {@code batch}, {@code to} (%p), {@code type}
     * (%d), optionally {@code answer} (%A). Type 1 → delivered; 8 (SMSC accepted) and 4 (queued on the SMSC) → sent;
     * 2 (not delivered to the phone) and 16 (SMSC rejected) → failed, with the SMSC's answer as the reason.
     */
    public static KannelReport kannel(Map<String, ?> params) throws Malformed {
        String batch = first(params, "batch");
        String to = first(params, "to");
        String type = first(params, "type");
        if (batch == null || to == null || type == null) throw new Malformed("batch, to and type are required");
        long batchId;
        try {
            batchId = Long.parseLong(batch.trim());
        } catch (NumberFormatException e) {
            throw new Malformed("batch is not a number");
        }
        String phone = e164(to);
        if (phone == null) throw new Malformed("to is not a phone number");
        String answer = first(params, "answer");
        String code = type.trim();
        return switch (code) {
            case "1" -> new KannelReport(batchId, phone, DeliveryState.DELIVERED, code, null);
            case "4", "8" -> new KannelReport(batchId, phone, DeliveryState.SENT, code, null);
            case "2" -> new KannelReport(batchId, phone, DeliveryState.FAILED, code,
                    withAnswer("not delivered to the phone (Kannel DLR 2)", answer));
            case "16" -> new KannelReport(batchId, phone, DeliveryState.FAILED, code,
                    withAnswer("rejected by the SMSC (Kannel DLR 16)", answer));
            default -> throw new Malformed("type '" + shorten(code) + "' is not a Kannel DLR type (1, 2, 4, 8 or 16)");
        };
    }

    /**
     * An Africa's Talking delivery report (form POST): {@code id}, {@code status}, and {@code failureReason} for
     * Rejected and Failed. Success → delivered; Sent, Submitted, Buffered → sent; Rejected, Failed, Expired → failed.
     */
    public static MessageReport africasTalking(Map<String, ?> params) throws Malformed {
        String id = first(params, "id");
        String status = first(params, "status");
        if (id == null || id.isBlank() || status == null || status.isBlank()) throw new Malformed("id and status are required");
        String s = status.trim();
        String failure = first(params, "failureReason");
        DeliveryState state = switch (s) {
            case "Success" -> DeliveryState.DELIVERED;
            case "Sent", "Submitted", "Buffered" -> DeliveryState.SENT;
            case "Rejected", "Failed", "Expired" -> DeliveryState.FAILED;
            default -> throw new Malformed("status '" + shorten(s) + "' is not a known delivery status");
        };
        String reason = state == DeliveryState.FAILED
                ? (failure == null || failure.isBlank() ? s : s + ": " + shorten(failure.trim())) : null;
        return new MessageReport(id.trim(), state, s, reason);
    }

    /**
     * The number as Kannel echoes it, back in E.164: {@code +} and digits, spaces dropped, a {@code 00} international
     * prefix read as {@code +}. Null when it is not a plausible number.
     */
    static String e164(String raw) {
        String d = raw.trim().replaceAll("[\\s\\-()]", "");
        if (d.startsWith("+")) d = d.substring(1);
        else if (d.startsWith("00")) d = d.substring(2);
        if (!d.matches("[1-9][0-9]{5,14}")) return null;
        return "+" + d;
    }

    private static String withAnswer(String what, String answer) {
        return answer == null || answer.isBlank() ? what : what + ": " + shorten(answer.trim());
    }

    private static String shorten(String s) { return s.length() <= 120 ? s : s.substring(0, 120) + "…"; }

    /** The first value of a parameter (Camel gives a repeated query parameter as a list). */
    static String first(Map<String, ?> params, String name) {
        Object v = params.get(name);
        if (v instanceof List<?> l) v = l.isEmpty() ? null : l.get(0);
        return v == null ? null : v.toString();
    }
}
