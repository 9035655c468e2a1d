package org.mhero.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The values of one configuration PID ({@code etc/<pid>.cfg}) with typed, validating getters. Every problem names the
 * PID and the key, and is collected instead of thrown, so one bad value disables only the flow that needs it.
 * Defaults live in the shipped .cfg files only: a missing key is a problem too.
 */
public final class Pid {
    /** One bad or missing value. */
    public record Problem(String pid, String key, String message) {
        @Override
        public String toString() { return pid + ": key '" + key + "' " + message; }
    }

    private final String name;
    private final Map<String, String> values;
    private final List<Problem> problems = new ArrayList<>();

    public Pid(String name, Map<?, ?> raw) {
        this.name = name;
        Map<String, String> v = new TreeMap<>();
        if (raw != null) raw.forEach((k, val) -> { if (k != null && val != null) v.put(k.toString(), val.toString().trim()); });
        this.values = Collections.unmodifiableMap(v);
    }

    public String name() { return name; }
    public Map<String, String> values() { return values; }
    public List<Problem> problems() { return List.copyOf(problems); }
    public boolean ok() { return problems.isEmpty(); }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) problem(key, "is missing");
        return v;
    }

    public String optional(String key) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? null : v;
    }

    public boolean bool(String key) {
        String v = string(key);
        if (v == null) return false;
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        problem(key, "= '" + v + "' is not true or false");
        return false;
    }

    public int integer(String key, int min, int max) {
        String v = string(key);
        if (v == null) return min;
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) problem(key, "= " + i + " is outside " + min + ".." + max);
            return i;
        } catch (NumberFormatException e) {
            problem(key, "= '" + v + "' is not a whole number");
            return min;
        }
    }

    public String url(String key) {
        String v = string(key);
        if (v == null) return null;
        try {
            URI u = new URI(v);
            if (!("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) || u.getHost() == null) {
                problem(key, "= '" + v + "' is not an http(s) URL with a host");
            }
        } catch (Exception e) {
            problem(key, "= '" + v + "' is not a valid URL (" + e.getMessage() + ")");
        }
        return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }

    public String oneOf(String key, String... allowed) {
        String v = string(key);
        if (v == null) return allowed[0];
        for (String a : allowed) if (a.equalsIgnoreCase(v)) return a;
        problem(key, "= '" + v + "' is not one of " + String.join(", ", allowed));
        return allowed[0];
    }

    /** A Quartz cron expression (seconds minutes hours day-of-month month day-of-week). */
    public String cron(String key) {
        String v = string(key);
        if (v != null && !org.quartz.CronExpression.isValidExpression(v)) {
            problem(key, "= '" + v + "' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week)");
        }
        return v;
    }

    /** An ISO 3166 region libphonenumber knows (national numbers are read in it), upper-cased. */
    public String phoneRegion(String key) {
        String v = string(key);
        if (v != null && com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance().getCountryCodeForRegion(v.toUpperCase()) == 0) {
            problem(key, "= '" + v + "' is not an ISO 3166 region known to libphonenumber");
        }
        return v == null ? null : v.toUpperCase();
    }

    public Set<String> list(String key) {
        String v = string(key);
        Set<String> out = new LinkedHashSet<>();
        if (v != null) for (String s : v.split(",")) if (!s.isBlank()) out.add(s.trim());
        return out;
    }

    public void problem(String key, String message) {
        problems.add(new Problem(name, key, message));
    }
}
