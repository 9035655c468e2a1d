package org.mhero.config;

import java.util.List;

/** {@code etc/org.mhero.merge.cfg}: registry priority and the name-similarity threshold of phone matches. */
public record MergeSettings(List<String> registryPriority, double nameThreshold) {
    public static final String PID = "org.mhero.merge";

    public static MergeSettings from(Pid p) {
        List<String> priority = List.copyOf(p.list("registry.priority"));
        if (priority.isEmpty()) p.problem("registry.priority", "must name at least one registry");
        String t = p.string("match.name.threshold");
        double threshold = 0.85;
        try {
            if (t != null) threshold = Double.parseDouble(t);
            if (threshold <= 0 || threshold > 1) p.problem("match.name.threshold", "= " + t + " must be above 0 and at most 1");
        } catch (NumberFormatException e) {
            p.problem("match.name.threshold", "= '" + t + "' is not a number");
        }
        return new MergeSettings(priority, threshold);
    }
}
