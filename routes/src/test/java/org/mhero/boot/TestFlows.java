package org.mhero.boot;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.mhero.config.MergeSettings;
import org.mhero.config.Pid;
import org.mhero.merge.Matcher;
import org.mhero.merge.Merger;
import org.mhero.store.SyncStore;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Builds mHero's context with flows that {@link MheroContext#FLOWS} does not list yet, for route tests of a new flow:
 * {@link MheroContext#build()} runs first (migrations, errors.xml and the flows it lists, which the test configures to
 * do nothing), then each extra flow is configured and its route file loaded exactly as build() does it. Test code only.
 */
public final class TestFlows {
    private TestFlows() {}

    /** The not yet started context, the configuration problems (of every PID) and the flows loaded. */
    public record Built(DefaultCamelContext camel, List<Pid.Problem> problems, List<String> flows) {}

    public static Built build(DataSource dataSource, Map<String, ? extends Map<String, ?>> configuration, Flow... extra)
            throws Exception {
        MheroContext mhero = new MheroContext();
        mhero.setDataSource(dataSource);
        mhero.setConfiguration(configuration);
        DefaultCamelContext camel = mhero.build();
        List<Pid.Problem> problems = new ArrayList<>(mhero.getProblems());
        List<String> flows = new ArrayList<>(mhero.getLoadedFlows());

        Pid mergePid = pid(configuration, MergeSettings.PID);
        MergeSettings merge = MergeSettings.from(mergePid);
        SyncStore store = new SyncStore(dataSource, new Matcher(merge.nameThreshold()), new Merger(merge.registryPriority()));
        Properties props = ((org.apache.camel.component.properties.PropertiesComponent) camel.getPropertiesComponent()).getInitialProperties();
        FlowContext context = new FlowContext(camel, dataSource, store, props, name -> pid(configuration, name));
        var loader = PluginHelper.getRoutesLoader(camel);
        for (Flow flow : extra) {
            Pid pid = pid(configuration, flow.pid());
            flow.configure(pid, context);
            problems.addAll(pid.problems());
            if (pid.ok() && (mergePid.ok() || !flow.writesHealthWorkers())) {
                camel.getPropertiesComponent().setInitialProperties(props);
                for (String file : flow.routeFiles()) {
                    loader.loadRoutes(ResourceHelper.resolveMandatoryResource(camel, "classpath:" + file));
                }
                flow.routesLoaded(camel);
                flows.add(flow.name());
            }
        }
        return new Built(camel, problems, flows);
    }

    private static Pid pid(Map<String, ? extends Map<String, ?>> configuration, String name) {
        Map<String, Object> values = new HashMap<>();
        Map<String, ?> raw = configuration.get(name);
        if (raw != null) values.putAll(raw);
        return new Pid(name, values);
    }
}
