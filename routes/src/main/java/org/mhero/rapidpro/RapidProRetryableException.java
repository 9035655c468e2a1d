package org.mhero.rapidpro;

import java.time.Duration;

/**
 * A technical failure worth retrying with backoff (the Camel error policy does that): 5xx, no response (connection
 * refused, timeout), or still throttled (429) after the client's own bounded attempts. {@link #retryAfter()} holds
 * the server's last {@code Retry-After} for a 429.
 */
public class RapidProRetryableException extends RapidProException {
    private final Duration retryAfter;

    public RapidProRetryableException(String method, String endpoint, int status, String message, Duration retryAfter, Throwable cause) {
        super(method, endpoint, status, message, cause);
        this.retryAfter = retryAfter;
    }

    /** The server's Retry-After for a 429, else null. */
    public Duration retryAfter() { return retryAfter; }

    @Override
    public boolean retryable() { return true; }
}
