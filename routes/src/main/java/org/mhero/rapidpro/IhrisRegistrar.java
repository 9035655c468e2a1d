package org.mhero.rapidpro;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.exceptions.FhirClientConnectionException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Practitioner;
import org.mhero.store.Failures;

/**
 * Writes a health worker born in RapidPro to iHRIS as a Practitioner (contracts/ihris-fhir.md §4, §9–§10): first
 * {@code GET Practitioner?identifier=http://app.rapidpro.io/contact-uuid|<uuid>}, so that a contact registered by an
 * earlier attempt whose answer was lost (or whose link was not recorded) is found rather than created twice; then
 * {@code POST Practitioner}. Answers the Practitioner's id, or throws {@link Failed} with a reason fit for
 * {@code health_worker.review_reason} and the log (numbers masked).
 */
public final class IhrisRegistrar {
    /** Why a registration did not happen; {@code retryable} when iHRIS could not be reached or failed (5xx, 429). */
    public static final class Failed extends Exception {
        private final boolean retryable;

        Failed(String reason, boolean retryable) {
            super(reason);
            this.retryable = retryable;
        }

        public boolean retryable() { return retryable; }
    }

    private final IGenericClient client;

    public IhrisRegistrar(IGenericClient client) { this.client = client; }

    /** The id of the Practitioner that now stands for this contact in iHRIS (found, or created now). */
    public String register(UnknownContact contact) throws Failed {
        Practitioner p;
        try {
            p = contact.toPractitioner();
        } catch (IllegalArgumentException e) {
            throw new Failed(e.getMessage(), false);
        }
        try {
            Bundle found = client.search().forResource(Practitioner.class)
                    .where(Practitioner.IDENTIFIER.exactly().systemAndCode(UnknownContact.CONTACT_UUID_SYSTEM, contact.contactUuid()))
                    .returnBundle(Bundle.class).execute();
            for (Bundle.BundleEntryComponent e : found.getEntry()) {
                if (e.getResource() instanceof Practitioner existing) return existing.getIdElement().getIdPart();
            }
            MethodOutcome created = client.create().resource(p).execute();
            if (created.getId() == null || !created.getId().hasIdPart()) {
                throw new Failed("iHRIS answered the POST without the new Practitioner's id", true);
            }
            return created.getId().getIdPart();
        } catch (FhirClientConnectionException e) {
            throw new Failed("iHRIS could not be reached: " + Failures.maskNumbers(firstLine(e.getMessage())), true);
        } catch (BaseServerResponseException e) {
            int status = e.getStatusCode();
            throw new Failed("HTTP " + status + " from iHRIS: " + Failures.maskNumbers(firstLine(e.getMessage())),
                    status >= 500 || status == 429 || status == 408);
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
