package org.mhero.api;

/** Checks a user name and password, and whether the user holds the API's role. */
public interface Authenticator {
    enum Outcome { OK, BAD_CREDENTIALS, MISSING_ROLE }

    Outcome check(String user, String password);
}
