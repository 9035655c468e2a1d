package org.mhero.groups;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A parsed group rule (see {@link RuleParser} for the language). Records, so two rules with the same meaning-tree are
 * {@code equals}; {@link #toString()} renders the rule back in canonical, fully parenthesised form.
 */
public sealed interface Rule {

    /** Every part holds (two or more parts). */
    record And(List<Rule> parts) implements Rule {
        public And { parts = List.copyOf(parts); }
        @Override public String toString() { return parts.stream().map(Rule::nested).collect(Collectors.joining(" and ")); }
    }

    /** At least one part holds (two or more parts). */
    record Or(List<Rule> parts) implements Rule {
        public Or { parts = List.copyOf(parts); }
        @Override public String toString() { return parts.stream().map(Rule::nested).collect(Collectors.joining(" or ")); }
    }

    /** The rule does not hold. {@code cadre != nurse} and {@code cadre not in (…)} parse to {@code Not(Match)}. */
    record Not(Rule rule) implements Rule {
        @Override public String toString() {
            if (rule instanceof Match m) return m.field() + (m.values().size() == 1 ? " != " + quote(m.values().get(0)) : " not in " + list(m.values()));
            return "not " + nested(rule);
        }
    }

    /** A value field equals one of the values (case-insensitive; values as written). */
    record Match(Field field, List<String> values) implements Rule {
        public Match {
            if (field.isFlag()) throw new IllegalArgumentException(field + " is a flag, not a value field");
            if (values.isEmpty()) throw new IllegalArgumentException("no values");
            values = List.copyOf(values);
        }
        @Override public String toString() {
            return field + (values.size() == 1 ? " = " + quote(values.get(0)) : " in " + list(values));
        }
    }

    /** A yes/no field is true ({@code active}, {@code opted_out}, {@code reachable}). */
    record Flag(Field field) implements Rule {
        public Flag {
            if (!field.isFlag()) throw new IllegalArgumentException(field + " is a value field, not a flag");
        }
        @Override public String toString() { return field.word(); }
    }

    private static String nested(Rule r) {
        return r instanceof And || r instanceof Or ? "(" + r + ")" : r.toString();
    }

    private static String list(List<String> values) {
        return values.stream().map(Rule::quote).collect(Collectors.joining(", ", "(", ")"));
    }

    private static String quote(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
