package org.mhero.api;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JaasAuthenticatorTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final JaasAuthenticator jaas = new JaasAuthenticator("karaf", "mhero", TestLoginModule.configuration("karaf"),
            JaasAuthenticatorTest.class.getClassLoader(), 30_000, now::get);

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void admitsAUserWithTheRoleAndRefusesTheOthers() {
        assertThat(jaas.check("ops", "secret")).isEqualTo(Authenticator.Outcome.OK);
        assertThat(jaas.check("viewer", "secret")).isEqualTo(Authenticator.Outcome.MISSING_ROLE);
        assertThat(jaas.check("ops", "wrong")).isEqualTo(Authenticator.Outcome.BAD_CREDENTIALS);
        assertThat(jaas.check("nobody", "secret")).isEqualTo(Authenticator.Outcome.BAD_CREDENTIALS);
    }

    @Test
    void anUnknownRealmAdmitsNobody() {
        var other = new JaasAuthenticator("elsewhere", "mhero", TestLoginModule.configuration("karaf"),
                getClass().getClassLoader(), 30_000, now::get);
        assertThat(other.check("ops", "secret")).isEqualTo(Authenticator.Outcome.BAD_CREDENTIALS);
    }

    @Test
    void remembersASuccessfulLoginForThirtySecondsButNeverAFailure() {
        int before = TestLoginModule.LOGINS.get();
        jaas.check("ops", "secret");
        jaas.check("ops", "secret");
        now.addAndGet(29_000);
        jaas.check("ops", "secret");
        assertThat(TestLoginModule.LOGINS.get() - before).as("one login within 30 s").isEqualTo(1);
        now.addAndGet(2_000);
        jaas.check("ops", "secret");
        assertThat(TestLoginModule.LOGINS.get() - before).as("logged in again after 30 s").isEqualTo(2);
        assertThat(jaas.check("ops", "Secret")).as("another password is not the cached one").isEqualTo(Authenticator.Outcome.BAD_CREDENTIALS);
        jaas.check("ops", "Secret");
        assertThat(TestLoginModule.LOGINS.get() - before).as("failures are checked every time").isEqualTo(4);
    }

    @Test
    void runsTheLoginWithTheModuleClassLoaderAndRestoresTheCallers() {
        ClassLoader mine = new ClassLoader(null) {};   // sees no test class: the login would fail with it
        Thread.currentThread().setContextClassLoader(mine);
        try {
            assertThat(jaas.check("viewer", "secret")).isEqualTo(Authenticator.Outcome.MISSING_ROLE);
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(mine);
        } finally {
            Thread.currentThread().setContextClassLoader(JaasAuthenticatorTest.class.getClassLoader());
        }
    }

    @Test
    void basicAuthAnswers401WithAChallengeAnd403WithoutTheRole() throws Exception {
        BasicAuth auth = new BasicAuth(jaas, "karaf", "mhero");
        assertThat(auth.admit(basic("ops", "secret"))).isEqualTo("ops");
        assertThat(auth.admit(basic("ops", "secret").replace("Basic", "basic"))).isEqualTo("ops");
        for (String h : new String[] {null, "", "Bearer abc", "Basic !!!", basic("ops", "nope"), "Basic " + Base64.getEncoder().encodeToString("ops".getBytes())}) {
            assertThatThrownBy(() -> auth.admit(h)).as(String.valueOf(h)).isInstanceOfSatisfying(ApiProblem.class, p -> {
                assertThat(p.status()).isEqualTo(401);
                assertThat(p.headers()).containsEntry("WWW-Authenticate", "Basic realm=\"karaf\", charset=\"UTF-8\"");
            });
        }
        assertThatThrownBy(() -> auth.admit(basic("viewer", "secret"))).isInstanceOfSatisfying(ApiProblem.class, p -> {
            assertThat(p.status()).isEqualTo(403);
            assertThat(p.getMessage()).contains("mhero");
        });
    }
}
