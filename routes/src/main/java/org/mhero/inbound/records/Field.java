package org.mhero.inbound.records;

/**
 * A health-worker record field a validation flow can correct, and where it lives in iHRIS: the phone and the supervisor
 * on the Practitioner, the job and the facility on the worker's current PractitionerRole, the facility status on the
 * facility's Location.
 */
public enum Field {
    PHONE("phone", Target.PRACTITIONER),
    SUPERVISOR("supervisor", Target.PRACTITIONER),
    JOB("job", Target.ROLE),
    FACILITY("facility", Target.ROLE),
    FACILITY_STATUS("facility.status", Target.FACILITY);

    /** The FHIR resource a field is written to. */
    public enum Target {
        PRACTITIONER("Practitioner"), ROLE("PractitionerRole"), FACILITY("Location");

        private final String type;

        Target(String type) { this.type = type; }

        public String resourceType() { return type; }
    }

    private final String key;
    private final Target target;

    Field(String key, Target target) {
        this.key = key;
        this.target = target;
    }

    /** The config key ({@code record.result.<key>}) and the audit's field name. */
    public String key() { return key; }

    public Target target() { return target; }
}
