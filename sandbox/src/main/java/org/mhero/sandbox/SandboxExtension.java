package org.mhero.sandbox;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.dhis2.Dhis2Options;
import org.mhero.sandbox.dhis2.Dhis2Simulator;
import org.mhero.sandbox.ihris.IhrisOptions;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.sandbox.sms.AfricasTalkingSimulator;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;

import java.util.Map;
import java.util.function.Supplier;

/**
 * JUnit 5: starts, per test class, only the peers a test asks for as parameters (of {@code @BeforeAll}, constructors
 * or test methods), each on a free loopback port with its defaults, and stops them after the class.
 * <pre>
 * {@literal @}ExtendWith(SandboxExtension.class)
 * class MyTest {
 *   {@literal @}Test void x(IhrisSandbox ihris, RapidProSimulator rapidpro, TestDatabase db) { ... }
 * }
 * </pre>
 * Tests needing other options start the simulators themselves: every one has a static {@code start(options)}.
 */
public final class SandboxExtension implements ParameterResolver {
    /** iHRIS size when a test does not start its own. */
    public static final int DEFAULT_PRACTITIONERS = 100;

    private static final Map<Class<?>, Supplier<AutoCloseable>> FACTORIES = Map.of(
            IhrisSandbox.class, () -> IhrisSandbox.start(IhrisOptions.defaults(DEFAULT_PRACTITIONERS)),
            RapidProSimulator.class, () -> RapidProSimulator.start(RapidProOptions.defaults()),
            Dhis2Simulator.class, () -> Dhis2Simulator.start(Dhis2Options.defaults()),
            KannelSimulator.class, () -> KannelSimulator.start(KannelOptions.defaults()),
            AfricasTalkingSimulator.class, () -> AfricasTalkingSimulator.start(AfricasTalkingSimulator.options()),
            TestDatabase.class, TestDatabase::new);

    private static ExtensionContext.Store store(ExtensionContext ctx) {
        ExtensionContext classCtx = ctx;
        while (classCtx.getTestMethod().isPresent() && classCtx.getParent().isPresent()) classCtx = classCtx.getParent().get();
        return classCtx.getStore(ExtensionContext.Namespace.create(SandboxExtension.class, classCtx.getRequiredTestClass()));
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
        return FACTORIES.containsKey(p.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
        Class<?> type = p.getParameter().getType();
        try {
            Closing c = store(ctx).getOrComputeIfAbsent(type, t -> new Closing(FACTORIES.get(type).get()), Closing.class);
            return c.resource;
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("could not start " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Closed by JUnit when the class's store is discarded. */
    private record Closing(AutoCloseable resource) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Throwable { resource.close(); }
    }
}
