package org.mhero.inbound.stock;

import org.mhero.config.Pid;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code stock.*} and {@code reply.stock.*} keys of {@code etc/org.mhero.inbound.cfg}: which SMS item codes mean which
 * DHIS2 data elements, the largest quantity taken, the period (monthly or weekly, in a time zone, optionally shifted), the
 * data set and category option combo (codes), the org units of facilities that are not DHIS2 org units themselves, the
 * timeout of the import and the replies.
 *
 * @param items         SMS item code (upper case) → DHIS2 data element code, in item order
 * @param orgUnits      {@code <registry>:<facility source id>} → DHIS2 org unit UID
 */
public record StockSettings(Map<String, String> items, long maxQuantity, String periodType, int periodOffset, ZoneId zone,
                            String dataSet, String categoryOptionCombo, Map<String, String> orgUnits, int timeoutMs,
                            Replies replies) {
    public static final String MONTHLY = "monthly";
    public static final String WEEKLY = "weekly";

    /** Reply templates; {period}, {items}, {received}, {failed} and {problems} are filled in; empty = no reply. */
    public record Replies(String received, String conflicts, String invalid, String notSent) {}

    private static final Pattern ITEM = Pattern.compile("[\\p{L}][\\p{L}\\p{N}]{0,19}");
    private static final Pattern UID = Pattern.compile("[A-Za-z][A-Za-z0-9]{10}");
    private static final Pattern CODE = Pattern.compile("\\S(.{0,48}\\S)?");

    public static StockSettings from(Pid p) {
        Map<String, String> items = new LinkedHashMap<>();
        Map<String, String> orgUnits = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(p.values()).entrySet()) {
            String k = e.getKey();
            String v = e.getValue() == null ? "" : e.getValue().trim();
            if (k.startsWith("stock.item.")) {
                String item = k.substring("stock.item.".length());
                if (!ITEM.matcher(item).matches()) p.problem(k, "does not name an item of letters then letters or digits (at most 20)");
                else if (!CODE.matcher(v).matches()) p.problem(k, "= '" + v + "' is not a DHIS2 data element code");
                else if (items.put(item.toUpperCase(Locale.ROOT), v) != null) p.problem(k, "names item " + item + " twice (case does not count)");
            } else if (k.startsWith("stock.orgunit.")) {
                String rest = k.substring("stock.orgunit.".length());
                int dot = rest.indexOf('.');
                if (dot <= 0 || dot == rest.length() - 1) p.problem(k, "is not stock.orgunit.<registry>.<facility id>");
                else if (!UID.matcher(v).matches()) p.problem(k, "= '" + v + "' is not a DHIS2 org unit UID (11 letters or digits)");
                else orgUnits.put(rest.substring(0, dot) + ":" + rest.substring(dot + 1), v);
            }
        }
        if (items.isEmpty()) p.problem("stock.item.<ITEM>", "is missing: no item code is mapped to a DHIS2 data element");
        int max = p.integer("stock.quantity.max", 1, 2_000_000_000);
        String type = p.oneOf("stock.period.type", MONTHLY, WEEKLY);
        int offset = p.integer("stock.period.offset", -12, 12);
        ZoneId zone = ZoneId.of("UTC");
        String z = p.string("stock.time.zone");
        if (z != null) {
            try {
                zone = ZoneId.of(z);
            } catch (DateTimeException e) {
                p.problem("stock.time.zone", "= '" + z + "' is not a time zone (e.g. Africa/Monrovia)");
            }
        }
        String dataSet = code(p, "stock.data.set");
        String coc = code(p, "stock.category.option.combo");
        int timeout = p.integer("stock.timeout.ms", 100, 600_000);
        Replies replies = new Replies(reply(p, "reply.stock.received"), reply(p, "reply.stock.conflicts"),
                reply(p, "reply.stock.invalid"), reply(p, "reply.stock.not.sent"));
        return new StockSettings(Collections.unmodifiableMap(items), max, type, offset, zone, dataSet, coc,
                Collections.unmodifiableMap(orgUnits), timeout, replies);
    }

    /** An optional code: the key must be there (defaults live in the shipped file), its value may be empty. */
    private static String code(Pid p, String key) {
        String v = p.string(key);
        if (v == null || v.isBlank()) return null;
        if (!CODE.matcher(v.trim()).matches()) p.problem(key, "= '" + v + "' is not a DHIS2 code");
        return v.trim();
    }

    private static String reply(Pid p, String key) {
        String v = p.string(key);
        if (v != null && v.length() > 459) p.problem(key, "is longer than 459 characters (three SMS)");
        return v == null || v.isBlank() ? null : v;
    }
}
