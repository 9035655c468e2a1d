package org.mhero.ihris;

import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;

import java.util.HashMap;
import java.util.Map;

/** Job code → display and cadre, from the iHRIS job CodeSystem's {@code cadre} property (contracts/ihris-fhir.md §6). */
public final class JobCatalog {
    public record Job(String code, String display, String cadre) {}

    private final Map<String, Job> jobs = new HashMap<>();

    public static JobCatalog empty() { return new JobCatalog(); }

    public static JobCatalog from(CodeSystem cs, String cadreProperty) {
        JobCatalog c = new JobCatalog();
        if (cs != null) c.addAll(cs.getConcept(), cadreProperty);
        return c;
    }

    private void addAll(java.util.List<CodeSystem.ConceptDefinitionComponent> concepts, String cadreProperty) {
        for (CodeSystem.ConceptDefinitionComponent concept : concepts) {
            String cadre = null;
            for (CodeSystem.ConceptPropertyComponent p : concept.getProperty()) {
                if (cadreProperty.equals(p.getCode())) {
                    if (p.getValue() instanceof Coding coding) cadre = coding.getCode();
                    else if (p.getValue() != null && p.getValue().isPrimitive()) cadre = p.getValue().primitiveValue();
                }
            }
            jobs.put(concept.getCode(), new Job(concept.getCode(), concept.getDisplay(), cadre));
            addAll(concept.getConcept(), cadreProperty);
        }
    }

    public Job find(String code) { return code == null ? null : jobs.get(code); }
    public int size() { return jobs.size(); }
}
