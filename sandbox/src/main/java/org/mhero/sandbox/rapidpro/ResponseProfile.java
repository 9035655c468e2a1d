package org.mhero.sandbox.rapidpro;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the simulated health workers answer one flow start, every start of one flow, or one broadcast. Deterministic: recipients are shuffled with
 * {@link #seed} and the rates are applied as exact counts ({@code round(n * rate)}), so the same profile always yields
 * the same runs. An explicit {@link #script} for a URN overrides the rates for that contact.
 *
 * <ul>
 *   <li>{@code reachRate}: share of recipients whose message is delivered (the others' message is marked failed);</li>
 *   <li>{@code answerRate}: share of reached contacts who answer the first question (or reply to a broadcast);</li>
 *   <li>{@code completionRate}: share of those who go on to answer every question (run {@code exit_type=completed},
 *       webhook/resthook fired); the others stop after the first answer (run stays waiting, or expires);</li>
 *   <li>{@code answers}: values per result key, used in turn; default: the result's categories, or "answer N";</li>
 *   <li>{@code replies}: reply texts for broadcasts (inbox messages).</li>
 * </ul>
 */
public final class ResponseProfile {
    String flowStart;
    String flow;
    String broadcast;
    double reachRate = 1.0;
    double answerRate = 1.0;
    double completionRate = 1.0;
    final Map<String, List<String>> answers = new LinkedHashMap<>();
    List<String> replies = List.of("OK");
    final Map<String, List<String>> script = new LinkedHashMap<>();
    long seed = 42;
    boolean webhooks = true;
    String resthook;
    boolean expireUnfinished;

    private ResponseProfile() {}

    /** Answer a flow start (by its uuid, or its integer id as a string). */
    public static ResponseProfile forFlowStart(String flowStartUuidOrId) {
        ResponseProfile p = new ResponseProfile();
        p.flowStart = flowStartUuidOrId;
        return p;
    }

    /**
     * Answer every flow start of this flow as one population (a campaign sent in several calls): the rates apply to
     * all their runs together; runs already ended are skipped but still count, as with one start.
     */
    public static ResponseProfile forFlow(String flowUuid) {
        ResponseProfile p = new ResponseProfile();
        p.flow = flowUuid;
        return p;
    }

    /** Reply to a broadcast (by its uuid, or its integer id as a string). */
    public static ResponseProfile forBroadcast(String broadcastUuidOrId) {
        ResponseProfile p = new ResponseProfile();
        p.broadcast = broadcastUuidOrId;
        return p;
    }

    public ResponseProfile reachRate(double r) { this.reachRate = check(r); return this; }
    public ResponseProfile answerRate(double r) { this.answerRate = check(r); return this; }
    public ResponseProfile completionRate(double r) { this.completionRate = check(r); return this; }
    /** Values used in turn for a result key. */
    public ResponseProfile answers(String resultKey, String... values) { answers.put(resultKey, List.of(values)); return this; }
    /** Reply texts used in turn for broadcast replies. */
    public ResponseProfile replies(String... texts) { this.replies = List.of(texts); return this; }
    /**
     * Explicit answers for one URN: for a flow, one text per question in order (fewer = stops early, none = silent but
     * reached); for a broadcast, the first text is the reply. Overrides the rates for that contact.
     */
    public ResponseProfile script(String urn, String... texts) { script.put(urn, List.of(texts)); return this; }
    public ResponseProfile seed(long seed) { this.seed = seed; return this; }
    /** Whether completed runs POST the flow webhook to the configured targets (default true). */
    public ResponseProfile webhooks(boolean on) { this.webhooks = on; return this; }
    /** Also fire this resthook (slug) for completed runs. */
    public ResponseProfile resthook(String slug) { this.resthook = slug; return this; }
    /** Runs that did not complete end with {@code exit_type=expired} instead of staying waiting. */
    public ResponseProfile expireUnfinished(boolean on) { this.expireUnfinished = on; return this; }

    private static double check(double r) {
        if (r < 0 || r > 1) throw new IllegalArgumentException("rate must be within [0,1]: " + r);
        return r;
    }
}
