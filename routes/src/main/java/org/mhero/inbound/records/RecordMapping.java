package org.mhero.inbound.records;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.mhero.phone.PhoneNormalizer;
import org.mhero.phone.PhoneResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A validation flow's results ({@code {key: {value, category}}}) to the field changes they ask for, by the
 * {@code record.result.*} keys: the phone normalised to E.164 (a yes to the confirm result means "no change"), the job
 * and the facility resolved against what mHero synced from iHRIS, the supervisor as given, the facility status read
 * through {@code record.facility.status.*}. Any bad value is a problem for the sender, and then nothing is written.
 */
public final class RecordMapping {
    /** What the answers ask for; {@code problems} (for the sender and the inbox) means nothing may be written. */
    public record Mapped(List<FieldChange> changes, List<Problem> problems, boolean phoneConfirmed) {
        public boolean ok() { return problems.isEmpty(); }
    }

    /** A bad answer: the field and what is wrong, in words for the sender. */
    public record Problem(Field field, String message) {}

    /** Resolves answers against mHero's copy of iHRIS. */
    public interface Resolver {
        /** An iHRIS Location id and its name. */
        record Match(String id, String display) {}

        /** iHRIS facilities whose id, or else whose name, equals the answer (any case). */
        List<Match> facilities(String answer) throws Exception;

        /** iHRIS job codes whose code, or else whose title, equals the answer (any case). */
        List<Match> jobs(String answer) throws Exception;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_TEXT = 200;

    private final RecordSettings settings;
    private final PhoneNormalizer phones;
    private final Resolver resolver;

    public RecordMapping(RecordSettings settings, PhoneNormalizer phones, Resolver resolver) {
        this.settings = settings;
        this.phones = phones;
        this.resolver = resolver;
    }

    public Mapped map(String resultsJson) throws Exception {
        Map<String, String> values = values(resultsJson);
        List<FieldChange> changes = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        boolean confirmed = settings.phoneConfirmKey() != null && settings.isYes(values.get(settings.phoneConfirmKey()));
        for (Map.Entry<Field, String> e : settings.resultKeys().entrySet()) {
            String answer = values.get(e.getValue());
            if (answer == null || answer.isBlank()) continue;
            Field f = e.getKey();
            switch (f) {
                case PHONE -> {
                    if (confirmed) continue;
                    List<PhoneResult> r = phones.normalize(answer);
                    if (r.size() != 1) problems.add(new Problem(f, r.isEmpty() ? "the new phone number is empty" : "give one phone number, not " + r.size()));
                    else if (!r.get(0).isValid()) problems.add(new Problem(f, "the new phone number is not valid ("
                            + r.get(0).reason().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")"));
                    else changes.add(new FieldChange(f, r.get(0).e164(), null));
                }
                case JOB -> one(f, answer, resolver.jobs(answer.strip()), "job title", changes, problems);
                case FACILITY -> one(f, answer, resolver.facilities(answer.strip()), "facility", changes, problems);
                case SUPERVISOR -> {
                    String s = answer.strip().replaceAll("\\s+", " ");
                    if (s.length() > MAX_TEXT) problems.add(new Problem(f, "the supervisor's name is longer than " + MAX_TEXT + " characters"));
                    else changes.add(new FieldChange(f, s, null));
                }
                case FACILITY_STATUS -> {
                    String status = settings.facilityStatus(answer);
                    if (status == null) problems.add(new Problem(f, "'" + shorten(answer) + "' is not a facility status we know"));
                    else changes.add(new FieldChange(f, status, null));
                }
            }
        }
        return new Mapped(List.copyOf(changes), List.copyOf(problems), confirmed);
    }

    private static void one(Field f, String answer, List<Resolver.Match> found, String what, List<FieldChange> changes, List<Problem> problems) {
        if (found.size() == 1) changes.add(new FieldChange(f, found.get(0).id(), found.get(0).display()));
        else if (found.isEmpty()) problems.add(new Problem(f, "no " + what + " '" + shorten(answer) + "' is known"));
        else problems.add(new Problem(f, "'" + shorten(answer) + "' matches more than one " + what + ": answer with its code"));
    }

    private static String shorten(String s) {
        String t = s.strip().replaceAll("\\s+", " ");
        return t.length() <= 40 ? t : t.substring(0, 39) + "…";
    }

    /** The results' values by lower-case key; a result given as a bare string counts as its value. */
    static Map<String, String> values(String resultsJson) throws java.io.IOException {
        Map<String, String> out = new java.util.HashMap<>();
        if (resultsJson == null || resultsJson.isBlank()) return out;
        JsonNode root = JSON.readTree(resultsJson);
        if (root == null || !root.isObject()) return out;
        root.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            String value = v.isObject() ? text(v.get("value")) : text(v);
            if (value != null) out.put(e.getKey().toLowerCase(Locale.ROOT), value);
        });
        return out;
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isContainerNode()) return null;
        return n.asText();
    }
}
