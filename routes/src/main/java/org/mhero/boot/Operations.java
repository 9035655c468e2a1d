package org.mhero.boot;

import java.util.List;

/**
 * What operators can do with a running mHero (the Karaf {@code mhero:*} commands call it; blueprint exports it as an
 * OSGi service). Tables are lists of rows of strings, the first row the header, so no mHero type crosses bundles.
 */
public interface Operations {
    /** Starts {@code ihris}, {@code dhis2}, {@code rapidpro-push} or {@code rapidpro-pull} in the background. */
    String startSync(String source, boolean full);

    /** The latest registry sync runs, newest first. */
    List<List<String>> syncRuns(int limit);

    /** The configured contact groups with their member counts. */
    List<List<String>> groups();

    /** How many health workers a rule selects, and a sample (no phone numbers); nothing is saved. */
    List<List<String>> previewGroup(String rule, int sampleSize);

    /** Health workers an operator should look at (conflicting identifiers, contacts born in RapidPro, ...). */
    List<List<String>> reviewQueue(int limit);

    /** Configuration problems of the running context (PID, key, message); empty when all is well. */
    List<String> problems();
}
