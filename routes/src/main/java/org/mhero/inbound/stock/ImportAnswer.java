package org.mhero.inbound.stock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DHIS2's answer to a synchronous {@code POST /api/dataValueSets} on 200 or 409 (contracts/dhis2.md §3, §8), in both
 * envelopes: the bare ImportSummary of DHIS2 ≤ 2.37 ({@code responseType} at the root, 200 even with conflicts) and the
 * WebMessage of 2.38+ with the ImportSummary under {@code response}. Success is decided from the summary's status and
 * conflicts, never from the message text; a value re-sent unchanged is {@code ignored}, not failed.
 *
 * <p>{@link #judge} turns the conflicts into what happened to each reported item, with a reason a health worker can read
 * in an SMS, and separates what needs an operator (configuration: data set, combos, access) from what the sender can fix.
 */
public record ImportAnswer(String status, Map<String, Integer> counts, List<Conflict> conflicts, List<Integer> rejectedIndexes,
                           boolean bare) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One ImportConflict: {@code object} (a reference), {@code errorCode} (E76xx, absent before 2.38), {@code value} (the message). */
    public record Conflict(String object, Map<String, String> objects, String errorCode, String value, List<Integer> indexes) {}

    /** What happened to one item: accepted, or failed with a reason for the sender. */
    public record ItemResult(StockGrammar.Item item, boolean failed, String errorCode, String reason) {}

    /** Per item, and the problems only an operator can fix (empty when none). */
    public record Judgement(List<ItemResult> items, List<String> operatorProblems) {
        public List<ItemResult> failed() { return items.stream().filter(ItemResult::failed).toList(); }
        public List<ItemResult> accepted() { return items.stream().filter(r -> !r.failed()).toList(); }
    }

    /** Reads the body; null when it holds no ImportSummary (e.g. a 409 WebMessage without a report). */
    public static ImportAnswer parse(String body) {
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (java.io.IOException e) {
            return null;
        }
        if (root == null || !root.isObject()) return null;
        boolean bare = "ImportSummary".equals(root.path("responseType").asText(null))
                || (!root.has("response") && root.has("importCount"));
        JsonNode s = bare ? root : root.path("response");
        if (!s.isObject() || !(s.has("importCount") || s.has("conflicts") || "ImportSummary".equals(s.path("responseType").asText(null)))) {
            return null;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        s.path("importCount").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
        List<Conflict> conflicts = new ArrayList<>();
        for (JsonNode c : s.path("conflicts")) {
            Map<String, String> objects = new LinkedHashMap<>();
            c.path("objects").fields().forEachRemaining(e -> objects.put(e.getKey(), e.getValue().asText()));
            List<Integer> idx = new ArrayList<>();
            for (JsonNode i : c.path("indexes")) if (i.canConvertToInt()) idx.add(i.asInt());
            conflicts.add(new Conflict(c.path("object").asText(null), objects, c.path("errorCode").asText(null),
                    c.path("value").asText(null), idx));
        }
        List<Integer> rejected = new ArrayList<>();
        for (JsonNode i : s.path("rejectedIndexes")) if (i.canConvertToInt()) rejected.add(i.asInt());
        String status = s.path("status").asText(root.path("status").asText("ERROR"));
        return new ImportAnswer(status, counts, conflicts, rejected, bare);
    }

    /** SUCCESS (or OK) with no conflict and no rejected value. */
    public boolean clean() {
        return conflicts.isEmpty() && rejectedIndexes.isEmpty() && !"ERROR".equals(status);
    }

    /** The conflict codes only an operator can fix: the data set, combos, access, the org unit mapping. */
    static final Set<String> OPERATOR_CODES = Set.of("E7600", "E7601", "E7602", "E7603", "E7604", "E7605", "E7612", "E7613",
            "E7614", "E7615", "E7616", "E7617", "E7630", "E7631", "E7634", "E7635");

    /** An SMS-friendly reason for a conflict code (contracts/dhis2.md §8). */
    public static String reason(String code) {
        if (code == null) return "rejected by DHIS2";
        return switch (code) {
            case "E7610" -> "unknown item";
            case "E7603", "E7612" -> "your facility is not known in DHIS2";
            case "E7611", "E7632" -> "wrong period";
            case "E7617" -> "you may not report for this facility";
            case "E7618" -> "no quantity";
            case "E7619" -> "quantity must be a whole number";
            case "E7621" -> "not an accepted value";
            case "E7633" -> "not part of this report";
            case "E7636" -> "not reported at your facility";
            case "E7640", "E7643" -> "the period is closed";
            case "E7641" -> "the period is in the future";
            case "E7642" -> "the period is already approved";
            case "E7600", "E7601", "E7602", "E7604", "E7605", "E7613", "E7614", "E7615", "E7616", "E7630", "E7631", "E7634", "E7635" ->
                    "DHIS2 is not set up to take it";
            default -> "rejected by DHIS2 (" + code + ")";
        };
    }

    /**
     * Each item of {@code items} (in the order of {@code dataValues}) with its fate. A conflict names its items by
     * {@code indexes}; without them (DHIS2 ≤ 2.37, or a set-level conflict) by its {@code object} or
     * {@code objects.dataElement} equal to the item's data element code; a conflict naming no item applies to every
     * item when nothing was imported (status ERROR), else it is reported to the operator. A rejected index without a
     * conflict is "rejected by DHIS2".
     */
    public Judgement judge(List<StockGrammar.Item> items) {
        Map<Integer, String> reasons = new LinkedHashMap<>();
        Map<Integer, String> codes = new LinkedHashMap<>();
        Set<String> operator = new LinkedHashSet<>();
        boolean nothingImported = "ERROR".equals(status);
        for (Conflict c : conflicts) {
            String reason = reason(c.errorCode());
            List<Integer> hit = new ArrayList<>();
            for (int i : c.indexes()) if (i >= 0 && i < items.size()) hit.add(i);
            if (hit.isEmpty()) {
                for (int i = 0; i < items.size(); i++) {
                    String de = items.get(i).dataElement();
                    if (de.equals(c.object()) || de.equals(c.objects().get("dataElement"))) hit.add(i);
                }
            }
            boolean operatorCode = c.errorCode() != null && OPERATOR_CODES.contains(c.errorCode());
            if (hit.isEmpty() && nothingImported) {
                for (int i = 0; i < items.size(); i++) hit.add(i);
                if (c.errorCode() == null) operatorCode = true; // a set-level failure of an old server: an operator looks
            }
            if (operatorCode || hit.isEmpty()) {
                operator.add((c.errorCode() == null ? "" : c.errorCode() + " ") + (c.value() == null ? c.object() : c.value()));
            }
            for (int i : hit) {
                if (reasons.putIfAbsent(i, reason) == null && c.errorCode() != null) codes.put(i, c.errorCode());
            }
        }
        for (int i : rejectedIndexes) if (i >= 0 && i < items.size()) reasons.putIfAbsent(i, "rejected by DHIS2");
        if (nothingImported && conflicts.isEmpty()) {
            for (int i = 0; i < items.size(); i++) reasons.putIfAbsent(i, "rejected by DHIS2");
            operator.add("DHIS2 answered status ERROR without conflicts");
        }
        List<ItemResult> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String r = reasons.get(i);
            out.add(new ItemResult(items.get(i), r != null, codes.get(i), r));
        }
        return new Judgement(List.copyOf(out), List.copyOf(operator));
    }
}
