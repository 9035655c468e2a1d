package org.mhero.inbound;

import org.mhero.config.Pid;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code etc/org.mhero.inbound.cfg}: per-source authentication of the intake endpoints, the body size limit, the
 * routing poll, the keyword table, trigger words, the flow-to-route mapping and the reply texts.
 */
public record InboundSettings(Map<String, SourceAuth> auth, int maxBodyBytes, String phoneRegion, int pollMs, int batchSize,
                              int staleSeconds, boolean reconcileEnabled, int reconcileSeconds, Keywords keywords, Map<String, String> triggers, Map<String, Route> flows,
                              Map<Route, String> replies) {
    public static final String PID = "org.mhero.inbound";

    /** The intake sources, each with its own endpoint and secret. */
    public static final List<String> SOURCES = List.of("rapidpro", "kannel", "africastalking", "external");

    /** How one source proves itself. */
    public record SourceAuth(String mode, String secret) {
        public boolean off() { return mode.equals("off"); }
        public boolean hmac() { return mode.equals("hmac"); }
    }

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]{1,30}");

    public static InboundSettings from(Pid p) {
        Map<String, SourceAuth> auth = new LinkedHashMap<>();
        for (String s : SOURCES) {
            String mode = p.oneOf(s + ".auth", "token", "hmac", "off");
            String secret = p.optional(s + ".secret");
            if (mode != null && !mode.equals("off") && (secret == null || secret.length() < 12)) {
                p.problem(s + ".secret", "is " + (secret == null ? "empty" : "shorter than 12 characters") + " while " + s + ".auth = " + mode);
            }
            auth.put(s, new SourceAuth(mode == null ? "off" : mode, secret == null ? "" : secret));
        }
        int max = p.integer("max.body.bytes", 1024, 16 * 1024 * 1024);
        String region = p.phoneRegion("phone.default.region");
        int poll = p.integer("route.poll.ms", 10, 600_000);
        int batch = p.integer("route.batch.size", 1, 10_000);
        int stale = p.integer("route.stale.seconds", 5, 86_400);
        boolean reconcile = p.bool("reconcile.enabled");
        int reconcileSeconds = p.integer("reconcile.interval.seconds", 10, 86_400);

        Map<Route, Set<String>> words = new LinkedHashMap<>();
        words.put(Route.OPT_OUT, words(p, "keyword.stop"));
        words.put(Route.OPT_IN, words(p, "keyword.start"));
        words.put(Route.HELP, words(p, "keyword.help"));
        words.put(Route.STOCK, words(p, "keyword.stock"));
        words.put(Route.QUIZ, words(p, "keyword.quiz"));

        Map<String, String> triggers = new LinkedHashMap<>();
        Map<Route, String> flows0 = new LinkedHashMap<>();
        Map<String, Route> flows = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(p.values()).entrySet()) {
            String k = e.getKey();
            String v = e.getValue() == null ? "" : e.getValue().trim();
            if (k.startsWith("trigger.")) {
                String word = k.substring("trigger.".length());
                if (!WORD.matcher(word).matches()) p.problem(k, "is not one word of letters and digits");
                else if (!UUID.matcher(v).matches()) p.problem(k, "= '" + v + "' is not a flow uuid");
                else triggers.put(word.toUpperCase(Locale.ROOT), v.toLowerCase(Locale.ROOT));
            } else if (k.startsWith("flow.")) {
                String uuid = k.substring("flow.".length());
                Route r = Route.ofFlowMapping(v);
                if (!UUID.matcher(uuid).matches()) p.problem(k, "does not name a flow uuid (flow.<uuid> = route)");
                else if (r == null) p.problem(k, "= '" + v + "' is not one of record-update, stock, quiz, inbox");
                else flows.put(uuid.toLowerCase(Locale.ROOT), r);
            }
        }
        for (String t : triggers.keySet()) {
            for (Map.Entry<Route, Set<String>> w : words.entrySet()) {
                if (w.getValue().contains(t)) p.problem("trigger." + t, "is also a " + w.getKey().id() + " keyword");
            }
        }
        Map<Route, String> replies = new LinkedHashMap<>();
        replies.put(Route.OPT_OUT, reply(p, "reply.stop"));
        replies.put(Route.OPT_IN, reply(p, "reply.start"));
        replies.put(Route.HELP, reply(p, "reply.help"));
        replies.put(Route.INBOX, reply(p, "reply.inbox"));
        return new InboundSettings(Map.copyOf(auth), max, region, poll, batch, stale, reconcile, reconcileSeconds, new Keywords(words), Map.copyOf(triggers),
                Map.copyOf(flows), replies);
    }

    private static Set<String> words(Pid p, String key) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String w : p.list(key)) {
            if (!WORD.matcher(w).matches()) p.problem(key, "'" + w + "' is not one word of letters and digits");
            else out.add(w.toUpperCase(Locale.ROOT));
        }
        return out;
    }

    private static String reply(Pid p, String key) {
        String v = p.optional(key);
        if (v != null && v.length() > 459) p.problem(key, "is longer than 459 characters (three SMS)");
        return v;
    }

    public SourceAuth auth(String source) { return auth.get(source); }
}
