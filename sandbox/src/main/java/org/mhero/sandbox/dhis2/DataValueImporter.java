package org.mhero.sandbox.dhis2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mhero.sandbox.dhis2.Dhis2Model.DataElement;
import org.mhero.sandbox.dhis2.Dhis2Model.DataInputPeriod;
import org.mhero.sandbox.dhis2.Dhis2Model.DataSet;
import org.mhero.sandbox.dhis2.Dhis2Model.OrgUnit;
import org.mhero.sandbox.dhis2.Periods.Period;

import java.text.MessageFormat;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code POST /api/dataValueSets} semantics, following dhis2-core's DataValueSetImportValidator /
 * DefaultDataValueSetService: set-level checks abort the import (status ERROR), value-level checks stop at the first
 * conflict for that value (the value counts as {@code ignored} and its index goes to {@code rejectedIndexes}), valid
 * values are stored even when others are rejected; the final status is WARNING when any conflict exists.
 */
final class DataValueImporter {
    /** A stored data value (UIDs throughout). */
    public record StoredValue(String dataElement, String period, String orgUnit, String categoryOptionCombo,
                              String attributeOptionCombo, String value, String comment, boolean followup,
                              String storedBy, Instant lastUpdated) {}

    record Key(String de, String pe, String ou, String coc, String aoc) {}

    /** A conflict as DHIS2 reports it (grouped by code + object; indexes accumulate). */
    record Conflict(String object, Map<String, String> objects, String value, String errorCode, String property, List<Integer> indexes) {}

    record Result(String status, Map<String, Integer> counts, List<Conflict> conflicts, List<Integer> rejected, String dataSetComplete) {}

    private final Dhis2Model model;
    private final Dhis2Options options;
    private final Map<Key, StoredValue> store = new ConcurrentHashMap<>();

    DataValueImporter(Dhis2Model model, Dhis2Options options) {
        this.model = model;
        this.options = options;
    }

    Map<Key, StoredValue> store() { return store; }

    private static final String[] MESSAGES = {
            "E7600", "Data set not found or not accessible: `{0}`",
            "E7602", "A valid dataset is required",
            "E7603", "Org unit not found or not accessible: `{0}`",
            "E7604", "Attribute option combo not found or not accessible: `{0}`",
            "E7610", "Data element not found or not accessible: `{0}`",
            "E7611", "Period not valid: `{0}`",
            "E7612", "Organisation unit not found or not accessible: `{0}`",
            "E7613", "Category option combo not found or not accessible for writing data: `{0}`",
            "E7615", "Attribute option combo not found or not accessible for writing data: `{0}`",
            "E7618", "Data value or comment not specified for data element: `{0}`",
            "E7619", "Value must match data element''s `{0}` type constraints: {1}",
            "E7632", "Period type of period: `{0}` not valid for data element: `{1}`",
            "E7633", "Data element: `{0}` is not part of dataset: `{1}`",
            "E7636", "Data element: `{1}` must be assigned through data sets to organisation unit: `{0}`",
            "E7640", "Current date is past expiry days for period: `{0}`  and data set: `{1}`",
            "E7641", "Period: `{0}` is after latest open future period: `{2}` for data element: `{1}`",
            "E7643", "Period: `{0}` is not open for this data set at this time: `{1}`",
    };
    private static final Map<String, String> MSG = new LinkedHashMap<>();
    static {
        for (int i = 0; i < MESSAGES.length; i += 2) MSG.put(MESSAGES[i], MESSAGES[i + 1]);
    }

    private static final class Ctx {
        final List<Conflict> conflicts = new ArrayList<>();
        final List<Integer> rejected = new ArrayList<>();
        int imported, updated, ignored, deleted;
        boolean error;

        void conflict(Integer index, String code, String property, String[] types, Object... args) {
            String object = args.length > 0 && args[0] != null ? args[0].toString() : code;
            String message = MessageFormat.format(MSG.get(code), args);
            for (int i = 0; i < conflicts.size(); i++) {
                Conflict c = conflicts.get(i);
                if (c.errorCode().equals(code) && c.object().equals(object) && c.value().equals(message)) {
                    if (index != null) c.indexes().add(index);
                    return;
                }
            }
            Map<String, String> objects = new LinkedHashMap<>();
            for (int i = 0; i < types.length && i < args.length; i++) if (args[i] != null) objects.put(types[i], args[i].toString());
            List<Integer> idx = new ArrayList<>();
            if (index != null) idx.add(index);
            conflicts.add(new Conflict(object, objects, message, code, property, idx));
        }
    }

    private static final String[] DE = {"dataElement"};
    private static final String[] PE = {"period"};
    private static final String[] OU = {"organisationUnit"};
    private static final String[] COC = {"categoryOptionCombo"};
    private static final String[] DS = {"dataSet"};

    /** Runs one import. {@code params} are the URL parameters. */
    synchronized Result importSet(JsonNode set, Map<String, String> params, String storedBy) {
        Ctx ctx = new Ctx();
        String idScheme = scheme(text(set, "idScheme"), params.get("idScheme"), "UID");
        String deScheme = scheme(text(set, "dataElementIdScheme"), params.get("dataElementIdScheme"), idScheme);
        String ouScheme = scheme(text(set, "orgUnitIdScheme"), params.get("orgUnitIdScheme"), idScheme);
        String cocScheme = scheme(text(set, "categoryOptionComboIdScheme"), params.get("categoryOptionComboIdScheme"), idScheme);
        String dsScheme = scheme(text(set, "dataSetIdScheme"), params.get("dataSetIdScheme"), idScheme);
        String strategy = firstNonNull(text(set, "strategy"), text(set, "importStrategy"), params.get("importStrategy"), params.get("strategy"), "CREATE_AND_UPDATE").toUpperCase();
        if (strategy.equals("NEW_AND_UPDATES") || strategy.equals("NEW_AND_UPDATE")) strategy = "CREATE_AND_UPDATE";
        if (strategy.equals("NEW")) strategy = "CREATE";
        if (strategy.equals("UPDATES")) strategy = "UPDATE";
        boolean dryRun = Boolean.parseBoolean(firstNonNull(text(set, "dryRun"), params.get("dryRun"), "false"));
        boolean strictPeriods = options.strictPeriods || Boolean.parseBoolean(params.get("strictPeriods"));
        boolean strictDe = options.strictDataElements || Boolean.parseBoolean(params.get("strictDataElements"));
        boolean strictOu = options.strictOrganisationUnits || Boolean.parseBoolean(params.get("strictOrganisationUnits"));
        boolean force = Boolean.parseBoolean(params.get("force"));

        // ---- data set level (abort on error)
        String dsRef = trim(text(set, "dataSet"));
        DataSet ds = dsRef == null ? null : findDataSet(dsRef, dsScheme);
        if (dsRef != null && ds == null) ctx.conflict(null, "E7600", "dataSet", DS, dsRef);
        if (ds == null && strictDe) ctx.conflict(null, "E7602", "dataSet", new String[0], "DATA_IMPORT_STRICT_DATA_ELEMENTS");
        String outerOuRef = trim(text(set, "orgUnit"));
        OrgUnit outerOu = outerOuRef == null ? null : findOrgUnit(outerOuRef, ouScheme);
        if (outerOuRef != null && outerOu == null) ctx.conflict(null, "E7603", "orgUnit", OU, outerOuRef);
        String outerAoc = trim(text(set, "attributeOptionCombo"));
        if (outerAoc != null && findCoc(outerAoc, cocScheme) == null) ctx.conflict(null, "E7604", "attributeOptionCombo", COC, outerAoc);
        if (!ctx.conflicts.isEmpty()) {
            ctx.error = true;
            return new Result("ERROR", counts(ctx), ctx.conflicts, ctx.rejected, "false");
        }
        String outerPeriod = trim(text(set, "period"));

        JsonNode values = set.path("dataValues");
        LocalDateTime now = LocalDateTime.now(options.clock);
        int index = 0;
        for (JsonNode v : values.isArray() ? values : List.<JsonNode>of()) {
            int i = index++;
            String deRef = trim(text(v, "dataElement"));
            String peRef = firstNonNull(trim(text(v, "period")), outerPeriod);
            String ouRef = firstNonNull(trim(text(v, "orgUnit")), outerOuRef);
            String cocRef = trim(text(v, "categoryOptionCombo"));
            String aocRef = firstNonNull(trim(text(v, "attributeOptionCombo")), outerAoc);
            String value = text(v, "value");
            String comment = text(v, "comment");
            boolean followup = v.path("followup").asBoolean(false);

            DataElement de = deRef == null ? null : findDataElement(deRef, deScheme);
            if (de == null) { reject(ctx, i, "E7610", "dataElement", DE, deRef); continue; }
            Period pe = Periods.parse(peRef);
            if (pe == null) { reject(ctx, i, "E7611", "period", PE, peRef); continue; }
            OrgUnit ou = ouRef == null ? null : findOrgUnit(ouRef, ouScheme);
            if (ou == null) { reject(ctx, i, "E7612", "orgUnit", OU, ouRef); continue; }
            String coc = Dhis2Model.DEFAULT_COC;
            if (cocRef != null) {
                coc = findCoc(cocRef, cocScheme);
                if (coc == null) { reject(ctx, i, "E7613", "categoryOptionCombo", COC, cocRef); continue; }
            }
            String aoc = Dhis2Model.DEFAULT_COC;
            if (aocRef != null) {
                aoc = findCoc(aocRef, cocScheme);
                if (aoc == null) { reject(ctx, i, "E7615", "attributeOptionCombo", COC, aocRef); continue; }
            }
            boolean nullValue = trim(value) == null && trim(comment) == null;
            if (nullValue && !strategy.equals("DELETE")) { reject(ctx, i, "E7618", "value", DE, deRef); continue; }
            if (trim(value) != null) {
                String err = validValue(value, de.valueType());
                if (err != null) { reject(ctx, i, "E7619", "value", DE, deRef, err); continue; }
            }
            List<DataSet> deSets = model.dataSetsOf(de.id());
            if (strictPeriods && deSets.stream().noneMatch(d -> d.periodType().equals(pe.type()))) {
                reject(ctx, i, "E7632", null, new String[]{"period", "dataElement"}, peRef, deRef); continue;
            }
            if (strictDe) {
                List<DataSet> targets = ds != null ? List.of(ds) : deSets;
                if (targets.stream().noneMatch(d -> d.dataElementIds().contains(de.id()))) {
                    reject(ctx, i, "E7633", "dataElement", new String[]{"dataElement", "dataSet"}, deRef,
                            String.join(",", targets.stream().map(DataSet::id).toList()));
                    continue;
                }
            }
            if (strictOu && deSets.stream().noneMatch(d -> d.orgUnitIds().contains(ou.id()))) {
                reject(ctx, i, "E7636", "orgUnit", new String[]{"organisationUnit", "dataElement"}, ouRef, deRef); continue;
            }
            DataSet approval = ds != null ? ds : deSets.isEmpty() ? null : deSets.get(0);
            if (approval != null && !force) {
                if (approval.expiryDays() > 0 && now.isAfter(pe.end().atStartOfDay().plusDays(approval.expiryDays()))) {
                    reject(ctx, i, "E7640", "period", new String[]{"period", "dataSet"}, peRef, approval.id()); continue;
                }
                Period latest = latestOpenFuturePeriod(deSets, now.toLocalDate());
                if (latest != null && pe.isAfter(latest)) {
                    reject(ctx, i, "E7641", "period", new String[]{"period", "dataElement"}, peRef, deRef, latest.iso()); continue;
                }
                if (!inputAllowed(approval, pe, now)) {
                    reject(ctx, i, "E7643", "period", new String[]{"period", "dataSet"}, peRef, approval.id()); continue;
                }
            }

            // ---- store
            Key key = new Key(de.id(), pe.iso(), ou.id(), coc, aoc);
            StoredValue existing = store.get(key);
            StoredValue incoming = new StoredValue(de.id(), pe.iso(), ou.id(), coc, aoc, trim(value) == null ? null : value,
                    comment, followup, storedBy, Instant.now(options.clock));
            boolean zeroInsignificant = !de.zeroIsSignificant() && isZero(value, de.valueType());
            if (zeroInsignificant && (existing == null || strategy.equals("CREATE"))) {
                ctx.ignored++;
                continue;
            }
            if (existing != null) {
                switch (strategy) {
                    case "CREATE_AND_UPDATE", "UPDATE" -> {
                        if (nullValue || zeroInsignificant) {
                            ctx.deleted++;
                            if (!dryRun) store.remove(key);
                        } else if (Objects.equals(existing.value(), incoming.value()) && Objects.equals(existing.comment(), incoming.comment())
                                && existing.followup() == incoming.followup()) {
                            if (options.unchangedAsUpdated) ctx.updated++; else ctx.ignored++;
                        } else {
                            ctx.updated++;
                            if (!dryRun) store.put(key, incoming);
                        }
                    }
                    case "DELETE" -> {
                        ctx.deleted++;
                        if (!dryRun) store.remove(key);
                    }
                    default -> { ctx.ignored++; ctx.rejected.add(i); }
                }
            } else {
                if (strategy.equals("CREATE_AND_UPDATE") || strategy.equals("CREATE")) {
                    if (incoming.value() == null && trim(comment) == null) { ctx.ignored++; continue; }
                    ctx.imported++;
                    if (!dryRun) store.put(key, incoming);
                } else {
                    ctx.ignored++;
                    ctx.rejected.add(i);
                }
            }
        }
        String complete = "false";
        String completeDate = trim(text(set, "completeDate"));
        if (ds != null && completeDate != null) complete = completeDate;
        return new Result(ctx.conflicts.isEmpty() ? "SUCCESS" : "WARNING", counts(ctx), ctx.conflicts, ctx.rejected, complete);
    }

    private static void reject(Ctx ctx, int index, String code, String property, String[] types, Object... args) {
        ctx.conflict(index, code, property, types, args);
        ctx.ignored++;
        ctx.rejected.add(index);
    }

    private static Map<String, Integer> counts(Ctx ctx) {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("imported", ctx.imported);
        m.put("updated", ctx.updated);
        m.put("ignored", ctx.ignored);
        m.put("deleted", ctx.deleted);
        return m;
    }

    /** DHIS2 DataElement.getLatestOpenFuturePeriod: rewind one from the current period, then forward openFuturePeriods. */
    private static Period latestOpenFuturePeriod(List<DataSet> sets, LocalDate today) {
        if (sets.isEmpty()) return null;
        int open = sets.stream().mapToInt(DataSet::openFuturePeriods).max().orElse(0);
        Period current = Periods.containing(sets.get(0).periodType(), today);
        return Periods.shift(Periods.shift(current, -1), open);
    }

    private static boolean inputAllowed(DataSet ds, Period pe, LocalDateTime now) {
        if (ds.dataInputPeriods().isEmpty()) return true;
        for (DataInputPeriod p : ds.dataInputPeriods()) {
            if (!p.period().equals(pe.iso())) continue;
            if (p.openingDate() != null && now.isBefore(p.openingDate())) continue;
            if (p.closingDate() != null && now.isAfter(p.closingDate())) continue;
            return true;
        }
        return false;
    }

    private static final Pattern INT = Pattern.compile("^(0|-?[1-9]\\d*)$");
    private static final Pattern POS_INT = Pattern.compile("^[1-9]\\d*$");
    private static final Pattern NEG_INT = Pattern.compile("^-[1-9]\\d*$");
    private static final Pattern ZERO_POS_INT = Pattern.compile("^(0|[1-9]\\d*)$");
    private static final Pattern NUMERIC = Pattern.compile("^(-?0|-?[1-9]\\d*)(\\.\\d+)?(E(-)?\\d+)?$");

    /** ValidationUtils.dataValueIsValid: the i18n key of the violation, or null. */
    static String validValue(String value, String type) {
        if (value.length() > 50000) return "value_length_greater_than_max_length";
        return switch (type) {
            case "INTEGER" -> INT.matcher(value).matches() && fitsInt(value) ? null : "value_not_integer";
            case "INTEGER_POSITIVE" -> POS_INT.matcher(value).matches() && fitsInt(value) ? null : "value_not_positive_integer";
            case "INTEGER_NEGATIVE" -> NEG_INT.matcher(value).matches() && fitsInt(value) ? null : "value_not_negative_integer";
            case "INTEGER_ZERO_OR_POSITIVE" -> ZERO_POS_INT.matcher(value).matches() && fitsInt(value) ? null : "value_not_zero_or_positive_integer";
            case "NUMBER" -> NUMERIC.matcher(value).matches() ? null : "value_not_numeric";
            case "PERCENTAGE" -> NUMERIC.matcher(value).matches() && Double.parseDouble(value) >= 0 && Double.parseDouble(value) <= 100 ? null : "value_not_percentage";
            case "BOOLEAN" -> value.matches("(?i)true|false|1|0|t|f") ? null : "value_not_bool";
            case "TRUE_ONLY" -> value.matches("(?i)true|1|t") ? null : "value_not_true_only";
            case "DATE" -> Periods.parse(value.replace("-", "")) != null && value.matches("\\d{4}-\\d{2}-\\d{2}") ? null : "value_not_valid_date";
            default -> null;
        };
    }

    private static boolean fitsInt(String v) {
        try {
            Integer.parseInt(v);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isZero(String value, String type) {
        if (value == null) return false;
        if (!(type.startsWith("INTEGER") || type.equals("NUMBER") || type.equals("PERCENTAGE"))) return false;
        return NUMERIC.matcher(value).matches() && Double.parseDouble(value) == 0.0;
    }

    // ---- identifier schemes

    private static String scheme(String payload, String url, String fallback) {
        String s = firstNonNull(payload, url, fallback);
        return s.toUpperCase().startsWith("ATTRIBUTE:") ? "ATTRIBUTE" : s.toUpperCase();
    }

    private DataElement findDataElement(String ref, String scheme) {
        return model.dataElements().stream().filter(d -> matches(ref, scheme, d.id(), d.code(), d.name())).findFirst().orElse(null);
    }

    private OrgUnit findOrgUnit(String ref, String scheme) {
        if (scheme.equals("UID")) return model.orgUnit(ref);
        if (scheme.equals("CODE")) return model.orgUnitByCode(ref);
        return model.orgUnits().stream().filter(d -> matches(ref, scheme, d.id(), d.code(), d.name())).findFirst().orElse(null);
    }

    private DataSet findDataSet(String ref, String scheme) {
        return model.dataSets().stream().filter(d -> matches(ref, scheme, d.id(), d.code(), d.name())).findFirst().orElse(null);
    }

    private static String findCoc(String ref, String scheme) {
        return matches(ref, scheme, Dhis2Model.DEFAULT_COC, "default", "default") ? Dhis2Model.DEFAULT_COC : null;
    }

    private static boolean matches(String ref, String scheme, String id, String code, String name) {
        return switch (scheme) {
            case "UID", "ID" -> ref.equals(id);
            case "CODE" -> ref.equals(code);
            case "NAME" -> ref.equals(name);
            default -> false;
        };
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String trim(String s) {
        if (s == null) return null;
        String t = s.trim();
        return t.isEmpty() ? null : t;
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... xs) {
        for (T x : xs) if (x != null) return x;
        return null;
    }

    /** The ImportSummary JSON ({@code bare}: the ≤ 2.37 form, with {object, value} conflicts and no rejectedIndexes). */
    static ObjectNode summaryJson(ObjectMapper json, Result r, boolean bare) {
        ObjectNode s = json.createObjectNode();
        s.put("responseType", "ImportSummary").put("status", r.status());
        if (!r.status().equals("ERROR")) s.put("description", "Import process completed successfully");
        ObjectNode c = s.putObject("importCount");
        r.counts().forEach(c::put);
        ArrayNode conflicts = s.putArray("conflicts");
        for (Conflict k : r.conflicts()) {
            ObjectNode o = conflicts.addObject();
            o.put("object", k.object());
            if (!bare) {
                ObjectNode objs = o.putObject("objects");
                k.objects().forEach(objs::put);
            }
            o.put("value", k.value());
            if (!bare) {
                o.put("errorCode", k.errorCode());
                if (k.property() != null) o.put("property", k.property());
                if (!k.indexes().isEmpty()) {
                    ArrayNode idx = o.putArray("indexes");
                    k.indexes().forEach(idx::add);
                }
            }
        }
        if (!bare) {
            ArrayNode rej = s.putArray("rejectedIndexes");
            r.rejected().forEach(rej::add);
        }
        s.put("dataSetComplete", r.dataSetComplete());
        return s;
    }
}
