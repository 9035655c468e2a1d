package org.mhero.sandbox.ihris;

import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.server.method.ResponsePage;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Resource;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * A search result served page by page: only the requested positions are read (generated or taken from the overlay),
 * then the page's _include/_revinclude targets are appended with {@code search.mode = include}. HAPI's paging
 * provider keeps this object, so {@code _getpages} links keep working while the data changes underneath.
 */
final class LazyBundleProvider implements IBundleProvider {
    /** Most resources one call may return (guards against a "give me everything" call on a million rows). */
    static final int MAX_PAGE = 1000;

    private final Selection selection;
    private final Function<List<Resource>, List<Resource>> includer;
    private final InstantType published = InstantType.withCurrentTime();
    private final String uuid = UUID.randomUUID().toString();

    LazyBundleProvider(Selection selection, Function<List<Resource>, List<Resource>> includer) {
        this.selection = selection;
        this.includer = includer;
    }

    @Override
    public List<IBaseResource> getResources(int from, int to) {
        return page(from, to, null);
    }

    @Override
    public List<IBaseResource> getResources(int from, int to, ResponsePage.ResponsePageBuilder builder) {
        return page(from, to, builder);
    }

    private List<IBaseResource> page(int from, int to, ResponsePage.ResponsePageBuilder builder) {
        to = (int) Math.min(to, Math.min((long) from + MAX_PAGE, selection.size));
        List<Resource> matches = selection.fetch(from, to);
        List<IBaseResource> out = new ArrayList<>(matches.size());
        Set<String> seen = new HashSet<>();
        for (Resource r : matches) {
            ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(r, BundleEntrySearchModeEnum.MATCH);
            seen.add(r.fhirType() + "/" + r.getIdElement().getIdPart());
            out.add(r);
        }
        int included = 0;
        if (includer != null && !matches.isEmpty()) {
            for (Resource r : includer.apply(matches)) {
                if (!seen.add(r.fhirType() + "/" + r.getIdElement().getIdPart())) continue;
                ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(r, BundleEntrySearchModeEnum.INCLUDE);
                out.add(r);
                included++;
            }
        }
        if (builder != null) {
            builder.setTotalRequestedResourcesFetched(matches.size());
            builder.setIncludedResourceCount(included);
        }
        return out;
    }

    @Override public IPrimitiveType<Date> getPublished() { return published; }
    @Override public String getUuid() { return uuid; }
    @Override public Integer preferredPageSize() { return null; }
    @Override public Integer size() { return selection.size; }
}
