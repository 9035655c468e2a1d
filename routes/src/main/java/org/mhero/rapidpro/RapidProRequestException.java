package org.mhero.rapidpro;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * RapidPro refused the request (4xx other than 429): retrying the same request cannot succeed. Carries the status and
 * the parsed error entries (key + list index); {@link #getMessage()} names keys and indexes but not the server's
 * messages, which may quote URNs (phone numbers). Read {@link #errors()} for those.
 */
public class RapidProRequestException extends RapidProException {
    private final List<ApiError> errors;

    public RapidProRequestException(String method, String endpoint, int status, List<ApiError> errors) {
        super(method, endpoint, status, method + " " + endpoint + " refused: HTTP " + status
                + (errors.isEmpty() ? "" : " " + errors.stream().map(ApiError::toString).collect(Collectors.joining(", "))), null);
        this.errors = List.copyOf(errors);
    }

    public List<ApiError> errors() { return errors; }

    /** The first error with this key ({@code urns}, {@code fields}, {@code non_field_errors}, {@code detail}, …). */
    public Optional<ApiError> error(String key) {
        return errors.stream().filter(e -> e.key().equals(key)).findFirst();
    }

    public boolean hasError(String key) { return error(key).isPresent(); }

    /** The list index of the first error with this key, if it is a per-item error. */
    public Optional<Integer> index(String key) {
        return error(key).map(ApiError::index);
    }

    @Override
    public boolean retryable() { return false; }
}
