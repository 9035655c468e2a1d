package org.mhero.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One entry of a RapidPro 400/403/404 body (contract rapidpro.md §2): the {@code key} ({@code urns}, {@code fields},
 * {@code name}, {@code non_field_errors}, {@code detail}, …), the list {@code index} when the error is about one item
 * of a list field ({@code {"urns": {"0": [...]}}}), else null, and the server's messages. Callers branch on status,
 * key and index — never on the message text, which changes between releases.
 */
public record ApiError(String key, Integer index, List<String> messages) {
    public static final String DETAIL = "detail";
    public static final String NON_FIELD_ERRORS = "non_field_errors";

    public ApiError {
        messages = List.copyOf(messages);
    }

    /** Parses every shape of §2; a body that is not a JSON object becomes one {@code detail} entry with the raw text. */
    public static List<ApiError> parse(JsonNode body, String rawText) {
        List<ApiError> out = new ArrayList<>();
        if (body == null || !body.isObject()) {
            if (rawText != null && !rawText.isBlank()) out.add(new ApiError(DETAIL, null, List.of(truncate(rawText, 200))));
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                // per list item: {"urns": {"0": ["Invalid URN: ..."]}}
                for (Iterator<Map.Entry<String, JsonNode>> items = v.fields(); items.hasNext(); ) {
                    Map.Entry<String, JsonNode> item = items.next();
                    Integer index = null;
                    try {
                        index = Integer.valueOf(item.getKey());
                    } catch (NumberFormatException ignored) {
                        // a nested field name rather than an index: keep it in the key
                    }
                    String key = index == null ? e.getKey() + "." + item.getKey() : e.getKey();
                    out.add(new ApiError(key, index, messages(item.getValue())));
                }
            } else {
                out.add(new ApiError(e.getKey(), null, messages(v)));
            }
        }
        return out;
    }

    private static List<String> messages(JsonNode v) {
        List<String> m = new ArrayList<>();
        if (v.isArray()) for (JsonNode x : v) m.add(x.isTextual() ? x.asText() : x.toString());
        else if (v.isTextual()) m.add(v.asText());
        else if (!v.isNull()) m.add(v.toString());
        return m;
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    @Override
    public String toString() {
        return index == null ? key : key + "[" + index + "]";
    }
}
