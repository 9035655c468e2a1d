package org.mhero.sandbox.ihris;

import ca.uhn.fhir.rest.api.SortOrderEnum;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceAndListParam;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.StringParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.param.TokenParamModifier;
import ca.uhn.fhir.rest.param.UriAndListParam;
import ca.uhn.fhir.rest.param.UriOrListParam;
import ca.uhn.fhir.rest.param.UriParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Resource;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/** Search parameter semantics shared by the providers (token, uri, reference, string, date range, sort). */
final class Params {
    private Params() {}

    /** A (system, code) pair a resource exposes for a token parameter. */
    record Tok(String system, String code) {}

    static Long lower(DateRangeParam r) {
        if (r == null || r.getLowerBound() == null || r.getLowerBound().getValue() == null) return null;
        return r.getLowerBoundAsInstant().getTime();
    }

    static Long upper(DateRangeParam r) {
        if (r == null || r.getUpperBound() == null || r.getUpperBound().getValue() == null) return null;
        return r.getUpperBoundAsInstant().getTime();
    }

    /** Only {@code _lastUpdated} is sortable; returns true for descending. Other sort keys are ignored. */
    static boolean descending(SortSpec sort) {
        for (SortSpec s = sort; s != null; s = s.getChain()) {
            if ("_lastUpdated".equals(s.getParamName())) return s.getOrder() == SortOrderEnum.DESC;
        }
        return false;
    }

    static void rejectOffset(RequestDetails rd) {
        if (rd != null && rd.getParameters().containsKey("_offset")) {
            throw new InvalidRequestException("_offset paging is not supported by this server: follow the next links");
        }
    }

    /** The ids named by {@code _id} (OR within a list, AND across lists), or null when absent. */
    static Set<String> ids(TokenAndListParam p) {
        if (p == null || p.getValuesAsQueryTokens().isEmpty()) return null;
        Set<String> out = null;
        for (TokenOrListParam or : p.getValuesAsQueryTokens()) {
            Set<String> s = new LinkedHashSet<>();
            for (TokenParam t : or.getValuesAsQueryTokens()) {
                String v = t.getValue();
                if (v == null) continue;
                for (String part : v.split(",")) {
                    String id = part.trim();
                    int slash = id.lastIndexOf('/');
                    if (slash >= 0) id = id.substring(slash + 1);
                    if (!id.isEmpty()) s.add(id);
                }
            }
            if (out == null) out = s; else out.retainAll(s);
        }
        return out;
    }

    static boolean tokenMatches(TokenParam t, String system, String code) {
        String ts = t.getSystem();
        String tv = t.getValue();
        if (ts != null) {
            if (ts.isEmpty()) {
                if (system != null && !system.isEmpty()) return false;
            } else if (!ts.equals(stripVersion(system))) {
                return false;
            }
        }
        return tv == null || tv.isEmpty() || tv.equals(code);
    }

    static String stripVersion(String system) {
        if (system == null) return null;
        int bar = system.indexOf('|');
        return bar < 0 ? system : system.substring(0, bar);
    }

    /** AND of ORs over the tokens a resource exposes; {@code :not} means "none of its tokens match". */
    static <R> Predicate<R> tokens(TokenAndListParam p, Function<R, Collection<Tok>> extract) {
        if (p == null || p.getValuesAsQueryTokens().isEmpty()) return null;
        List<List<TokenParam>> ands = new ArrayList<>();
        for (TokenOrListParam or : p.getValuesAsQueryTokens()) ands.add(or.getValuesAsQueryTokens());
        return r -> {
            Collection<Tok> toks = extract.apply(r);
            for (List<TokenParam> or : ands) {
                boolean any = false;
                for (TokenParam t : or) {
                    boolean hit = toks.stream().anyMatch(k -> tokenMatches(t, k.system(), k.code()));
                    if (t.getModifier() == TokenParamModifier.NOT ? !hit : hit) { any = true; break; }
                }
                if (!any) return false;
            }
            return true;
        };
    }

    /** A single, plain (no modifier) token, or null: lets providers use a cheap prefilter. */
    static TokenParam single(TokenAndListParam p) {
        if (p == null || p.getValuesAsQueryTokens().size() != 1) return null;
        List<TokenParam> or = p.getValuesAsQueryTokens().get(0).getValuesAsQueryTokens();
        return or.size() == 1 ? or.get(0) : null;
    }

    static Collection<Tok> tags(Resource r) {
        List<Tok> out = new ArrayList<>();
        for (Coding c : r.getMeta().getTag()) out.add(new Tok(c.getSystem(), c.getCode()));
        return out;
    }

    static Predicate<Resource> tag(TokenAndListParam p) { return tokens(p, Params::tags); }

    static Predicate<Resource> profile(UriAndListParam p) {
        if (p == null || p.getValuesAsQueryTokens().isEmpty()) return null;
        List<List<String>> ands = new ArrayList<>();
        for (UriOrListParam or : p.getValuesAsQueryTokens()) {
            List<String> l = new ArrayList<>();
            for (UriParam u : or.getValuesAsQueryTokens()) l.add(u.getValue());
            ands.add(l);
        }
        return r -> {
            for (List<String> or : ands) {
                if (or.stream().noneMatch(u -> r.getMeta().getProfile().stream().anyMatch(c -> u.equals(stripVersion(c.getValue()))))) {
                    return false;
                }
            }
            return true;
        };
    }

    /** References as "Type/id" (AND of ORs); bare ids get {@code defaultType}. */
    static List<Set<String>> references(ReferenceAndListParam p, String defaultType) {
        if (p == null || p.getValuesAsQueryTokens().isEmpty()) return null;
        List<Set<String>> out = new ArrayList<>();
        for (ReferenceOrListParam or : p.getValuesAsQueryTokens()) {
            Set<String> s = new LinkedHashSet<>();
            for (ReferenceParam r : or.getValuesAsQueryTokens()) {
                if (r.getChain() != null && !r.getChain().isEmpty()) {
                    throw new InvalidRequestException("chained parameters are not supported by this server");
                }
                String type = r.getResourceType() != null ? r.getResourceType() : defaultType;
                s.add(type + "/" + r.getIdPart());
            }
            out.add(s);
        }
        return out;
    }

    static Predicate<String> referenceMatcher(List<Set<String>> refs) {
        if (refs == null) return null;
        return ref -> {
            for (Set<String> or : refs) if (ref == null || !or.contains(ref)) return false;
            return true;
        };
    }

    /** FHIR string search: case- and accent-insensitive "starts with" ({@code :exact}, {@code :contains} honoured). */
    static boolean stringMatches(StringParam p, String value) {
        if (value == null) return false;
        if (p.isExact()) return value.equals(p.getValue());
        String v = normalize(value), q = normalize(p.getValue());
        return p.isContains() ? v.contains(q) : v.startsWith(q);
    }

    static String normalize(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
    }

    static Boolean bool(TokenParam p) {
        if (p == null || p.getValue() == null) return null;
        return switch (p.getValue()) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new InvalidRequestException("invalid boolean value '" + p.getValue() + "'");
        };
    }
}
