package org.mhero.groups;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Turns a {@link Rule} into a parameterised SQL condition over {@code health_worker h}. Values are only ever bound as
 * parameters ({@code ?}); the SQL text is built from constants chosen by the field, so a rule cannot inject SQL.
 *
 * <p>The condition is two-valued: every leaf is wrapped so that it is {@code true} or {@code false}, never
 * {@code null} (a worker without a cadre is simply not a nurse). That keeps {@code not (rule)} the exact complement of
 * {@code rule}, which {@link GroupStore#recompute()} relies on to remove members.
 *
 * <p>Locations are matched by name at a level, in the facility's own registry: the worker's facility row
 * ({@code location f}, {@code f.id = h.facility_id}) carries the resolved {@code district_source_id},
 * {@code region_source_id} and {@code country_source_id}; the ancestor is the {@code location} row with that source id
 * in the same registry ({@code a.registry = f.registry and a.source_id = f.district_source_id}) and that level. A
 * district row resolves to itself, so a worker attached directly to a district matches that district.
 */
public final class RuleSql {

    /** A SQL condition and its parameters, in order. */
    public record Where(String sql, List<Object> params) {
        public Where {
            params = Collections.unmodifiableList(new ArrayList<>(params));
        }

        /** Binds the parameters starting at index {@code first}; returns the next free index. */
        public int bind(PreparedStatement ps, int first) throws SQLException {
            int k = first;
            for (Object p : params) ps.setObject(k++, p);
            return k;
        }
    }

    private final StringBuilder sql = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    private RuleSql() {}

    /** The condition for {@code rule}, to be used as {@code ... from health_worker h where <sql>}. */
    public static Where where(Rule rule) {
        RuleSql b = new RuleSql();
        b.emit(rule);
        return new Where(b.sql.toString(), b.params);
    }

    private void emit(Rule rule) {
        if (rule instanceof Rule.And a) {
            join(a.parts(), " and ");
        } else if (rule instanceof Rule.Or o) {
            join(o.parts(), " or ");
        } else if (rule instanceof Rule.Not n) {
            sql.append("not (");
            emit(n.rule());
            sql.append(')');
        } else if (rule instanceof Rule.Flag f) {
            sql.append(switch (f.field()) {
                case ACTIVE -> "h.active";
                case OPTED_OUT -> "h.opted_out";
                case REACHABLE -> "exists (select 1 from phone p where p.health_worker_id = h.id"
                        + " and p.is_primary and p.e164 is not null)";
                default -> throw new IllegalArgumentException("not a flag: " + f.field());
            });
        } else if (rule instanceof Rule.Match m) {
            match(m);
        } else {
            throw new IllegalArgumentException("unknown rule " + rule);
        }
    }

    private void join(List<Rule> parts, String op) {
        sql.append('(');
        for (int k = 0; k < parts.size(); k++) {
            if (k > 0) sql.append(op);
            emit(parts.get(k));
        }
        sql.append(')');
    }

    private void match(Rule.Match m) {
        switch (m.field()) {
            case CADRE -> {
                sql.append("coalesce(lower(h.cadre) ");
                in(m);
                sql.append(", false)");
            }
            case JOB -> {
                sql.append("coalesce(lower(h.job_code) ");
                in(m);
                sql.append(" or lower(h.job_title) ");
                in(m);
                sql.append(", false)");
            }
            case FACILITY -> {
                sql.append("exists (select 1 from location f where f.id = h.facility_id and lower(f.name) ");
                in(m);
                sql.append(')');
            }
            case DISTRICT -> ancestor("district", "district_source_id", m);
            case REGION -> ancestor("region", "region_source_id", m);
            case COUNTRY -> ancestor("country", "country_source_id", m);
            case TRAINING -> {
                sql.append("exists (select 1 from training t where t.health_worker_id = h.id and (lower(t.code) ");
                in(m);
                sql.append(" or lower(t.name) ");
                in(m);
                sql.append("))");
            }
            case REGISTRY -> {
                sql.append("exists (select 1 from source_link s where s.health_worker_id = h.id and s.registry ");
                in(m);
                sql.append(')');
            }
            default -> throw new IllegalArgumentException("not a value field: " + m.field());
        }
    }

    /** level and column are constants from this class, never rule text. */
    private void ancestor(String level, String column, Rule.Match m) {
        sql.append("exists (select 1 from location f join location a on a.registry = f.registry and a.source_id = f.")
                .append(column).append(" where f.id = h.facility_id and a.level = '").append(level)
                .append("' and lower(a.name) ");
        in(m);
        sql.append(')');
    }

    /** "= ?" or "in (?, ?)" with the lower-cased values as parameters. */
    private void in(Rule.Match m) {
        List<String> values = m.values();
        if (values.size() == 1) {
            sql.append("= ?");
        } else {
            sql.append("in (");
            for (int k = 0; k < values.size(); k++) sql.append(k == 0 ? "?" : ", ?");
            sql.append(')');
        }
        for (String v : values) params.add(v.toLowerCase(Locale.ROOT));
    }
}
