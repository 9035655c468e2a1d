package org.mhero.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mhero.boot.Operations;

import javax.security.auth.Subject;
import java.security.AccessController;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mhero:broadcast --group doctors 'Stock count due Friday'}: sends (or schedules) a broadcast, like
 * {@code POST /api/broadcasts}. Options come before the text.
 */
@Command(scope = "mhero", name = "broadcast", description = "Sends a text (or starts a RapidPro flow) to groups, a rule or named health workers, now or later")
@Service
public class BroadcastCommand implements Action {
    @Reference
    Operations operations;

    @Option(name = "--group", multiValued = true, description = "a contact group (repeatable)")
    List<String> groups;

    @Option(name = "--rule", description = "a group rule, e.g. 'cadre = nurse and district = Gbarnga'")
    String rule;

    @Option(name = "--worker", multiValued = true, description = "an mHero health worker id (repeatable)")
    List<String> workers;

    @Option(name = "--flow", description = "a RapidPro flow uuid to start instead of a text")
    String flow;

    @Option(name = "--params", description = "flow params, a JSON object")
    String params;

    @Option(name = "--channel", description = "rapidpro, kannel or http-aggregator (default: the active channel)")
    String channel;

    @Option(name = "--at", description = "when to send, ISO-8601 with an offset (e.g. 2026-12-01T08:00:00Z)")
    String at;

    @Option(name = "--cron", description = "send repeatedly, a Quartz cron expression (e.g. '0 0 8 ? * MON')")
    String cron;

    @Option(name = "--title", description = "a title for operators")
    String title;

    @Argument(index = 0, name = "text", required = false, description = "the text (omit with --flow)")
    String text;

    @Override
    public Object execute() {
        runNamed("mhero:broadcast", () -> System.out.println(operations.createBroadcast(fields(), user())));
        return null;
    }

    /**
     * Runs {@code what} on this thread renamed to {@code name}. Karaf runs a command on a thread named after the whole
     * command line ("pipe-mhero:broadcast ... 'text'"), and its log pattern prints the thread: what mHero logs while the
     * command runs would carry the message text.
     */
    static void runNamed(String name, Runnable what) {
        Thread thread = Thread.currentThread();
        String was = thread.getName();
        thread.setName(name);
        try {
            what.run();
        } finally {
            thread.setName(was);
        }
    }

    Map<String, String> fields() {
        Map<String, String> f = new LinkedHashMap<>();
        put(f, "title", title);
        put(f, "text", text);
        put(f, "flow", flow);
        put(f, "params", params);
        if (groups != null) put(f, "groups", String.join(",", groups));
        put(f, "rule", rule);
        if (workers != null) put(f, "workers", String.join(",", workers));
        put(f, "channel", channel);
        put(f, "send_at", at);
        put(f, "cron", cron);
        return f;
    }

    private static void put(Map<String, String> f, String key, String value) {
        if (value != null) f.put(key, value);
    }

    /** The shell's user (Karaf runs commands as the JAAS subject of the session), or {@code shell}. */
    @SuppressWarnings("removal")
    static String user() {
        try {
            Subject s = Subject.getSubject(AccessController.getContext());
            if (s != null) {
                for (Principal p : s.getPrincipals()) if (p.getClass().getSimpleName().equals("UserPrincipal")) return p.getName();
            }
        } catch (RuntimeException e) {
            // no subject
        }
        return "shell";
    }
}
