package org.mhero.boot;

import org.apache.camel.CamelContext;
import org.mhero.store.SyncStore;

import javax.sql.DataSource;
import java.util.Properties;

/** What a {@link Flow} gets to configure itself: the database, shared stores, the registry and the properties. */
public final class FlowContext {
    private final CamelContext camel;
    private final DataSource dataSource;
    private final SyncStore syncStore;
    private final Properties properties;
    private final java.util.function.Function<String, org.mhero.config.Pid> pids;

    FlowContext(CamelContext camel, DataSource dataSource, SyncStore syncStore, Properties properties,
                java.util.function.Function<String, org.mhero.config.Pid> pids) {
        this.pids = pids;
        this.camel = camel;
        this.dataSource = dataSource;
        this.syncStore = syncStore;
        this.properties = properties;
    }

    public CamelContext camel() { return camel; }
    public DataSource dataSource() { return dataSource; }
    public SyncStore syncStore() { return syncStore; }

    /**
     * A fresh copy of another PID's values, for a flow that also needs settings it does not own (the broadcast flow
     * reads the error policy and the HTTP port). Problems recorded on it are not reported: its owner reports them.
     */
    public org.mhero.config.Pid pid(String name) { return pids.apply(name); }

    /** A bean bound by an earlier flow, or null. */
    public <T> T lookup(String name, Class<T> type) { return camel.getRegistry().lookupByNameAndType(name, type); }

    /** Binds a bean the routes reach as {@code ref="name"} or {@code #name}. */
    public void bind(String name, Object bean) { camel.getRegistry().bind(name, bean); }

    /** Sets a property the routes reach as {@code {{key}}}. */
    public void property(String key, String value) { properties.setProperty(key, value); }
}
