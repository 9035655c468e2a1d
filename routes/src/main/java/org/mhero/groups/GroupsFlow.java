package org.mhero.groups;

import org.mhero.boot.Flow;
import org.mhero.boot.FlowContext;
import org.mhero.config.Pid;

/**
 * groups: contact groups declared in {@code org.mhero.groups}, members recomputed after every sync. Not loaded while a
 * rule is invalid, so a typo never deletes a group (and its RapidPro link) that is still wanted.
 */
public final class GroupsFlow implements Flow {
    @Override public String name() { return "groups"; }
    @Override public String pid() { return GroupSettings.PID; }
    @Override public String routeFile() { return "camel/groups.xml"; }

    @Override
    public void configure(Pid pid, FlowContext ctx) {
        GroupSettings s = GroupSettings.from(pid);
        if (!pid.ok()) return;
        GroupStore store = new GroupStore(ctx.dataSource());
        ctx.bind("groupStore", store);
        ctx.bind("groupsStage", new GroupsStage(s, store));
        ctx.property("groups.apply.on.start", Boolean.toString(s.applyOnStart()));
    }
}
