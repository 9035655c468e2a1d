package org.mhero.rapidpro;

/**
 * A failed RapidPro call. Messages carry the method, the endpoint, the status and error keys only: never the token,
 * URNs (phone numbers) or names, so the exception can be logged at any level.
 */
public abstract class RapidProException extends RuntimeException {
    private final String method;
    private final String endpoint;
    private final int status;

    protected RapidProException(String method, String endpoint, int status, String message, Throwable cause) {
        super(message, cause);
        this.method = method;
        this.endpoint = endpoint;
        this.status = status;
    }

    public String method() { return method; }
    /** The endpoint name, e.g. {@code contacts.json} (no query: it may hold a URN). */
    public String endpoint() { return endpoint; }
    /** The HTTP status, 0 when there was no response (connection refused, timeout). */
    public int status() { return status; }
    /** Whether the same request may succeed later (5xx, timeouts, 429 after the last attempt). */
    public abstract boolean retryable();
}
