package org.mhero.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** HTTP Basic authentication in front of an {@link Authenticator}: 401 without or with bad credentials, 403 without the role. */
public final class BasicAuth {
    private final Authenticator authenticator;
    private final String realm;
    private final String role;

    /** @param realm named in the {@code WWW-Authenticate} challenge of a 401 */
    public BasicAuth(Authenticator authenticator, String realm, String role) {
        this.authenticator = authenticator;
        this.realm = realm;
        this.role = role;
    }

    /** The authenticated user name of an {@code Authorization} header value. */
    public String admit(String authorization) throws ApiProblem {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("authentication required (HTTP Basic)");
        }
        String a = authorization.strip();
        if (a.length() < 6 || !a.substring(0, 6).equalsIgnoreCase("basic ")) {
            throw unauthorized("only HTTP Basic authentication is accepted");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(a.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw unauthorized("the Basic credentials are not Base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) throw unauthorized("the Basic credentials have no user name");
        String user = decoded.substring(0, colon);
        return switch (authenticator.check(user, decoded.substring(colon + 1))) {
            case OK -> user;
            case BAD_CREDENTIALS -> throw unauthorized("wrong user name or password");
            case MISSING_ROLE -> throw new ApiProblem(403, "authorization", "user " + user + " does not have the role " + role);
        };
    }

    private ApiProblem unauthorized(String message) {
        return new ApiProblem(401, "authorization", message)
                .withHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
    }
}
