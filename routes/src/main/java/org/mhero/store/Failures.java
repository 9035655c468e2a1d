package org.mhero.store;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

/**
 * Why something failed, safe for the log and for tables operators read: never a record's content. The JDBC driver's
 * batch errors quote the statement with its parameters (names, phone numbers) and PostgreSQL's "Detail:" lines quote
 * key values, so for a database error only the first line of the database's own message is kept.
 */
public final class Failures {
    private Failures() {}

    public static String describe(Throwable e) {
        if (e == null) return "unknown";
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s) return describe(s);
        }
        return e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
    }

    private static String describe(SQLException s) {
        SQLException inner = s;
        while (inner.getNextException() != null && inner.getNextException() != inner) inner = inner.getNextException();
        String msg = inner == s && s instanceof BatchUpdateException ? "a batch statement failed" : firstLine(inner.getMessage());
        return "database error (SQLState " + (inner.getSQLState() != null ? inner.getSQLState() : s.getSQLState()) + "): " + msg;
    }

    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("(?<![\\w])\\+?\\d{7,15}(?!\\d)");

    /**
     * A gateway's or server's answer with every phone-number-like run of 7 to 15 digits masked
     * ({@code +23177*****12}): RapidPro's 400s quote the URN, aggregators echo the recipient.
     */
    public static String maskNumbers(String s) {
        if (s == null) return null;
        return NUMBER.matcher(s).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(org.mhero.phone.PhoneNormalizer.mask(m.group())));
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
