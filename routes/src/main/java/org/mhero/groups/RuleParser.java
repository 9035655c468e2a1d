package org.mhero.groups;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the group rule language into a {@link Rule}. Hand-written recursive descent; no dependencies.
 *
 * <pre>
 * rule       := or EOF
 * or         := and ( "or" and )*
 * and        := unary ( "and" unary )*
 * unary      := "not" unary | "(" or ")" | condition
 * condition  := flag-field [ ( "=" | "!=" ) ( "true" | "false" ) ]
 *             | value-field ( "=" | "!=" ) value
 *             | value-field [ "not" ] "in" "(" value ( "," value )* ")"
 * value      := word | string
 * word       := one or more of  A-Z a-z 0-9 _ - . /      (not a keyword: and, or, not, in)
 * string     := '"' any characters, with \" and \\ as escapes '"'
 * flag-field := active | opted_out | reachable
 * value-field:= cadre | job | facility | district | region | country | training | registry
 * </pre>
 *
 * Precedence: {@code not} binds tightest, then {@code and}, then {@code or}. Keywords and field names are
 * case-insensitive; values are compared case-insensitively too. {@code registry} values must be one of
 * {@link Field#REGISTRIES}. Values are data, never SQL: {@link RuleSql} binds them as parameters.
 */
public final class RuleParser {
    private enum Kind { WORD, STRING, LPAREN, RPAREN, COMMA, EQ, NE, END }

    private record Token(Kind kind, String text, int pos) {
        boolean keyword(String k) { return kind == Kind.WORD && text.equalsIgnoreCase(k); }
        String describe() {
            return switch (kind) {
                case END -> "the end of the rule";
                case STRING -> "\"" + text + "\"";
                default -> "'" + text + "'";
            };
        }
    }

    private static final List<String> KEYWORDS = List.of("and", "or", "not", "in");

    private final List<Token> tokens;
    private int i;

    private RuleParser(String text) {
        this.tokens = tokenize(text);
    }

    /** Parses a rule or throws a {@link RuleException} naming the problem and its 1-based position. */
    public static Rule parse(String text) {
        if (text == null || text.isBlank()) throw new RuleException("empty rule", 1);
        RuleParser p = new RuleParser(text);
        Rule r = p.or();
        Token t = p.peek();
        if (t.kind != Kind.END) {
            throw new RuleException("unexpected " + t.describe() + " at " + t.pos
                    + "; expected 'and', 'or' or the end of the rule", t.pos);
        }
        return r;
    }

    private Rule or() {
        List<Rule> parts = new ArrayList<>();
        parts.add(and());
        while (peek().keyword("or")) {
            next();
            parts.add(and());
        }
        return parts.size() == 1 ? parts.get(0) : new Rule.Or(parts);
    }

    private Rule and() {
        List<Rule> parts = new ArrayList<>();
        parts.add(unary());
        while (peek().keyword("and")) {
            next();
            parts.add(unary());
        }
        return parts.size() == 1 ? parts.get(0) : new Rule.And(parts);
    }

    private Rule unary() {
        Token t = peek();
        if (t.keyword("not")) {
            next();
            return new Rule.Not(unary());
        }
        if (t.kind == Kind.LPAREN) {
            next();
            Rule inner = or();
            Token close = next();
            if (close.kind != Kind.RPAREN) {
                throw new RuleException("expected ')' at " + close.pos + " to close '(' at " + t.pos + ", found "
                        + close.describe(), close.pos);
            }
            return inner;
        }
        return condition();
    }

    private Rule condition() {
        Token t = next();
        if (t.kind != Kind.WORD || KEYWORDS.contains(t.text.toLowerCase(Locale.ROOT))) {
            throw new RuleException("expected a field at " + t.pos + ", found " + t.describe() + "; fields are "
                    + Field.words(), t.pos);
        }
        Field field = Field.byWord(t.text).orElseThrow(() -> new RuleException("unknown field '" + t.text + "' at "
                + t.pos + "; expected one of " + Field.words(), t.pos));
        return field.isFlag() ? flag(field) : match(field, t);
    }

    private Rule flag(Field field) {
        Token op = peek();
        if (op.kind != Kind.EQ && op.kind != Kind.NE) {
            if (op.keyword("in") || op.keyword("not") && peekAt(1).keyword("in")) {
                throw new RuleException("'" + field + "' is a yes/no field at " + op.pos + "; write '" + field
                        + "', 'not " + field + "' or '" + field + " = false'", op.pos);
            }
            return new Rule.Flag(field);
        }
        next();
        Token v = next();
        boolean value;
        if (v.kind == Kind.WORD && v.text.equalsIgnoreCase("true")) value = true;
        else if (v.kind == Kind.WORD && v.text.equalsIgnoreCase("false")) value = false;
        else throw new RuleException("expected true or false at " + v.pos + " for '" + field + "', found " + v.describe(), v.pos);
        boolean holds = value == (op.kind == Kind.EQ);
        return holds ? new Rule.Flag(field) : new Rule.Not(new Rule.Flag(field));
    }

    private Rule match(Field field, Token fieldToken) {
        Token op = next();
        switch (op.kind) {
            case EQ:
                return new Rule.Match(field, List.of(value(field)));
            case NE:
                return new Rule.Not(new Rule.Match(field, List.of(value(field))));
            case WORD:
                if (op.keyword("in")) return new Rule.Match(field, list(field));
                if (op.keyword("not")) {
                    Token in = next();
                    if (in.keyword("in")) return new Rule.Not(new Rule.Match(field, list(field)));
                    throw new RuleException("expected 'in' after 'not' at " + in.pos + ", found " + in.describe(), in.pos);
                }
                // fall through
            default:
                throw new RuleException("expected '=', '!=', 'in' or 'not in' after '" + fieldToken.text + "' at "
                        + op.pos + ", found " + op.describe(), op.pos);
        }
    }

    private List<String> list(Field field) {
        Token open = next();
        if (open.kind != Kind.LPAREN) {
            throw new RuleException("expected '(' at " + open.pos + " to start the list, found " + open.describe(), open.pos);
        }
        List<String> values = new ArrayList<>();
        values.add(value(field));
        while (true) {
            Token t = next();
            if (t.kind == Kind.RPAREN) return values;
            if (t.kind != Kind.COMMA) {
                throw new RuleException("expected ',' or ')' at " + t.pos + " in the list opened at " + open.pos
                        + ", found " + t.describe(), t.pos);
            }
            values.add(value(field));
        }
    }

    private String value(Field field) {
        Token t = next();
        boolean ok = t.kind == Kind.STRING || t.kind == Kind.WORD && !KEYWORDS.contains(t.text.toLowerCase(Locale.ROOT));
        if (!ok) {
            throw new RuleException("expected a value at " + t.pos + ", found " + t.describe()
                    + (t.kind == Kind.WORD ? " (quote it: \"" + t.text + "\")" : ""), t.pos);
        }
        if (t.text.isBlank()) throw new RuleException("empty value at " + t.pos, t.pos);
        if (field == Field.REGISTRY && !Field.REGISTRIES.contains(t.text.toLowerCase(Locale.ROOT))) {
            throw new RuleException("unknown registry '" + t.text + "' at " + t.pos + "; expected one of "
                    + String.join(", ", Field.REGISTRIES), t.pos);
        }
        return t.text;
    }

    private Token peek() { return tokens.get(i); }

    private Token peekAt(int ahead) { return tokens.get(Math.min(i + ahead, tokens.size() - 1)); }

    private Token next() {
        Token t = tokens.get(i);
        if (t.kind != Kind.END) i++;
        return t;
    }

    private static boolean wordChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '/')
                || c >= 128 && Character.isLetterOrDigit(c);
    }

    private static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        int p = 0;
        while (p < n) {
            char c = s.charAt(p);
            int pos = p + 1;
            if (Character.isWhitespace(c)) {
                p++;
            } else if (c == '(') {
                out.add(new Token(Kind.LPAREN, "(", pos)); p++;
            } else if (c == ')') {
                out.add(new Token(Kind.RPAREN, ")", pos)); p++;
            } else if (c == ',') {
                out.add(new Token(Kind.COMMA, ",", pos)); p++;
            } else if (c == '=') {
                out.add(new Token(Kind.EQ, "=", pos)); p++;
            } else if (c == '!' && p + 1 < n && s.charAt(p + 1) == '=') {
                out.add(new Token(Kind.NE, "!=", pos)); p += 2;
            } else if (c == '"') {
                StringBuilder b = new StringBuilder();
                p++;
                boolean closed = false;
                while (p < n) {
                    char d = s.charAt(p);
                    if (d == '\\' && p + 1 < n && (s.charAt(p + 1) == '"' || s.charAt(p + 1) == '\\')) {
                        b.append(s.charAt(p + 1)); p += 2;
                    } else if (d == '"') {
                        p++; closed = true; break;
                    } else {
                        b.append(d); p++;
                    }
                }
                if (!closed) throw new RuleException("unterminated string starting at " + pos + "; close it with '\"'", pos);
                out.add(new Token(Kind.STRING, b.toString(), pos));
            } else if (wordChar(c)) {
                int start = p;
                while (p < n && wordChar(s.charAt(p))) p++;
                out.add(new Token(Kind.WORD, s.substring(start, p), pos));
            } else {
                throw new RuleException("unexpected character '" + c + "' at " + pos
                        + (c == '\'' ? "; quote values with double quotes (\"…\")"
                                : "; values with spaces or symbols go in double quotes (\"…\")"), pos);
            }
        }
        out.add(new Token(Kind.END, "", n + 1));
        return out;
    }
}
