package org.mhero.groups;

import java.util.regex.Pattern;

/**
 * A contact group as configured in {@code etc/org.mhero.groups.cfg}: its name, its rule (see {@link RuleParser}) and
 * whether its membership is mirrored to a RapidPro group.
 */
public record GroupDefinition(String name, String rule, boolean mirror) {
    /** Group names: lower case letters, digits and '-', at most 64 characters (RapidPro's limit for group names). */
    public static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,64}");

    public GroupDefinition {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("group name '" + name + "' is not lower case [a-z0-9-]+ (at most 64)");
        }
        if (rule == null || rule.isBlank()) throw new IllegalArgumentException("group '" + name + "' has no rule");
        rule = rule.trim();
    }

    /** The parsed rule; throws {@link RuleException} if it does not parse. */
    public Rule parsed() { return RuleParser.parse(rule); }
}
