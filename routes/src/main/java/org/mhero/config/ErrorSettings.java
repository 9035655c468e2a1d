package org.mhero.config;

/** {@code etc/org.mhero.errors.cfg}: the one retry policy for technical errors (timeouts, 5xx, connection refused). */
public record ErrorSettings(int maxRedeliveries, long initialDelayMs, double backoffMultiplier, long maxDelayMs) {
    public static final String PID = "org.mhero.errors";

    public static ErrorSettings from(Pid p) {
        int max = p.integer("redelivery.max", 0, 100);
        int delay = p.integer("redelivery.delay.ms", 0, 3_600_000);
        String mult = p.string("redelivery.backoff.multiplier");
        double m = 2.0;
        try {
            if (mult != null) m = Double.parseDouble(mult);
            if (m < 1.0) p.problem("redelivery.backoff.multiplier", "= " + mult + " must be at least 1.0");
        } catch (NumberFormatException e) {
            p.problem("redelivery.backoff.multiplier", "= '" + mult + "' is not a number");
        }
        int maxDelay = p.integer("redelivery.max.delay.ms", 0, 3_600_000);
        return new ErrorSettings(max, delay, m, maxDelay);
    }
}
