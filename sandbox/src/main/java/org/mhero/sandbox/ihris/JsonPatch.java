package org.mhero.sandbox.ihris;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over a Jackson tree. */
final class JsonPatch {
    static final ObjectMapper MAPPER = new ObjectMapper();

    static final class PatchException extends RuntimeException {
        PatchException(String message) { super(message); }
    }

    private JsonPatch() {}

    static String apply(String document, String patch) {
        try {
            JsonNode doc = MAPPER.readTree(document);
            JsonNode ops = MAPPER.readTree(patch);
            if (!ops.isArray()) throw new PatchException("a JSON Patch document must be an array of operations");
            for (JsonNode op : ops) doc = applyOne(doc, op);
            return MAPPER.writeValueAsString(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new PatchException("invalid JSON: " + e.getOriginalMessage());
        }
    }

    private static JsonNode applyOne(JsonNode doc, JsonNode op) {
        String kind = text(op, "op");
        String path = text(op, "path");
        switch (kind) {
            case "add" -> { return add(doc, path, value(op)); }
            case "remove" -> { remove(doc, path); return doc; }
            case "replace" -> {
                get(doc, path);
                if (path.isEmpty()) return value(op);
                remove(doc, path);
                return add(doc, path, value(op));
            }
            case "move" -> {
                String from = text(op, "from");
                JsonNode v = get(doc, from).deepCopy();
                remove(doc, from);
                return add(doc, path, v);
            }
            case "copy" -> { return add(doc, path, get(doc, text(op, "from")).deepCopy()); }
            case "test" -> {
                if (!get(doc, path).equals(value(op))) throw new PatchException("test failed at path " + path);
                return doc;
            }
            default -> throw new PatchException("unknown operation '" + kind + "'");
        }
    }

    private static String text(JsonNode op, String field) {
        JsonNode n = op.get(field);
        if (n == null || !n.isTextual()) throw new PatchException("operation lacks '" + field + "': " + op);
        return n.asText();
    }

    private static JsonNode value(JsonNode op) {
        if (!op.has("value")) throw new PatchException("operation lacks 'value': " + op);
        return op.get("value").deepCopy();
    }

    static List<String> tokens(String path) {
        List<String> out = new ArrayList<>();
        if (path.isEmpty()) return out;
        if (path.charAt(0) != '/') throw new PatchException("invalid JSON pointer '" + path + "'");
        for (String t : path.substring(1).split("/", -1)) out.add(t.replace("~1", "/").replace("~0", "~"));
        return out;
    }

    private static JsonNode get(JsonNode doc, String path) {
        JsonNode cur = doc;
        for (String t : tokens(path)) {
            cur = child(cur, t);
            if (cur == null) throw new PatchException("no value at path " + path);
        }
        return cur;
    }

    private static JsonNode child(JsonNode node, String t) {
        if (node.isObject()) return node.get(t);
        if (node.isArray()) {
            int idx = index(t, node.size() - 1);
            return node.get(idx);
        }
        return null;
    }

    private static int index(String t, int max) {
        if (!t.matches("0|[1-9][0-9]*")) throw new PatchException("invalid array index '" + t + "'");
        int idx = Integer.parseInt(t);
        if (idx > max) throw new PatchException("array index " + idx + " out of bounds");
        return idx;
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value) {
        List<String> toks = tokens(path);
        if (toks.isEmpty()) return value;
        JsonNode parent = get(doc, parentPath(path));
        String last = toks.get(toks.size() - 1);
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value);
        } else if (parent.isArray()) {
            ArrayNode a = (ArrayNode) parent;
            if (last.equals("-")) a.add(value);
            else a.insert(index(last, a.size()), value);
        } else {
            throw new PatchException("cannot add below a primitive at " + path);
        }
        return doc;
    }

    private static void remove(JsonNode doc, String path) {
        List<String> toks = tokens(path);
        if (toks.isEmpty()) throw new PatchException("cannot remove the whole document");
        JsonNode parent = get(doc, parentPath(path));
        String last = toks.get(toks.size() - 1);
        if (parent.isObject()) {
            if (!parent.has(last)) throw new PatchException("no value at path " + path);
            ((ObjectNode) parent).remove(last);
        } else if (parent.isArray()) {
            ((ArrayNode) parent).remove(index(last, parent.size() - 1));
        } else {
            throw new PatchException("no value at path " + path);
        }
    }

    private static String parentPath(String path) {
        int k = path.lastIndexOf('/');
        return path.substring(0, k);
    }
}
