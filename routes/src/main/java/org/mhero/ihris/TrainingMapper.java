package org.mhero.ihris;

import org.hl7.fhir.r4.model.Basic;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Reference;

import java.time.LocalDate;

/**
 * An iHRIS in-service training ({@code Basic}, profile ihris-basic-inservice-training, contracts/ihris-fhir.md §8) →
 * who was trained in what. Returns null for a Basic that is not a training of a practitioner.
 */
public final class TrainingMapper {
    static final String PRACTITIONER_REF = "http://ihris.org/fhir/StructureDefinition/ihris-practitioner-reference";
    static final String TRAINING = "http://ihris.org/fhir/StructureDefinition/ihris-inservice-training";
    public static final String PROFILE = "http://ihris.org/fhir/StructureDefinition/ihris-basic-inservice-training";

    /** One training of one practitioner. */
    public record Training(String sourceId, String practitionerId, String code, String name, String provider,
                           LocalDate start, LocalDate end) {}

    public Training map(Basic b) {
        Extension ref = b.getExtensionByUrl(PRACTITIONER_REF);
        Extension t = b.getExtensionByUrl(TRAINING);
        if (ref == null || t == null || !(ref.getValue() instanceof Reference r) || r.getReferenceElement().getIdPart() == null) {
            return null;
        }
        String code = null, name = null, provider = null;
        LocalDate start = null, end = null;
        for (Extension e : t.getExtension()) {
            switch (e.getUrl()) {
                case "training" -> { if (e.getValue() instanceof Coding c) { code = c.getCode(); if (name == null) name = c.getDisplay(); } }
                case "courseName" -> name = e.getValue() == null ? name : e.getValue().primitiveValue();
                case "provider" -> provider = e.getValue() == null ? null : e.getValue().primitiveValue();
                case "startDate" -> start = date(e);
                case "endDate" -> end = date(e);
                default -> { }
            }
        }
        return new Training(b.getIdElement().getIdPart(), r.getReferenceElement().getIdPart(), code, name, provider, start, end);
    }

    private static LocalDate date(Extension e) {
        if (e.getValue() instanceof DateType d && d.getValue() != null) {
            return LocalDate.of(d.getYear(), d.getMonth() + 1, d.getDay());
        }
        return null;
    }
}
