package org.mhero.merge;

/** An existing health worker that a new source record might be: found by an identifier or a shared phone number. */
public record Candidate(long workerId, String displayName, String nationalId, String employeeNumber, String e164) {}
