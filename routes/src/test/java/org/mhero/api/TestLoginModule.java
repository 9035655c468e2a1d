package org.mhero.api;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JAAS login module for tests, shaped like Karaf's PropertiesLoginModule: users with a password and roles, roles as
 * principals of a class named {@code RolePrincipal}. {@link #configuration} answers for one realm name.
 */
public final class TestLoginModule implements LoginModule {
    /** user -> "password,role1,role2" */
    public static final Map<String, String> USERS = Map.of("ops", "secret,mhero,viewer", "viewer", "secret,viewer");
    public static final AtomicInteger LOGINS = new AtomicInteger();

    public record RolePrincipal(String getName) implements Principal {}
    public record UserPrincipal(String getName) implements Principal {}

    private Subject subject;
    private CallbackHandler handler;
    private final List<Principal> principals = new ArrayList<>();

    /** The JAAS configuration this JVM had before {@link #install}; {@link #close} puts it back. */
    public record Installed(Configuration previous) implements AutoCloseable {
        @Override
        public void close() { Configuration.setConfiguration(previous); }
    }

    /** Makes {@link #configuration}(realm) the JVM's JAAS configuration until the returned handle is closed. */
    public static Installed install(String realm) {
        Configuration previous;
        try {
            previous = Configuration.getConfiguration();
        } catch (SecurityException e) {
            previous = null;
        }
        Configuration.setConfiguration(configuration(realm));
        return new Installed(previous);
    }

    public static Configuration configuration(String realm) {
        return new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                if (!realm.equals(name)) return null;
                return new AppConfigurationEntry[] {new AppConfigurationEntry(TestLoginModule.class.getName(),
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of())};
            }
        };
    }

    @Override
    public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        this.handler = handler;
    }

    @Override
    public boolean login() throws LoginException {
        LOGINS.incrementAndGet();
        NameCallback name = new NameCallback("user");
        PasswordCallback password = new PasswordCallback("password", false);
        try {
            handler.handle(new Callback[] {name, password});
        } catch (Exception e) {
            throw new LoginException(e.toString());
        }
        String entry = USERS.get(name.getName());
        if (entry == null) throw new FailedLoginException("no such user");
        String[] parts = entry.split(",");
        if (!parts[0].equals(new String(password.getPassword()))) throw new FailedLoginException("wrong password");
        principals.add(new UserPrincipal(name.getName()));
        for (int i = 1; i < parts.length; i++) principals.add(new RolePrincipal(parts[i]));
        return true;
    }

    @Override
    public boolean commit() {
        subject.getPrincipals().addAll(principals);
        return true;
    }

    @Override
    public boolean abort() {
        principals.clear();
        return true;
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeAll(principals);
        return true;
    }
}
