package org.mhero.inbound.records;

import org.mhero.config.Pid;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code record.*} keys of {@code etc/org.mhero.inbound.cfg}: which result of a validation flow (a flow mapped
 * {@code flow.<uuid> = record-update}) carries which field, how yes and facility-status answers read, how often a version
 * conflict is retried, and the replies. A field whose result key is empty is not read.
 */
public record RecordSettings(Map<Field, String> resultKeys, String phoneConfirmKey, Set<String> yes,
                             Map<String, String> facilityStatus, String supervisorExtension, int conflictRetries,
                             String replyUpdated, String replyInvalid) {
    private static final Pattern RESULT_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");

    public static RecordSettings from(Pid p) {
        Map<Field, String> keys = new LinkedHashMap<>();
        for (Field f : Field.values()) {
            String k = p.optional("record.result." + f.key());
            if (k == null) continue;
            if (!RESULT_KEY.matcher(k).matches()) p.problem("record.result." + f.key(), "= '" + k + "' is not a RapidPro result key (letters, digits, _)");
            else keys.put(f, k.toLowerCase(Locale.ROOT));
        }
        String confirm = p.optional("record.result.phone.confirm");
        if (confirm != null && !RESULT_KEY.matcher(confirm).matches()) {
            p.problem("record.result.phone.confirm", "= '" + confirm + "' is not a RapidPro result key (letters, digits, _)");
        }
        Set<String> yes = new java.util.LinkedHashSet<>();
        for (String y : p.list("record.confirm.yes")) yes.add(norm(y));
        Map<String, String> status = new LinkedHashMap<>();
        for (String s : new String[] {"active", "suspended", "inactive"}) {
            for (String answer : p.list("record.facility.status." + s)) {
                String prev = status.put(norm(answer), s);
                if (prev != null && !prev.equals(s)) p.problem("record.facility.status." + s, "'" + answer + "' also means " + prev);
            }
        }
        String ext = p.url("record.supervisor.extension");
        int retries = p.integer("record.conflict.retries", 0, 20);
        String updated = reply(p, "record.reply.updated");
        String invalid = reply(p, "record.reply.invalid");
        return new RecordSettings(Map.copyOf(keys), confirm == null ? null : confirm.toLowerCase(Locale.ROOT), Set.copyOf(yes),
                Map.copyOf(status), ext, retries, updated, invalid);
    }

    private static String reply(Pid p, String key) {
        String v = p.optional(key);
        if (v != null && v.length() > 459) p.problem(key, "is longer than 459 characters (three SMS)");
        return v;
    }

    /** An answer as compared: trimmed, upper case, inner spaces collapsed. */
    static String norm(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
    }

    public boolean isYes(String answer) { return yes.contains(norm(answer)); }

    /** The Location.status an officer's answer means (active, suspended, inactive), or null. */
    public String facilityStatus(String answer) { return facilityStatus.get(norm(answer)); }
}
