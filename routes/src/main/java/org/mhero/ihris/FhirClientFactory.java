package org.mhero.ihris;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.rest.client.api.IClientInterceptor;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.IHttpRequest;
import ca.uhn.fhir.rest.client.api.IHttpResponse;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BasicAuthInterceptor;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import org.mhero.config.IhrisSettings;

/** Builds the FHIR R4 client the ihris routes use through camel-fhir ({@code client=#ihrisClient}). */
public final class FhirClientFactory {
    private static volatile FhirContext r4;

    private FhirClientFactory() {}

    /** One R4 context per JVM: building it scans the model and costs about a second. */
    public static FhirContext r4() {
        FhirContext c = r4;
        if (c == null) {
            synchronized (FhirClientFactory.class) {
                if (r4 == null) {
                    FhirContext ctx = FhirContext.forR4();
                    ctx.setParserErrorHandler(new LenientErrorHandler(false).setErrorOnInvalidValue(false));
                    r4 = ctx;
                }
                c = r4;
            }
        }
        return c;
    }

    public static IGenericClient create(IhrisSettings s) {
        FhirContext ctx = r4();
        ctx.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        ctx.getRestfulClientFactory().setConnectTimeout(s.connectTimeoutMs());
        ctx.getRestfulClientFactory().setSocketTimeout(s.socketTimeoutMs());
        IGenericClient client = ctx.newRestfulGenericClient(s.baseUrl());
        switch (s.auth()) {
            case "basic" -> client.registerInterceptor(new BasicAuthInterceptor(s.username(), s.password()));
            case "bearer" -> client.registerInterceptor(new BearerTokenAuthInterceptor(s.token()));
            default -> { }
        }
        // HAPI reuses identical search results for 60 s; a sync must see the current data (ihris-fhir.md §9)
        client.registerInterceptor(new IClientInterceptor() {
            @Override public void interceptRequest(IHttpRequest request) { request.addHeader("Cache-Control", "no-cache"); }
            @Override public void interceptResponse(IHttpResponse response) { }
        });
        return client;
    }
}
