package org.mhero.inbound.stock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stock report grammar: what follows the keyword ({@code STOCK ORS 40 ZINC 12}) as pairs of an item code and a
 * quantity, in any case, with any spacing and separators between them ({@code ors=40, zinc:12}, {@code ORS40 ZINC 12},
 * {@code ors 40; zinc 12.}). Item codes are the {@code stock.item.<ITEM>} keys of {@code org.mhero.inbound}; each maps to
 * a DHIS2 data element code. A quantity is a whole number from 0 to {@code stock.quantity.max}; {@code 1,000} is a
 * thousand. Every problem is named per item, and a report with any problem is not sent at all:
 * <ul>
 *   <li>an unknown item ({@code XYZ 4}), an item without a quantity ({@code ORS ZINC 12}), a word where the quantity
 *       should be ({@code ORS ten}), a number without an item ({@code 40 ORS 4});</li>
 *   <li>a negative quantity, a fraction, a quantity above the maximum;</li>
 *   <li>the same item twice with different quantities (twice the same quantity is taken once: a repeated keystroke);</li>
 *   <li>no item at all.</li>
 * </ul>
 * A RapidPro run's results ({@code {key: {value, category}}}) are read the same way, the result keys being item codes;
 * results whose key is not an item are ignored (flows ask other questions too). No Camel here.
 */
public final class StockGrammar {
    /** One reported quantity: the item as configured (upper case), its data element code, the quantity. */
    public record Item(String item, String dataElement, long quantity) {}

    /** The items read, the problems found (empty when the report can be sent) and result keys that were not items. */
    public record Parsed(List<Item> items, List<String> problems, List<String> ignored) {
        public boolean ok() { return problems.isEmpty(); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A word (letters, then letters or digits), or a number with an optional sign, decimals or thousands groups. */
    private static final Pattern TOKEN = Pattern.compile("([\\p{L}][\\p{L}\\p{N}_]*)|([-+]?\\p{N}+(?:[.,]\\p{N}+)*)");
    private static final Pattern WHOLE = Pattern.compile("\\p{N}+");
    private static final Pattern THOUSANDS = Pattern.compile("\\p{N}{1,3}(?:,\\p{N}{3})+");

    private final Map<String, String> items;
    private final long max;

    /** {@code items}: item code (upper case) → data element code; {@code max}: the largest quantity taken. */
    public StockGrammar(Map<String, String> items, long max) {
        this.items = Map.copyOf(items);
        this.max = max;
    }

    public static StockGrammar of(StockSettings s) { return new StockGrammar(s.items(), s.maxQuantity()); }

    private record Token(String word, String number) {}

    /** Reads the text after the keyword. */
    public Parsed parse(String text) {
        List<String> problems = new ArrayList<>();
        Collector out = new Collector(problems);
        String pending = null;          // an item waiting for its quantity
        boolean skipNumber = false;     // an unknown item was named: its quantity is not reported again
        for (Token t : tokens(text)) {
            if (t.word() != null) {
                String w = t.word();
                String[] split = items.containsKey(w) ? new String[] {w, null} : split(w);
                if (split != null) {
                    if (pending != null) problems.add(pending + ": quantity missing");
                    skipNumber = false;
                    if (split[1] == null) {
                        pending = split[0];
                    } else {
                        pending = null;
                        out.add(split[0], quantity(split[0], split[1], problems));
                    }
                } else if (pending != null) {
                    problems.add(pending + ": '" + w.toLowerCase(Locale.ROOT) + "' is not a number");
                    pending = null;
                    skipNumber = false;
                } else {
                    problems.add(w + ": unknown item");
                    skipNumber = true;
                }
            } else if (pending != null) {
                out.add(pending, quantity(pending, t.number(), problems));
                pending = null;
            } else if (skipNumber) {
                skipNumber = false;
            } else {
                problems.add(t.number() + ": a quantity without an item before it");
            }
        }
        if (pending != null) problems.add(pending + ": quantity missing");
        return out.done(List.of());
    }

    /** Reads a RapidPro run's results JSON ({@code {key: {value, category}}}); keys are matched to items ignoring case. */
    public Parsed parseResults(String resultsJson) {
        List<String> problems = new ArrayList<>();
        Collector out = new Collector(problems);
        List<String> ignored = new ArrayList<>();
        JsonNode root;
        try {
            root = resultsJson == null ? null : JSON.readTree(resultsJson);
        } catch (java.io.IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            problems.add("the flow's results could not be read");
            return out.done(ignored);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String item = normalize(e.getKey()).replaceAll("[^\\p{L}\\p{N}]", "");
            if (!items.containsKey(item)) {
                ignored.add(e.getKey());
                continue;
            }
            JsonNode v = e.getValue().isObject() ? e.getValue().get("value") : e.getValue();
            String value = v == null || v.isNull() ? "" : v.asText().strip();
            List<Token> tokens = tokens(value);
            if (tokens.size() != 1 || tokens.get(0).number() == null) {
                problems.add(item + (value.isEmpty() ? ": quantity missing" : ": '" + value + "' is not a number"));
                continue;
            }
            out.add(item, quantity(item, tokens.get(0).number(), problems));
        }
        return out.done(ignored);
    }

    /** The items in report order; a second quantity for one data element is a problem unless it is the same. */
    private final class Collector {
        final List<String> problems;
        final Map<String, Item> byElement = new LinkedHashMap<>();
        final Map<String, List<Long>> twice = new LinkedHashMap<>();

        Collector(List<String> problems) { this.problems = problems; }

        void add(String item, Long quantity) {
            if (quantity == null) return;
            String de = items.get(item);
            Item before = byElement.get(de);
            if (before == null) {
                byElement.put(de, new Item(item, de, quantity));
            } else if (before.quantity() != quantity) {
                twice.computeIfAbsent(de, k -> new ArrayList<>(List.of(before.quantity()))).add(quantity);
            }
        }

        Parsed done(List<String> ignored) {
            twice.forEach((de, qs) -> problems.add(byElement.get(de).item() + ": given twice ("
                    + String.join(", ", qs.stream().map(String::valueOf).toList()) + ")"));
            List<Item> list = List.copyOf(byElement.values());
            if (list.isEmpty() && problems.isEmpty()) problems.add("no items");
            return new Parsed(list, List.copyOf(problems), List.copyOf(ignored));
        }
    }

    /** A whole number in range, or null with the problem recorded. */
    private Long quantity(String item, String number, List<String> problems) {
        String n = number.startsWith("+") ? number.substring(1) : number;
        if (n.startsWith("-")) {
            problems.add(item + ": quantity cannot be negative (" + number + ")");
            return null;
        }
        if (THOUSANDS.matcher(n).matches()) n = n.replace(",", "");
        if (!WHOLE.matcher(n).matches()) {
            problems.add(item + ": " + number + " is not a whole number");
            return null;
        }
        String digits = n.replaceFirst("^0+(?=.)", "");
        long q;
        try {
            q = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
        } catch (NumberFormatException e) { // digits of another script Long does not read
            problems.add(item + ": " + number + " is not a whole number");
            return null;
        }
        if (q > max) {
            problems.add(item + ": " + (digits.length() > 12 ? digits.substring(0, 12) + "..." : digits)
                    + " is more than the largest quantity taken (" + max + ")");
            return null;
        }
        return q;
    }

    /** {@code ORS40} → ORS and 40, when ORS (the longest such prefix) is an item and the rest is digits. */
    private String[] split(String word) {
        for (int i = word.length() - 1; i > 0; i--) {
            String head = word.substring(0, i), tail = word.substring(i);
            if (items.containsKey(head) && WHOLE.matcher(tail).matches()) return new String[] {head, tail};
        }
        return null;
    }

    private static String normalize(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFKC).toUpperCase(Locale.ROOT);
    }

    /** Words and numbers; everything else separates. A sign counts only right before a digit and not after a letter. */
    private static List<Token> tokens(String text) {
        List<Token> out = new ArrayList<>();
        if (text == null) return out;
        String s = normalize(text);
        Matcher m = TOKEN.matcher(s);
        while (m.find()) {
            if (m.group(1) != null) {
                out.add(new Token(m.group(1).replace("_", ""), null));
            } else {
                String n = m.group(2);
                int start = m.start(2);
                boolean signed = n.startsWith("-") || n.startsWith("+");
                if (signed && start > 0 && Character.isLetterOrDigit(s.charAt(start - 1))) n = n.substring(1); // ORS-40
                out.add(new Token(null, n));
            }
        }
        return out;
    }
}
