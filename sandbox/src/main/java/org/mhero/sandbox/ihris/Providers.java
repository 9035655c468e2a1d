package org.mhero.sandbox.ihris;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceAndListParam;
import ca.uhn.fhir.rest.param.StringParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.param.TokenParamModifier;
import ca.uhn.fhir.rest.param.UriAndListParam;
import ca.uhn.fhir.rest.param.UriParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.r4.model.Basic;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/** The five resource providers of the sandbox iHRIS. */
final class Providers {
    private Providers() {}

    static List<TableProvider> all(IhrisStore store, FhirContext ctx) {
        return List.of(new PractitionerProvider(store, ctx), new PractitionerRoleProvider(store, ctx),
                new LocationProvider(store, ctx), new CodeSystemProvider(store, ctx), new BasicProvider(store, ctx));
    }

    static boolean wants(Set<Include> includes, String value) {
        if (includes == null) return false;
        for (Include i : includes) if (i.getValue().equals(value) || i.getValue().equals("*")) return true;
        return false;
    }

    // ================================================================== Practitioner

    static final class PractitionerProvider extends TableProvider {
        PractitionerProvider(IhrisStore store, FhirContext ctx) { super(store, ctx, "Practitioner", Practitioner.class); }

        @Search
        public IBundleProvider search(
                @OptionalParam(name = "_id") TokenAndListParam id,
                @OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated,
                @OptionalParam(name = "_tag") TokenAndListParam tag,
                @OptionalParam(name = "_profile") UriAndListParam profile,
                @OptionalParam(name = "identifier") TokenAndListParam identifier,
                @OptionalParam(name = "active") TokenParam active,
                @OptionalParam(name = "name") StringParam name,
                @OptionalParam(name = "family") StringParam family,
                @OptionalParam(name = "given") StringParam given,
                @OptionalParam(name = "phone") TokenAndListParam phone,
                @OptionalParam(name = "phonenumber") StringParam phonenumber,
                @OptionalParam(name = "telecom") TokenAndListParam telecom,
                @IncludeParam(reverse = true, allow = {"PractitionerRole:practitioner", "Basic:practitioner", "*"}) Set<Include> revIncludes,
                @Sort SortSpec sort,
                RequestDetails rd) {
            IhrisGenerator g = store.gen;
            Selection.Criteria c = Selection.Criteria.ALL;

            Boolean act = Params.bool(active);
            if (act != null) {
                boolean want = act;
                c = c.and(i -> g.active(i) == want, r -> ((Practitioner) r).getActive() == want);
            }
            Predicate<Resource> tagTest = Params.tag(tag);
            if (tagTest != null) {
                TokenParam t = Params.single(tag);
                IntPredicate pf = null;
                if (t != null && IhrisGenerator.OPTOUT_SYSTEM.equals(t.getSystem()) && IhrisGenerator.OPTOUT_CODE.equals(t.getValue())) {
                    pf = t.getModifier() == TokenParamModifier.NOT ? i -> !g.optedOut(i) : t.getModifier() == null ? g::optedOut : null;
                }
                c = c.and(pf, tagTest);
            }
            c = c.and(null, Params.profile(profile));
            Predicate<Resource> idTest = Params.tokens(identifier, PractitionerProvider::identifiers);
            if (idTest != null) c = c.and(identifierPrefilter(Params.single(identifier)), idTest);
            if (name != null) c = c.and(null, r -> names((Practitioner) r).stream().anyMatch(s -> Params.stringMatches(name, s)));
            if (family != null) c = c.and(null, r -> ((Practitioner) r).getName().stream().anyMatch(n -> Params.stringMatches(family, n.getFamily())));
            if (given != null) c = c.and(null, r -> ((Practitioner) r).getName().stream()
                    .anyMatch(n -> n.getGiven().stream().anyMatch(s -> Params.stringMatches(given, s.getValue()))));
            c = c.and(null, Params.tokens(phone, r -> telecoms((Practitioner) r, ContactPoint.ContactPointSystem.PHONE)));
            c = c.and(null, Params.tokens(telecom, r -> telecoms((Practitioner) r, null)));
            if (phonenumber != null) c = c.and(null, r -> telecoms((Practitioner) r, ContactPoint.ContactPointSystem.PHONE).stream()
                    .anyMatch(t -> Params.stringMatches(phonenumber, t.code())));

            boolean roles = wants(revIncludes, "PractitionerRole:practitioner");
            boolean trainings = revIncludes != null && revIncludes.stream().anyMatch(i -> i.getValue().equals("Basic:practitioner"));
            return search(Params.ids(id), lastUpdated, c, Params.descending(sort), roles || trainings ? page -> {
                List<Resource> inc = new ArrayList<>();
                for (Resource p : page) {
                    String pid = p.getIdElement().getIdPart();
                    if (roles) inc.addAll(store.rolesOf(pid));
                    if (trainings) inc.addAll(BasicProvider.trainingsOf(store, pid));
                }
                return inc;
            } : null, rd);
        }

        private IntPredicate identifierPrefilter(TokenParam t) {
            if (t == null || t.getModifier() != null || t.getSystem() == null) return null;
            IhrisGenerator g = store.gen;
            String v = t.getValue() == null ? "" : t.getValue();
            switch (t.getSystem()) {
                case IhrisGenerator.CONTACT_UUID_SYSTEM -> {
                    if (v.isEmpty()) return g::hasContactUuid;
                    int idx = g.contactUuidIndex(v);
                    return i -> i == idx;
                }
                case IhrisGenerator.EMPLOYEE_ID_SYSTEM -> {
                    if (v.isEmpty()) return g::hasEmployeeNumber;
                    int idx = g.employeeNumberIndex(v);
                    return i -> i == idx && g.hasEmployeeNumber(i);
                }
                case IhrisGenerator.NATIONAL_ID_SYSTEM -> {
                    return v.isEmpty() ? g::hasNationalId : i -> g.hasNationalId(i) && g.nationalId(i).equals(v);
                }
                default -> { return null; }
            }
        }

        static Collection<Params.Tok> identifiers(Resource r) {
            List<Params.Tok> out = new ArrayList<>();
            for (Identifier i : ((Practitioner) r).getIdentifier()) out.add(new Params.Tok(i.getSystem(), i.getValue()));
            return out;
        }

        static Collection<Params.Tok> telecoms(Practitioner p, ContactPoint.ContactPointSystem system) {
            List<Params.Tok> out = new ArrayList<>();
            for (ContactPoint cp : p.getTelecom()) {
                if (system != null && cp.getSystem() != system) continue;
                if (cp.hasValue()) out.add(new Params.Tok(cp.hasSystem() ? cp.getSystem().toCode() : null, cp.getValue()));
            }
            return out;
        }

        static List<String> names(Practitioner p) {
            List<String> out = new ArrayList<>();
            for (HumanName n : p.getName()) {
                if (n.hasText()) out.add(n.getText());
                if (n.hasFamily()) out.add(n.getFamily());
                for (StringType s : n.getGiven()) out.add(s.getValue());
            }
            return out;
        }
    }

    // ================================================================== PractitionerRole

    static final class PractitionerRoleProvider extends TableProvider {
        PractitionerRoleProvider(IhrisStore store, FhirContext ctx) { super(store, ctx, "PractitionerRole", PractitionerRole.class); }

        @Search
        public IBundleProvider search(
                @OptionalParam(name = "_id") TokenAndListParam id,
                @OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated,
                @OptionalParam(name = "_profile") UriAndListParam profile,
                @OptionalParam(name = "_tag") TokenAndListParam tag,
                @OptionalParam(name = "practitioner") ReferenceAndListParam practitioner,
                @OptionalParam(name = "location") ReferenceAndListParam location,
                @OptionalParam(name = "role") TokenAndListParam role,
                @OptionalParam(name = "active") TokenParam active,
                @IncludeParam(allow = {"PractitionerRole:practitioner", "PractitionerRole:location", "*"}) Set<Include> includes,
                @Sort SortSpec sort,
                RequestDetails rd) {
            IhrisGenerator g = store.gen;
            int n = g.n;
            Selection.Criteria c = Selection.Criteria.ALL;
            Boolean act = Params.bool(active);
            if (act != null) c = c.and(null, r -> ((PractitionerRole) r).getActive() == act);
            c = c.and(null, Params.profile(profile)).and(null, Params.tag(tag));
            List<Set<String>> prac = Params.references(practitioner, "Practitioner");
            Predicate<String> pracMatch = Params.referenceMatcher(prac);
            if (pracMatch != null) {
                IntPredicate pf = r -> pracMatch.test("Practitioner/P" + (r < n ? r : 10 * (r - n) + 3));
                c = c.and(pf, r -> pracMatch.test(((PractitionerRole) r).getPractitioner().getReference()));
            }
            Predicate<String> locMatch = Params.referenceMatcher(Params.references(location, "Location"));
            if (locMatch != null) {
                c = c.and(null, r -> ((PractitionerRole) r).getLocation().stream().anyMatch(l -> locMatch.test(l.getReference())));
            }
            c = c.and(null, Params.tokens(role, r -> {
                List<Params.Tok> out = new ArrayList<>();
                for (var cc : ((PractitionerRole) r).getCode()) for (Coding cd : cc.getCoding()) out.add(new Params.Tok(cd.getSystem(), cd.getCode()));
                return out;
            }));
            boolean incP = wants(includes, "PractitionerRole:practitioner");
            boolean incL = wants(includes, "PractitionerRole:location");
            return search(Params.ids(id), lastUpdated, c, Params.descending(sort), incP || incL ? page -> {
                Set<String> refs = new LinkedHashSet<>();
                for (Resource r : page) {
                    PractitionerRole pr = (PractitionerRole) r;
                    if (incP && pr.hasPractitioner()) refs.add(pr.getPractitioner().getReference());
                    if (incL) for (Reference l : pr.getLocation()) refs.add(l.getReference());
                }
                return resolve(refs);
            } : null, rd);
        }
    }

    // ================================================================== Location

    static final class LocationProvider extends TableProvider {
        LocationProvider(IhrisStore store, FhirContext ctx) { super(store, ctx, "Location", Location.class); }

        @Search
        public IBundleProvider search(
                @OptionalParam(name = "_id") TokenAndListParam id,
                @OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated,
                @OptionalParam(name = "_profile") UriAndListParam profile,
                @OptionalParam(name = "type") TokenAndListParam type,
                @OptionalParam(name = "partof") ReferenceAndListParam partof,
                @OptionalParam(name = "name") StringParam name,
                @IncludeParam(allow = {"Location:partof", "*"}) Set<Include> includes,
                @Sort SortSpec sort,
                RequestDetails rd) {
            Selection.Criteria c = Selection.Criteria.ALL.and(null, Params.profile(profile));
            c = c.and(null, Params.tokens(type, r -> {
                List<Params.Tok> out = new ArrayList<>();
                for (var cc : ((Location) r).getType()) for (Coding cd : cc.getCoding()) out.add(new Params.Tok(cd.getSystem(), cd.getCode()));
                return out;
            }));
            Predicate<String> parent = Params.referenceMatcher(Params.references(partof, "Location"));
            if (parent != null) c = c.and(null, r -> parent.test(((Location) r).getPartOf().getReference()));
            if (name != null) c = c.and(null, r -> Params.stringMatches(name, ((Location) r).getName()));
            boolean inc = wants(includes, "Location:partof");
            boolean iterate = inc && includes.stream().anyMatch(Include::isRecurse);
            return search(Params.ids(id), lastUpdated, c, Params.descending(sort), inc ? page -> {
                Set<String> seen = new LinkedHashSet<>();
                List<Resource> out = new ArrayList<>();
                List<Resource> frontier = page;
                do {
                    Set<String> refs = new LinkedHashSet<>();
                    for (Resource r : frontier) {
                        String ref = ((Location) r).getPartOf().getReference();
                        if (ref != null && seen.add(ref)) refs.add(ref);
                    }
                    frontier = resolve(refs);
                    out.addAll(frontier);
                } while (iterate && !frontier.isEmpty());
                return out;
            } : null, rd);
        }
    }

    // ================================================================== CodeSystem

    static final class CodeSystemProvider extends TableProvider {
        CodeSystemProvider(IhrisStore store, FhirContext ctx) { super(store, ctx, "CodeSystem", CodeSystem.class); }

        @Search
        public IBundleProvider search(
                @OptionalParam(name = "_id") TokenAndListParam id,
                @OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated,
                @OptionalParam(name = "url") UriParam url,
                @OptionalParam(name = "name") StringParam name,
                @Sort SortSpec sort,
                RequestDetails rd) {
            Selection.Criteria c = Selection.Criteria.ALL;
            if (url != null) c = c.and(null, r -> url.getValue().equals(((CodeSystem) r).getUrl()));
            if (name != null) c = c.and(null, r -> Params.stringMatches(name, ((CodeSystem) r).getName()));
            return search(Params.ids(id), lastUpdated, c, Params.descending(sort), null, rd);
        }

        /** {@code CodeSystem/$lookup?system=…&code=…[&property=cadre]}. */
        @Operation(name = "$lookup", idempotent = true)
        public Parameters lookup(@OperationParam(name = "system") UriType system, @OperationParam(name = "code") CodeType code,
                                 @OperationParam(name = "coding") Coding coding,
                                 @OperationParam(name = "property", max = OperationParam.MAX_UNLIMITED) List<CodeType> properties) {
            String sys = system != null ? system.getValue() : coding != null ? coding.getSystem() : null;
            String cd = code != null ? code.getValue() : coding != null ? coding.getCode() : null;
            if (sys == null || cd == null) throw new InvalidRequestException("$lookup needs system and code (or coding)");
            CodeSystem cs = null;
            for (int k = 0; k < table.baseSize + 64 && cs == null; k++) {
                Resource r = k < table.baseSize ? table.readIndex(k) : null;
                if (r instanceof CodeSystem x && sys.equals(x.getUrl())) cs = x;
            }
            if (cs == null) {
                for (var e : table.overlay.values()) {
                    if (!e.deleted && e.current instanceof CodeSystem x && sys.equals(x.getUrl())) cs = (CodeSystem) x.copy();
                }
            }
            if (cs == null) throw new ResourceNotFoundException("Unknown CodeSystem " + sys);
            CodeSystem.ConceptDefinitionComponent concept = cs.getConcept().stream().filter(x -> cd.equals(x.getCode())).findFirst()
                    .orElseThrow(() -> new ResourceNotFoundException("Unable to find code[" + cd + "] in system[" + sys + "]"));
            Parameters out = new Parameters();
            out.addParameter().setName("name").setValue(new StringType(cs.getName()));
            if (cs.hasVersion()) out.addParameter().setName("version").setValue(new StringType(cs.getVersion()));
            out.addParameter().setName("display").setValue(new StringType(concept.getDisplay()));
            out.addParameter().setName("abstract").setValue(new BooleanType(false));
            for (var p : concept.getProperty()) {
                if (properties != null && !properties.isEmpty() && properties.stream().noneMatch(x -> p.getCode().equals(x.getValue()))) continue;
                Parameters.ParametersParameterComponent pp = out.addParameter().setName("property");
                pp.addPart().setName("code").setValue(new CodeType(p.getCode()));
                pp.addPart().setName("value").setValue(p.getValue().copy());
            }
            return out;
        }
    }

    // ================================================================== Basic (in-service training)

    static final class BasicProvider extends TableProvider {
        BasicProvider(IhrisStore store, FhirContext ctx) { super(store, ctx, "Basic", Basic.class); }

        static String practitionerRef(Resource r) {
            Extension e = ((Basic) r).getExtensionByUrl(IhrisGenerator.EXT_PRACTITIONER_REFERENCE);
            return e != null && e.getValue() instanceof Reference ref ? ref.getReference() : null;
        }

        static List<Resource> trainingsOf(IhrisStore store, String practitionerId) {
            List<Resource> out = new ArrayList<>();
            int i = store.gen.practitionerIndex(practitionerId);
            String ref = "Practitioner/" + practitionerId;
            if (i >= 0 && IhrisGenerator.hasTraining(i)) {
                Resource r = store.trainings.read("T" + i);
                if (r != null && ref.equals(practitionerRef(r))) out.add(r);
            }
            for (var e : store.trainings.overlay.values()) {
                if (e.deleted || e.baseIndex >= 0) continue;
                if (ref.equals(practitionerRef(e.current))) out.add(e.current.copy());
            }
            return out;
        }

        @Search
        public IBundleProvider search(
                @OptionalParam(name = "_id") TokenAndListParam id,
                @OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated,
                @OptionalParam(name = "_profile") UriAndListParam profile,
                @OptionalParam(name = "code") TokenAndListParam code,
                @OptionalParam(name = "practitioner") ReferenceAndListParam practitioner,
                @IncludeParam(allow = {"Basic:practitioner", "*"}) Set<Include> includes,
                @Sort SortSpec sort,
                RequestDetails rd) {
            Selection.Criteria c = Selection.Criteria.ALL.and(null, Params.profile(profile));
            c = c.and(null, Params.tokens(code, r -> {
                List<Params.Tok> out = new ArrayList<>();
                for (Coding cd : ((Basic) r).getCode().getCoding()) out.add(new Params.Tok(cd.getSystem(), cd.getCode()));
                return out;
            }));
            Predicate<String> pm = Params.referenceMatcher(Params.references(practitioner, "Practitioner"));
            if (pm != null) {
                c = c.and(k -> pm.test("Practitioner/P" + IhrisGenerator.trainingPractitioner(k)), r -> pm.test(practitionerRef(r)));
            }
            boolean inc = wants(includes, "Basic:practitioner");
            return search(Params.ids(id), lastUpdated, c, Params.descending(sort), inc ? page -> {
                Set<String> refs = new LinkedHashSet<>();
                for (Resource r : page) refs.add(practitionerRef(r));
                return resolve(refs);
            } : null, rd);
        }
    }
}
