package org.mhero.sandbox.dhis2;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The simulator's metadata: a deterministic org-unit tree (country → regions → districts → facilities), health-worker
 * users with messy free-text phone numbers, stock data elements and one data set. Typed records for tests; JSON in
 * the flattened DHIS2 shape for the API (rendered once and cached until the object changes). Thread-safe.
 */
public final class Dhis2Model {
    public record OrgUnit(String id, String code, String name, String shortName, int level, String path, String parentId,
                          String created, String lastUpdated) {}

    /**
     * A user. {@code phoneNumber} is the raw free text served by the API; {@code expectedE164} is what a correct
     * normaliser should make of it (empty when there is no number; two entries when the text holds two numbers).
     */
    public record User(String id, String username, String firstName, String surname, String email, String phoneNumber,
                       String whatsApp, boolean disabled, List<String> orgUnitIds, String created, String lastUpdated,
                       List<String> expectedE164) {
        public User withPhoneNumber(String phone, List<String> expected) {
            return new User(id, username, firstName, surname, email, phone, whatsApp, disabled, orgUnitIds, created, lastUpdated, expected);
        }
        public User withDisabled(boolean d) {
            return new User(id, username, firstName, surname, email, phoneNumber, whatsApp, d, orgUnitIds, created, lastUpdated, expectedE164);
        }
        public User withOrgUnits(List<String> ous) {
            return new User(id, username, firstName, surname, email, phoneNumber, whatsApp, disabled, List.copyOf(ous), created, lastUpdated, expectedE164);
        }
        User withLastUpdated(String ts) {
            return new User(id, username, firstName, surname, email, phoneNumber, whatsApp, disabled, orgUnitIds, created, ts, expectedE164);
        }
    }

    public record DataElement(String id, String code, String name, String shortName, String valueType,
                              boolean zeroIsSignificant, String created, String lastUpdated) {}

    /** A DHIS2 data input period: the data set only accepts {@code period} between opening and closing (null = open end). */
    public record DataInputPeriod(String period, LocalDateTime openingDate, LocalDateTime closingDate) {}

    public record DataSet(String id, String code, String name, String periodType, int expiryDays, int openFuturePeriods,
                          List<String> dataElementIds, List<String> orgUnitIds, List<DataInputPeriod> dataInputPeriods,
                          String created, String lastUpdated) {
        public DataSet withLocks(int expiryDays, int openFuturePeriods, List<DataInputPeriod> inputPeriods) {
            return new DataSet(id, code, name, periodType, expiryDays, openFuturePeriods, dataElementIds, orgUnitIds,
                    List.copyOf(inputPeriods), created, lastUpdated);
        }
        public DataSet withOrgUnits(List<String> ous) {
            return new DataSet(id, code, name, periodType, expiryDays, openFuturePeriods, dataElementIds, List.copyOf(ous),
                    dataInputPeriods, created, lastUpdated);
        }
    }

    public static final String DEFAULT_CATEGORY_COMBO = "bjDvmb4bfuf";
    public static final String DEFAULT_COC = "HllvX50cXC0";
    public static final String ADMIN_ID = "M5zQapPyTZI";
    static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");
    private static final String[] LEVEL_NAMES = {"National", "County", "District", "Facility"};

    private final ObjectMapper json;
    private final Dhis2Options options;
    private final LinkedHashMap<String, OrgUnit> orgUnits = new LinkedHashMap<>();
    private final LinkedHashMap<String, User> users = new LinkedHashMap<>();
    private final LinkedHashMap<String, DataElement> dataElements = new LinkedHashMap<>();
    private final LinkedHashMap<String, DataSet> dataSets = new LinkedHashMap<>();
    private final Map<String, ObjectNode> rendered = new HashMap<>();
    private final Map<String, ObjectNode> fixed = new LinkedHashMap<>();
    /** Counts the changes of the model, so that views derived from it (the simulator's list selections) know when to recompute. */
    private long version;

    Dhis2Model(Dhis2Options options, ObjectMapper json) {
        this.options = options;
        this.json = json;
        new Generator(options.seed).generate();
    }

    // ------------------------------------------------------------------ typed access

    public synchronized List<OrgUnit> orgUnits() { return List.copyOf(orgUnits.values()); }
    public synchronized List<OrgUnit> orgUnitsAtLevel(int level) { return orgUnits.values().stream().filter(o -> o.level() == level).toList(); }
    /** Health-worker users (the admin user, also served by /api/users, is not in this list). */
    public synchronized List<User> users() { return users.values().stream().filter(u -> !u.id().equals(ADMIN_ID)).toList(); }
    public synchronized List<DataElement> dataElements() { return List.copyOf(dataElements.values()); }
    public synchronized List<DataSet> dataSets() { return List.copyOf(dataSets.values()); }
    public synchronized OrgUnit orgUnit(String id) { return orgUnits.get(id); }
    public synchronized User user(String id) { return users.get(id); }
    public synchronized DataElement dataElement(String id) { return dataElements.get(id); }
    public synchronized DataSet dataSet(String id) { return dataSets.get(id); }
    public synchronized OrgUnit orgUnitByCode(String code) { return orgUnits.values().stream().filter(o -> code.equals(o.code())).findFirst().orElse(null); }
    public synchronized DataElement dataElementByCode(String code) { return dataElements.values().stream().filter(o -> code.equals(o.code())).findFirst().orElse(null); }
    public synchronized DataSet dataSetByCode(String code) { return dataSets.values().stream().filter(o -> code.equals(o.code())).findFirst().orElse(null); }
    /** The generated stock data set (code {@code STOCK}). */
    public DataSet stockDataSet() { return dataSetByCode("STOCK"); }

    /** Adds or replaces a user; {@code lastUpdated} is set to now (so incremental syncs see it). */
    public synchronized User putUser(User u) {
        User stamped = u.withLastUpdated(now());
        users.put(u.id(), stamped);
        rendered.remove(u.id());
        version++;
        return stamped;
    }
    public synchronized User updateUser(String id, UnaryOperator<User> change) {
        User u = users.get(id);
        if (u == null) throw new IllegalArgumentException("no user " + id);
        return putUser(change.apply(u));
    }
    public synchronized boolean removeUser(String id) {
        rendered.remove(id);
        version++;
        return users.remove(id) != null;
    }
    public synchronized DataSet putDataSet(DataSet ds) {
        DataSet stamped = new DataSet(ds.id(), ds.code(), ds.name(), ds.periodType(), ds.expiryDays(), ds.openFuturePeriods(),
                ds.dataElementIds(), ds.orgUnitIds(), ds.dataInputPeriods(), ds.created(), now());
        dataSets.put(ds.id(), stamped);
        rendered.remove(ds.id());
        version++;
        return stamped;
    }
    public synchronized List<DataSet> dataSetsOf(String dataElementId) {
        return dataSets.values().stream().filter(d -> d.dataElementIds().contains(dataElementId)).toList();
    }
    /** True if the unit is {@code ancestorId} or below it. */
    public synchronized boolean isUnder(String orgUnitId, String ancestorId) {
        OrgUnit o = orgUnits.get(orgUnitId);
        return o != null && o.path().contains("/" + ancestorId);
    }

    /** Changes with every change of the model's objects (users, data sets). */
    synchronized long version() { return version; }

    String now() { return LocalDateTime.now(options.clock).format(TS); }

    // ------------------------------------------------------------------ JSON (flattened full form)

    /** Full JSON of any identifiable object the API knows (org units, users, data elements, data sets, combos). */
    synchronized ObjectNode byId(String id) {
        ObjectNode n = rendered.get(id);
        if (n != null) return n;
        if (orgUnits.containsKey(id)) n = render(orgUnits.get(id));
        else if (users.containsKey(id)) n = render(users.get(id));
        else if (dataElements.containsKey(id)) n = render(dataElements.get(id));
        else if (dataSets.containsKey(id)) n = render(dataSets.get(id));
        else return fixed.get(id);
        rendered.put(id, n);
        return n;
    }

    synchronized List<ObjectNode> collection(String name) {
        Collection<String> ids = switch (name) {
            case "organisationUnits" -> orgUnits.keySet();
            case "users" -> users.keySet();
            case "dataElements" -> dataElements.keySet();
            case "dataSets" -> dataSets.keySet();
            case "organisationUnitLevels", "categoryCombos", "categoryOptionCombos" ->
                    fixed.entrySet().stream().filter(e -> name.equals(e.getValue().path("_type").asText())).map(Map.Entry::getKey).toList();
            default -> null;
        };
        if (ids == null) return null;
        List<ObjectNode> out = new ArrayList<>(ids.size());
        for (String id : List.copyOf(ids)) out.add(byId(id));
        return out;
    }

    private ObjectNode ref(String id) { return json.createObjectNode().put("id", id); }
    private ArrayNode refs(Collection<String> ids) {
        ArrayNode a = json.createArrayNode();
        ids.forEach(id -> a.add(ref(id)));
        return a;
    }

    private ObjectNode render(OrgUnit o) {
        ObjectNode n = json.createObjectNode();
        n.put("id", o.id()).put("code", o.code()).put("name", o.name()).put("shortName", o.shortName())
                .put("displayName", o.name()).put("displayShortName", o.shortName())
                .put("created", o.created()).put("lastUpdated", o.lastUpdated())
                .put("openingDate", "1990-01-01T00:00:00.000").put("level", o.level()).put("path", o.path())
                .put("featureType", "NONE");
        if (o.parentId() != null) n.set("parent", ref(o.parentId()));
        List<String> children = orgUnits.values().stream().filter(c -> o.id().equals(c.parentId())).map(OrgUnit::id).toList();
        n.set("children", refs(children));
        List<String> anc = new ArrayList<>(List.of(o.path().substring(1).split("/")));
        anc.remove(anc.size() - 1);
        n.set("ancestors", refs(anc));
        n.set("dataSets", refs(dataSets.values().stream().filter(d -> d.orgUnitIds().contains(o.id())).map(DataSet::id).toList()));
        n.set("attributeValues", json.createArrayNode());
        n.set("translations", json.createArrayNode());
        return n;
    }

    private ObjectNode render(User u) {
        ObjectNode n = json.createObjectNode();
        n.put("id", u.id()).put("created", u.created()).put("lastUpdated", u.lastUpdated())
                .put("name", u.firstName() + " " + u.surname()).put("displayName", u.firstName() + " " + u.surname())
                .put("firstName", u.firstName()).put("surname", u.surname());
        if (u.email() != null) n.put("email", u.email());
        if (u.phoneNumber() != null) n.put("phoneNumber", u.phoneNumber());
        if (u.whatsApp() != null) n.put("whatsApp", u.whatsApp());
        n.put("username", u.username()).put("externalAuth", false).put("disabled", u.disabled()).put("twoFA", false)
                .put("invitation", false).put("selfRegistered", false)
                .put("passwordLastUpdated", u.created()).put("lastLogin", u.lastUpdated());
        n.put("favorite", false);
        n.putObject("access").put("read", true).put("update", true).put("externalize", true).put("delete", true)
                .put("write", true).put("manage", true);
        n.set("userRoles", refs(List.of(u.id().equals(ADMIN_ID) ? "yrB6vc5Ip7r" : "Euq3XfEIEbx")));
        n.set("favorites", json.createArrayNode());
        n.set("translations", json.createArrayNode());
        n.set("userGroups", json.createArrayNode());
        n.set("organisationUnits", refs(u.orgUnitIds()));
        n.set("dataViewOrganisationUnits", refs(u.orgUnitIds()));
        n.set("teiSearchOrganisationUnits", json.createArrayNode());
        n.set("cogsDimensionConstraints", json.createArrayNode());
        n.set("catDimensionConstraints", json.createArrayNode());
        n.set("attributeValues", json.createArrayNode());
        return n;
    }

    private ObjectNode render(DataElement d) {
        ObjectNode n = json.createObjectNode();
        n.put("id", d.id()).put("code", d.code()).put("name", d.name()).put("shortName", d.shortName())
                .put("displayName", d.name()).put("displayShortName", d.shortName())
                .put("created", d.created()).put("lastUpdated", d.lastUpdated())
                .put("valueType", d.valueType()).put("domainType", "AGGREGATE").put("aggregationType", "SUM")
                .put("zeroIsSignificant", d.zeroIsSignificant());
        n.set("categoryCombo", ref(DEFAULT_CATEGORY_COMBO));
        n.set("dataSetElements", dataSetElements(dataSetsOf(d.id()).stream().map(DataSet::id).toList(), d.id()));
        n.set("attributeValues", json.createArrayNode());
        return n;
    }

    private ArrayNode dataSetElements(List<String> dsIds, String deId) {
        ArrayNode a = json.createArrayNode();
        for (String ds : dsIds) {
            ObjectNode e = json.createObjectNode();
            e.set("dataSet", ref(ds));
            e.set("dataElement", ref(deId));
            a.add(e);
        }
        return a;
    }

    private ObjectNode render(DataSet d) {
        ObjectNode n = json.createObjectNode();
        n.put("id", d.id()).put("code", d.code()).put("name", d.name()).put("shortName", d.name())
                .put("displayName", d.name()).put("created", d.created()).put("lastUpdated", d.lastUpdated())
                .put("periodType", d.periodType()).put("expiryDays", d.expiryDays())
                .put("openFuturePeriods", d.openFuturePeriods()).put("timelyDays", 15);
        n.set("categoryCombo", ref(DEFAULT_CATEGORY_COMBO));
        ArrayNode dse = json.createArrayNode();
        for (String de : d.dataElementIds()) {
            ObjectNode e = json.createObjectNode();
            e.set("dataSet", ref(d.id()));
            e.set("dataElement", ref(de));
            dse.add(e);
        }
        n.set("dataSetElements", dse);
        n.set("organisationUnits", refs(d.orgUnitIds()));
        ArrayNode dip = json.createArrayNode();
        for (DataInputPeriod p : d.dataInputPeriods()) {
            ObjectNode e = json.createObjectNode();
            e.set("period", ref(p.period()));
            if (p.openingDate() != null) e.put("openingDate", p.openingDate().format(TS));
            if (p.closingDate() != null) e.put("closingDate", p.closingDate().format(TS));
            dip.add(e);
        }
        n.set("dataInputPeriods", dip);
        n.set("attributeValues", json.createArrayNode());
        return n;
    }

    // ------------------------------------------------------------------ generator

    private final class Generator {
        private final Random r;
        private int minute;

        Generator(long seed) { this.r = new Random(seed); }

        private String ts() { return LocalDateTime.of(2024, 1, 15, 8, 0).plusMinutes(minute++).format(TS); }

        String uid() {
            String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
            String all = letters + "0123456789";
            StringBuilder b = new StringBuilder().append(letters.charAt(r.nextInt(letters.length())));
            for (int i = 0; i < 10; i++) b.append(all.charAt(r.nextInt(all.length())));
            return b.toString();
        }

        void generate() {
            String[] counties = {"Montserrado", "Nimba", "Bong", "Lofa", "Grand Bassa", "Margibi", "Grand Gedeh", "Maryland",
                    "Sinoe", "Bomi", "Grand Cape Mount", "River Cess", "Gbarpolu", "Grand Kru", "River Gee"};
            String[] towns = {"Gbarnga", "Kakata", "Ganta", "Zwedru", "Voinjama", "Buchanan", "Harper", "Tubmanburg",
                    "Sanniquellie", "Robertsport", "Greenville", "Fish Town", "Barclayville", "Bopolu", "Cestos",
                    "Salala", "Totota", "Palala", "Yekepa", "Foya", "Kolahun", "Zorzor", "Saclepea", "Tappita"};
            String[] kinds = {"Clinic", "Health Center", "Community Clinic", "Hospital"};
            OrgUnit root = addOu("LR", "Liberia", 1, null);
            fixedLevels();
            fixedCombos();
            List<OrgUnit> facilities = new ArrayList<>();
            List<OrgUnit> districts = new ArrayList<>();
            int fac = 0;
            for (int ri = 0; ri < options.regions; ri++) {
                String county = ri < counties.length ? counties[ri] : "County " + (ri + 1);
                OrgUnit region = addOu(String.format("LR-%02d", ri + 1), county + " County", 2, root);
                for (int di = 0; di < options.districtsPerRegion; di++) {
                    OrgUnit district = addOu(String.format("LR-%02d-%02d", ri + 1, di + 1), county + " District " + (di + 1), 3, region);
                    districts.add(district);
                    for (int fi = 0; fi < options.facilitiesPerDistrict; fi++) {
                        fac++;
                        String name = towns[r.nextInt(towns.length)] + " " + kinds[r.nextInt(kinds.length)] + " " + fac;
                        facilities.add(addOu(String.format("FAC%04d", fac), name, 4, district));
                    }
                }
            }
            // data elements
            addDe("ORS", "ORS sachets", "INTEGER_ZERO_OR_POSITIVE", true);
            addDe("ZINC", "Zinc tablets", "INTEGER_ZERO_OR_POSITIVE", true);
            addDe("AMOX", "Amoxicillin 250mg", "INTEGER_ZERO_OR_POSITIVE", true);
            addDe("ACT", "Artemether-lumefantrine (ACT)", "INTEGER_ZERO_OR_POSITIVE", true);
            addDe("RDT", "Malaria rapid diagnostic tests", "INTEGER_ZERO_OR_POSITIVE", true);
            addDe("PARA", "Paracetamol 500mg", "INTEGER_ZERO_OR_POSITIVE", false);
            addDe("CHW_VISITS", "CHW household visits", "INTEGER_POSITIVE", false);
            addDe("FRIDGE_TEMP", "Vaccine fridge temperature", "NUMBER", true);
            addDe("STOCK_NOTE", "Stock remarks", "TEXT", false);
            addDe("VITA", "Vitamin A capsules given", "INTEGER_ZERO_OR_POSITIVE", true);
            List<String> chwCodes = List.of("CHW_VISITS", "VITA");
            List<String> stockElements = dataElements.values().stream().filter(d -> !chwCodes.contains(d.code())).map(DataElement::id).toList();
            List<String> chwElements = dataElements.values().stream().filter(d -> chwCodes.contains(d.code())).map(DataElement::id).toList();
            // every 10th facility is not assigned to the data set (E7636)
            List<String> assigned = new ArrayList<>();
            for (int i = 0; i < facilities.size(); i++) if (i % 10 != 9) assigned.add(facilities.get(i).id());
            String t = ts();
            DataSet ds = new DataSet(uid(), "STOCK", "Monthly stock report", options.periodType, options.expiryDays,
                    options.openFuturePeriods, stockElements, assigned, List.of(), t, t);
            dataSets.put(ds.id(), ds);
            t = ts();
            DataSet chw = new DataSet(uid(), "CHW", "CHW monthly activity", "Monthly", 0, 1, chwElements,
                    facilities.stream().map(OrgUnit::id).toList(), List.of(), t, t);
            dataSets.put(chw.id(), chw);
            // admin + health workers
            t = ts();
            users.put(ADMIN_ID, new User(ADMIN_ID, options.username, "System", "Administrator", "admin@example.org", null,
                    null, false, List.of(root.id()), t, t, List.of()));
            String[] first = {"Musu", "Fatu", "Comfort", "Esther", "Mary", "Joseph", "Samuel", "Moses", "Emmanuel",
                    "Patience", "Blessing", "Korpo", "Yah", "Garmai", "Mamie", "Sia", "Tenneh", "James", "Varney", "Jallah"};
            String[] last = {"Kollie", "Flomo", "Kpoto", "Johnson", "Doe", "Kamara", "Cooper", "Tarr", "Weah", "Togba",
                    "Kromah", "Sumo", "Massaquoi", "Dolo", "Gbowee", "Sirleaf", "Freeman", "Zinnah", "Kpadeh", "Wesseh"};
            String lastNsn = null;
            for (int i = 0; i < options.users; i++) {
                String fn = first[r.nextInt(first.length)], sn = last[r.nextInt(last.length)];
                // Liberian mobiles as libphonenumber knows them: 77/88 + 7 digits, 555 + 6 digits (9 digits in all)
                int kind = r.nextInt(3);
                String nsn = kind == 2 ? "555" + String.format("%06d", r.nextInt(1_000_000))
                        : new String[]{"77", "88"}[kind] + String.format("%07d", r.nextInt(10_000_000));
                if (lastNsn != null && i % 25 == 24) nsn = lastNsn; // shared number
                lastNsn = nsn;
                String nsn2 = "88" + String.format("%07d", r.nextInt(10_000_000));
                String phone;
                List<String> expected = List.of("+231" + nsn);
                switch (i % 12) {
                    case 0, 6 -> phone = "0" + nsn;
                    case 1, 9 -> phone = "+231" + nsn;
                    case 2 -> phone = "231" + nsn;
                    case 3 -> phone = "0" + nsn.substring(0, 2) + "-" + nsn.substring(2, 5) + "-" + nsn.substring(5);
                    case 4 -> phone = "+231 " + nsn.substring(0, 2) + " " + nsn.substring(2, 5) + " " + nsn.substring(5);
                    case 5 -> phone = "(0" + nsn.substring(0, 2) + ") " + nsn.substring(2, 5) + "." + nsn.substring(5);
                    case 7 -> { phone = "0" + nsn + "/0" + nsn2; expected = List.of("+231" + nsn, "+231" + nsn2); }
                    case 8 -> phone = "++231" + nsn;
                    case 10 -> { phone = null; expected = List.of(); }
                    default -> { phone = " "; expected = List.of(); }
                }
                List<String> ous;
                int pick = r.nextInt(20);
                OrgUnit f = facilities.get(r.nextInt(facilities.size()));
                if (pick == 0) ous = List.of(districts.get(r.nextInt(districts.size())).id());
                else if (pick == 1) ous = List.of(f.id(), facilities.get(r.nextInt(facilities.size())).id()).stream().distinct().toList();
                else ous = List.of(f.id());
                String id = uid();
                t = ts();
                String username = (fn.charAt(0) + sn).toLowerCase() + (i + 1);
                users.put(id, new User(id, username, fn, sn, i % 3 == 0 ? username + "@moh.gov.lr" : null, phone,
                        i % 7 == 0 && phone != null ? "+231" + nsn : null, r.nextInt(100) < 6, ous, t, t, expected));
            }
        }

        private OrgUnit addOu(String code, String name, int level, OrgUnit parent) {
            String id = uid();
            String t = ts();
            OrgUnit o = new OrgUnit(id, code, name, name.length() > 50 ? name.substring(0, 50) : name, level,
                    (parent == null ? "" : parent.path()) + "/" + id, parent == null ? null : parent.id(), t, t);
            orgUnits.put(id, o);
            return o;
        }

        private void addDe(String code, String name, String valueType, boolean zeroSignificant) {
            String t = ts();
            DataElement d = new DataElement(uid(), code, name, name.length() > 50 ? name.substring(0, 50) : name, valueType, zeroSignificant, t, t);
            dataElements.put(d.id(), d);
        }

        private void fixedLevels() {
            for (int l = 1; l <= 4; l++) {
                String id = uid();
                ObjectNode n = json.createObjectNode().put("_type", "organisationUnitLevels").put("id", id)
                        .put("level", l).put("name", LEVEL_NAMES[l - 1]).put("displayName", LEVEL_NAMES[l - 1])
                        .put("created", ts()).put("lastUpdated", ts());
                fixed.put(id, n);
            }
        }

        private void fixedCombos() {
            String t = ts();
            ObjectNode cc = json.createObjectNode().put("_type", "categoryCombos").put("id", DEFAULT_CATEGORY_COMBO)
                    .put("code", "default").put("name", "default").put("displayName", "default")
                    .put("created", t).put("lastUpdated", t).put("dataDimensionType", "DISAGGREGATION").put("isDefault", true);
            cc.set("categoryOptionCombos", json.createArrayNode().add(ref(DEFAULT_COC)));
            cc.set("categories", json.createArrayNode().add(ref("GLevLNI9wkl")));
            fixed.put(DEFAULT_CATEGORY_COMBO, cc);
            ObjectNode coc = json.createObjectNode().put("_type", "categoryOptionCombos").put("id", DEFAULT_COC)
                    .put("code", "default").put("name", "default").put("displayName", "default")
                    .put("created", t).put("lastUpdated", t).put("ignoreApproval", false);
            coc.set("categoryCombo", ref(DEFAULT_CATEGORY_COMBO));
            fixed.put(DEFAULT_COC, coc);
        }
    }
}
