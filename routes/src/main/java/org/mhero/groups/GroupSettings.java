package org.mhero.groups;

import org.mhero.config.Pid;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code etc/org.mhero.groups.cfg} (PID {@value #PID}): the contact groups, each declared by two keys,
 * {@code group.<name>.rule} and {@code group.<name>.mirror}. Every rule is parsed at load; a bad name, a missing key or
 * a rule that does not parse is a {@link Pid#problem problem} naming the PID and the key, and that group is left out
 * of {@link #groups()}.
 *
 * <p>Callers must not {@link GroupStore#sync sync} while {@link Pid#ok()} is false: sync deletes groups that are not
 * configured, and a group with a typo would lose its RapidPro link. Keys outside {@code group.*} (Karaf adds
 * {@code service.pid}, {@code felix.fileinstall.filename}) are ignored.
 */
public record GroupSettings(List<GroupDefinition> groups, boolean applyOnStart) {
    public static final String PID = "org.mhero.groups";
    private static final String PREFIX = "group.";

    public GroupSettings {
        groups = List.copyOf(groups);
    }

    public GroupSettings(List<GroupDefinition> groups) {
        this(groups, true);
    }

    public static GroupSettings from(Pid p) {
        Map<String, Boolean> names = new TreeMap<>();   // name -> declared with a valid name
        for (String key : p.values().keySet()) {
            if (!key.startsWith(PREFIX)) continue;
            int dot = key.lastIndexOf('.');
            String name = dot > PREFIX.length() ? key.substring(PREFIX.length(), dot) : "";
            String attr = dot > PREFIX.length() ? key.substring(dot + 1) : "";
            if (!attr.equals("rule") && !attr.equals("mirror")) {
                p.problem(key, "is not a group key; declare a group with group.<name>.rule and group.<name>.mirror");
            } else if (!GroupDefinition.NAME.matcher(name).matches()) {
                p.problem(key, "names group '" + name + "': group names are lower case letters, digits and '-' "
                        + "([a-z0-9-]+, at most 64 characters)");
            } else {
                names.put(name, true);
            }
        }
        List<GroupDefinition> groups = new ArrayList<>();
        for (String name : names.keySet()) {
            String ruleKey = PREFIX + name + ".rule";
            String mirrorKey = PREFIX + name + ".mirror";
            int before = p.problems().size();
            String rule = p.string(ruleKey);
            boolean mirror = p.bool(mirrorKey);
            if (rule != null) {
                if (rule.isBlank()) {
                    p.problem(ruleKey, "is empty; write a rule such as cadre in (nurse, midwife) and active");
                } else {
                    try {
                        RuleParser.parse(rule);
                    } catch (RuleException e) {
                        p.problem(ruleKey, "= '" + rule + "' is not a valid rule: " + e.getMessage());
                    }
                }
            }
            if (p.problems().size() == before) groups.add(new GroupDefinition(name, rule, mirror));
        }
        return new GroupSettings(groups, p.bool("apply.on.start"));
    }
}
