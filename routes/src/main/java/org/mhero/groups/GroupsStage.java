package org.mhero.groups;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.List;

/** The stage bean of the {@code groups} routes: apply the configured definitions, recompute membership, log counts. */
public final class GroupsStage {
    private static final Logger LOG = LoggerFactory.getLogger(GroupsStage.class);

    private final GroupSettings settings;
    private final GroupStore store;
    private volatile boolean applied;

    public GroupsStage(GroupSettings settings, GroupStore store) {
        this.settings = settings;
        this.store = store;
    }

    /** At start and after a configuration change: the groups of etc/org.mhero.groups.cfg, then their members. */
    public void applyConfiguration() throws SQLException {
        GroupStore.SyncResult r = store.sync(settings.groups());
        applied = true;
        LOG.info("groups: {} configured ({} created, {} updated, {} deleted, {} unchanged)", settings.groups().size(),
                r.created(), r.updated(), r.deleted(), r.unchanged());
        recompute();
    }

    /** After every registry sync: membership recomputed in SQL; writes nothing when nothing changed. */
    public List<GroupStore.GroupChange> recompute() throws SQLException {
        if (!applied) {
            // the definitions of this configuration are saved before the first recompute
            GroupStore.SyncResult r = store.sync(settings.groups());
            applied = true;
            LOG.info("groups: {} configured ({} created, {} updated, {} deleted)", settings.groups().size(), r.created(), r.updated(), r.deleted());
        }
        long t0 = System.nanoTime();
        List<GroupStore.GroupChange> changes = store.recompute();
        for (GroupStore.GroupChange c : changes) {
            if (c.changed()) LOG.info("group {}: {} members (+{} -{})", c.group(), c.members(), c.added(), c.removed());
        }
        LOG.info("groups recomputed in {} ms: {} of {} changed", (System.nanoTime() - t0) / 1_000_000,
                changes.stream().filter(GroupStore.GroupChange::changed).count(), changes.size());
        return changes;
    }
}
