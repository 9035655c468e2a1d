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

    /**
     * Creates a broadcast from named fields, the keys of the API's JSON shape ({@code title}, {@code text},
     * {@code flow}, {@code params} as a JSON object, {@code groups} and {@code workers} comma-separated, {@code rule},
     * {@code channel}, {@code send_at} in ISO-8601, {@code cron}), as {@code user}. Returns what happened, or why it
     * was refused (nothing is written then).
     */
    String createBroadcast(java.util.Map<String, String> fields, String user);

    /** The newest broadcasts with their counts per delivery status. */
    List<List<String>> broadcasts(int limit);

    /** One broadcast as rows of field and value, counts per delivery status included. */
    List<List<String>> broadcast(long id);

    /** Per-recipient status of a broadcast (numbers masked), optionally of one status. */
    List<List<String>> broadcastDeliveries(long id, String status, int limit);

    /** Cancels a broadcast: what was not handed over yet is not sent. */
    String cancelBroadcast(long id);

    /** Puts dead letters (of one broadcast, or all when {@code id} is 0) back into the outbox. */
    String replayDeadLetters(long id, boolean inDoubt);

    /**
     * The inbox review, newest first: received messages with how each was routed and its outcome (numbers masked);
     * optionally only one status (inbox, failed, done, ...) or route, or texts containing {@code search}.
     */
    List<List<String>> inbox(String status, String route, String search, int limit);

    /** Routes failed inbound messages (one, or all when {@code id} is 0) again. */
    String replayInbound(long id);

    /** A quiz's funnel (targeted, reached, responded, completed with percentages) and its questions, most missed first. */
    List<List<String>> quizReport(String name);


    /**
     * The report of a broadcast, flow or quiz ({@code kind} broadcast, flow or quiz; {@code key} its id, flow uuid or
     * name) as a table: the funnel (targeted, reached, responded, completed with the % of the step before), or with
     * {@code by} = cadre or district the same per cadre or district, or with {@code by} = non-responders their list.
     */
    List<List<String>> report(String kind, String key, String by, int limit);

    /** A broadcast of {@code text} to the non-responders of a broadcast, flow or quiz, in one step; its id and status. */
    String followUp(String kind, String key, String text, String user);
    /** Every saved quiz (from the configuration or the API) with its status, whom it enrols and its counts. */
    List<List<String>> quizzes();

    /** A quiz's results per enrolled worker (no phone numbers): questions sent, answered, correct, finished. */
    List<List<String>> quizResults(String name, int limit);

    /** Closes a quiz as {@code user}: no more questions, later answers are not scored. What happened, or why not. */
    String closeQuiz(String name, String user);
}
