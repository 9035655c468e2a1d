package org.mhero.inbound.records;

/**
 * One field a validation answer sets: {@code value} is what is compared and written (E.164 phone, job code, Location id,
 * supervisor text, Location.status code), {@code display} the human name that goes with it (job title, facility name).
 */
public record FieldChange(Field field, String value, String display) {}
