package org.mhero.sandbox.rapidpro;

/** Which RapidPro generation the simulator imitates (contract §15 drift table). */
public enum Flavour {
    /** RapidPro/Mailroom 7.4 (mid-2022): integer ids, flat URN-taken error, {@code values.*.input}, 2500/hour. */
    V7_4,
    /** nyaruka/rapidpro 2025–26: uuids, indexed URN-taken error, {@code contact.urn_display}, 3600/hour. */
    CURRENT
}
