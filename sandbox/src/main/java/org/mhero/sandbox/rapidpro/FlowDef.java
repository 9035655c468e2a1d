package org.mhero.sandbox.rapidpro;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A flow the simulated workspace knows (listed by {@code /flows.json}, startable by {@code /flow_starts.json}).
 * Each result is one question the simulated health worker answers, in order.
 */
public record FlowDef(String uuid, String name, List<Result> results) {
    /** One flow result ({@code @results.<key>}) and the question that collects it. */
    public record Result(String key, String name, List<String> categories, String question, String nodeUuid) {
        public Result {
            categories = categories == null || categories.isEmpty() ? List.of("All Responses") : List.copyOf(categories);
            if (question == null) question = name + "?";
            if (nodeUuid == null) nodeUuid = UUID.nameUUIDFromBytes(("node:" + key).getBytes()).toString();
        }
        /** A free-text result (category "All Responses"). */
        public static Result text(String key, String name, String question) {
            return new Result(key, name, List.of("All Responses"), question, null);
        }
        /** A multiple-choice result: answers that match no category land in "Other". */
        public static Result choice(String key, String name, String question, String... categories) {
            List<String> cats = new ArrayList<>(List.of(categories));
            if (!cats.contains("Other")) cats.add("Other");
            return new Result(key, name, cats, question, null);
        }
    }

    public FlowDef {
        if (uuid == null) uuid = UUID.randomUUID().toString();
        results = results == null ? List.of() : List.copyOf(results);
    }

    public static FlowDef of(String uuid, String name, Result... results) { return new FlowDef(uuid, name, List.of(results)); }

    /** A survey with free-text results whose names are derived from the keys. */
    public static FlowDef survey(String uuid, String name, String... resultKeys) {
        List<Result> rs = new ArrayList<>();
        for (String k : resultKeys) rs.add(Result.text(k, title(k), "Please answer: " + title(k)));
        return new FlowDef(uuid, name, rs);
    }

    private static String title(String key) {
        String s = key.replace('_', ' ');
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
