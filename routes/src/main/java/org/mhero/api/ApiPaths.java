package org.mhero.api;

import java.util.Map;

/**
 * Which operation an HTTP method and path ask for. The API's resources, under {@code /api}:
 * <pre>
 * POST /api/broadcasts                      create
 * GET  /api/broadcasts                      list
 * GET  /api/broadcasts/{id}                 get
 * GET  /api/broadcasts/{id}/deliveries      deliveries
 * POST /api/broadcasts/{id}/cancel          cancel
 * POST /api/broadcasts/{id}/replay          replay
 * POST /api/dead-letters/replay             replay-all
 * GET  /api/inbox                           inbox          (?status=&route=&q=&before=&limit=)
 * POST /api/inbox/{id}/replay               inbox-replay   (a failed message routed again)
 * POST /api/inbox/replay                    inbox-replay-all
 * GET  /api/reports/{kind}/{key}            report                 (kind: broadcasts, flows, quizzes)
 * GET  /api/reports/{kind}/{key}/non-responders   report-non-responders
 * POST /api/reports/{kind}/{key}/follow-up  report-follow-up
 * GET  /api/quizzes                         quiz-list
 * POST /api/quizzes                         quiz-create
 * GET  /api/quizzes/{name}                  quiz-get       (definition, status, per-question results)
 * GET  /api/quizzes/{name}/results          quiz-results   (per worker; ?after=&limit=)
 * POST /api/quizzes/{name}/close            quiz-close
 * </pre>
 * An unknown path is 404, a known path with another method 405 (with the methods allowed).
 */
public final class ApiPaths {
    private ApiPaths() {}

    /** An operation, the id of the path (0 when it has none) and the name of the path (a quiz's; null when it has none). */
    public record Call(String operation, long id, String name) {
        public Call(String operation, long id) { this(operation, id, null); }
    }

    private record Resource(String allowed, Map<String, String> byMethod) {}

    public static Call resolve(String method, String path) throws ApiProblem {
        String p = path == null ? "" : path;
        int q = p.indexOf('?');
        if (q >= 0) p = p.substring(0, q);
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        String[] s = p.split("/", -1);   // "", "api", ...
        if (s.length < 3 || !s[0].isEmpty() || !s[1].equals("api")) throw notFound(path);
        long id = 0;
        String name = null;
        Resource r;
        if (s[2].equals("broadcasts") && s.length == 3) {
            r = new Resource("GET, POST", Map.of("GET", "list", "POST", "create"));
        } else if (s[2].equals("broadcasts") && s.length <= 5) {
            id = id(s[3]);
            if (s.length == 4) r = new Resource("GET", Map.of("GET", "get"));
            else if (s[4].equals("deliveries")) r = new Resource("GET", Map.of("GET", "deliveries"));
            else if (s[4].equals("cancel")) r = new Resource("POST", Map.of("POST", "cancel"));
            else if (s[4].equals("replay")) r = new Resource("POST", Map.of("POST", "replay"));
            else throw notFound(path);
        } else if (s[2].equals("dead-letters") && s.length == 4 && s[3].equals("replay")) {
            r = new Resource("POST", Map.of("POST", "replay-all"));
        } else if (s[2].equals("inbox") && s.length == 3) {
            r = new Resource("GET", Map.of("GET", "inbox"));
        } else if (s[2].equals("inbox") && s.length == 4 && s[3].equals("replay")) {
            r = new Resource("POST", Map.of("POST", "inbox-replay-all"));
        } else if (s[2].equals("inbox") && s.length == 5 && s[4].equals("replay")) {
            id = id(s[3]);
            r = new Resource("POST", Map.of("POST", "inbox-replay"));
        } else if (s[2].equals("reports") && (s.length == 5 || s.length == 6) && org.mhero.report.Subject.Kind.ofPath(s[3]) != null) {
            if (s.length == 5) r = new Resource("GET", Map.of("GET", "report"));
            else if (s[5].equals("non-responders")) r = new Resource("GET", Map.of("GET", "report-non-responders"));
            else if (s[5].equals("follow-up")) r = new Resource("POST", Map.of("POST", "report-follow-up"));
            else throw notFound(path);
        } else if (s[2].equals("quizzes") && s.length == 3) {
            r = new Resource("GET, POST", Map.of("GET", "quiz-list", "POST", "quiz-create"));
        } else if (s[2].equals("quizzes") && s.length <= 5) {
            name = quizName(s[3]);
            if (s.length == 4) r = new Resource("GET", Map.of("GET", "quiz-get"));
            else if (s[4].equals("results")) r = new Resource("GET", Map.of("GET", "quiz-results"));
            else if (s[4].equals("close")) r = new Resource("POST", Map.of("POST", "quiz-close"));
            else throw notFound(path);
        } else {
            throw notFound(path);
        }
        String op = r.byMethod().get(method == null ? "" : method.toUpperCase(java.util.Locale.ROOT));
        if (op == null) {
            throw new ApiProblem(405, null, "method " + method + " is not allowed here; use " + r.allowed())
                    .withHeader("Allow", r.allowed());
        }
        return new Call(op, id, name);
    }

    private static String quizName(String s) throws ApiProblem {
        if (org.mhero.quiz.QuizDefinition.validName(s)) return s;
        throw new ApiProblem(404, "name", "no quiz '" + s + "'");
    }

    private static long id(String s) throws ApiProblem {
        try {
            long id = Long.parseLong(s);
            if (id > 0) return id;
        } catch (NumberFormatException e) {
            // below
        }
        throw new ApiProblem(404, "id", "no broadcast '" + s + "'");
    }

    private static ApiProblem notFound(String path) {
        return new ApiProblem(404, null, "no resource " + path);
    }

    /** A whole-number query parameter within {@code min..max}; {@code fallback} when absent; 400 otherwise. */
    public static long number(String name, String value, long fallback, long min, long max) throws ApiProblem {
        if (value == null || value.isBlank()) return fallback;
        try {
            long v = Long.parseLong(value.strip());
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException e) {
            // below
        }
        throw ApiProblem.bad(name, "'" + value + "' is not a whole number in " + min + ".." + max);
    }

    /** {@code true} or {@code false}; {@code false} when absent; 400 otherwise. */
    public static boolean flag(String name, String value) throws ApiProblem {
        if (value == null || value.isBlank()) return false;
        if (value.strip().equalsIgnoreCase("true")) return true;
        if (value.strip().equalsIgnoreCase("false")) return false;
        throw ApiProblem.bad(name, "'" + value + "' is not true or false");
    }

    /** A delivery status to filter by, or null for all; 400 when it is not one. */
    public static String status(String value) throws ApiProblem {
        if (value == null || value.isBlank()) return null;
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (!ApiJson.STATUSES.contains(v)) throw ApiProblem.bad("status", "'" + value + "' is not one of " + new java.util.TreeSet<>(ApiJson.STATUSES));
        return v;
    }

    /** An inbox status filter: received, routing, done, inbox or failed. */
    public static String inboxStatus(String value) throws ApiProblem {
        if (value == null || value.isBlank()) return null;
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        java.util.Set<String> allowed = java.util.Set.of("received", "routing", "done", "inbox", "failed");
        if (!allowed.contains(v)) throw ApiProblem.bad("status", "'" + value + "' is not one of " + new java.util.TreeSet<>(allowed));
        return v;
    }

    /** 415 unless the content type is JSON ({@code application/json} or {@code application/*+json}, any charset). */
    public static void requireJson(String contentType) throws ApiProblem {
        String t = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (!t.equals("application/json") && !(t.startsWith("application/") && t.endsWith("+json"))) {
            throw new ApiProblem(415, "content-type", "send the body as application/json (not '" + (contentType == null ? "" : contentType) + "')");
        }
    }
}
