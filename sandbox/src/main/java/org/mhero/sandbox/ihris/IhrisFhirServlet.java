package org.mhero.sandbox.ihris;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.FifoMemoryPagingProvider;
import ca.uhn.fhir.rest.server.RestfulServer;

/** HAPI's RestfulServer with the sandbox providers; paging like the HAPI JPA starter (20 by default, at most 200). */
final class IhrisFhirServlet extends RestfulServer {
    static final int DEFAULT_PAGE_SIZE = 20;
    static final int MAX_PAGE_SIZE = 200;
    private final transient IhrisStore store;

    IhrisFhirServlet(IhrisStore store, FhirContext ctx) {
        super(ctx);
        this.store = store;
    }

    @Override
    protected void initialize() {
        setDefaultResponseEncoding(EncodingEnum.JSON);
        setDefaultPrettyPrint(false);
        FifoMemoryPagingProvider paging = new FifoMemoryPagingProvider(2000);
        paging.setDefaultPageSize(DEFAULT_PAGE_SIZE);
        paging.setMaximumPageSize(MAX_PAGE_SIZE);
        setPagingProvider(paging);
        setDefaultPageSize(DEFAULT_PAGE_SIZE);   // history uses HAPI's offset paging with these
        setMaximumPageSize(MAX_PAGE_SIZE);
        setImplementationDescription("mHero sandbox iHRIS (HAPI FHIR RestfulServer over a generated store)");
        registerProviders(Providers.all(store, getFhirContext()));
    }
}
