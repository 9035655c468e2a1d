package org.mhero.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AccountException;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.CredentialException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Logs a user into a JAAS realm (Karaf's {@code karaf} realm in production) and requires a role: a principal whose
 * class is named {@code RolePrincipal} (Karaf's {@code org.apache.karaf.jaas.boot.principal.RolePrincipal}, compared by
 * simple name so this bundle imports nothing of Karaf) with the role's name. A successful check is remembered for
 * {@code cacheMillis}, keyed by a SHA-256 of realm, user and password (never the password itself), so a busy client
 * does not run a login per request. Failures are not cached.
 *
 * <p>{@link LoginContext} loads the realm's login module classes through the thread context class loader. Inside
 * OSGi that is whatever the calling thread happens to have (a Jetty thread: our bundle, which cannot see Karaf's
 * {@code ProxyLoginModule}), so the login runs with {@code moduleLoader} as the context class loader: the system class
 * loader in Karaf, where {@code lib/boot} puts the JAAS proxy module.
 */
public final class JaasAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(JaasAuthenticator.class);
    private static final int MAX_CACHED = 1000;

    private final String realm;
    private final String role;
    private final Configuration configuration;
    private final ClassLoader moduleLoader;
    private final long cacheMillis;
    private final LongSupplier clock;
    private final Map<String, Long> admitted = new ConcurrentHashMap<>();

    /**
     * @param configuration the JAAS configuration, or null for the JVM's ({@link Configuration#getConfiguration()},
     *                      which Karaf replaces with its realms)
     */
    public JaasAuthenticator(String realm, String role, Configuration configuration, ClassLoader moduleLoader,
                             long cacheMillis, LongSupplier clock) {
        this.realm = realm;
        this.role = role;
        this.configuration = configuration;
        this.moduleLoader = moduleLoader;
        this.cacheMillis = cacheMillis;
        this.clock = clock;
    }

    @Override
    public Outcome check(String user, String password) {
        String key = key(user, password);
        long now = clock.getAsLong();
        Long until = admitted.get(key);
        if (until != null && until > now) return Outcome.OK;
        Outcome outcome = login(user, password);
        if (outcome == Outcome.OK && cacheMillis > 0) {
            if (admitted.size() >= MAX_CACHED) admitted.entrySet().removeIf(e -> e.getValue() <= now);
            if (admitted.size() >= MAX_CACHED) admitted.clear();
            admitted.put(key, now + cacheMillis);
        }
        return outcome;
    }

    private Outcome login(String user, String password) {
        Subject subject = new Subject();
        CallbackHandler handler = callbacks -> {
            for (Callback cb : callbacks) {
                if (cb instanceof NameCallback n) n.setName(user);
                else if (cb instanceof PasswordCallback p) p.setPassword(password.toCharArray());
                else throw new UnsupportedCallbackException(cb);
            }
        };
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(moduleLoader);
        try {
            LoginContext lc = configuration == null ? new LoginContext(realm, subject, handler)
                    : new LoginContext(realm, subject, handler, configuration);
            lc.login();
            boolean hasRole = false;
            for (Principal p : subject.getPrincipals()) {
                if (p.getClass().getSimpleName().equals("RolePrincipal") && role.equals(p.getName())) hasRole = true;
            }
            try {
                lc.logout();
            } catch (LoginException ignored) {
                // nothing is kept of the subject
            }
            return hasRole ? Outcome.OK : Outcome.MISSING_ROLE;
        } catch (FailedLoginException | AccountException | CredentialException e) {
            return Outcome.BAD_CREDENTIALS;
        } catch (LoginException e) {
            // the realm itself failed (unknown realm, a module that cannot be loaded): say so, without the user's input
            LOG.warn("JAAS realm '{}' could not check a login: {}: {}", realm, e.getClass().getSimpleName(), e.getMessage());
            LOG.debug("JAAS realm '{}' failure", realm, e);
            return Outcome.BAD_CREDENTIALS;
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    private String key(String user, String password) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(realm.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(user.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
