package org.mhero.groups;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Contact groups in PostgreSQL ({@code contact_group}, {@code contact_group_member}): the configured definitions, and
 * their members recomputed set-based in SQL from each group's rule (see {@link RuleParser}, {@link RuleSql}).
 *
 * <p><b>Opted-out workers stay members.</b> A group describes who people are (the nurses of Bong), not who may be
 * messaged: a worker who opted out is still a nurse in Bong, and will be messaged again if they opt back in without
 * any recompute. Every send path (broadcasts, RapidPro mirroring of messages) must therefore exclude
 * {@code health_worker.opted_out} itself. A rule can still say {@code not opted_out} to make a group of the
 * messageable only, and {@code reachable} to require a usable primary phone.
 *
 * <p>Reads never return phone numbers.
 */
public final class GroupStore {

    /** A configured group as stored, with its current member count. */
    public record Group(long id, String name, String rule, boolean mirror, String rapidproUuid, int memberCount) {}

    /** One health worker as shown to an official choosing a group: no phone numbers. */
    public record Member(long healthWorkerId, String displayName, String cadre, String facility) {}

    /** How many workers a rule selects, and a few of them. */
    public record Preview(long count, List<Member> sample) {
        public Preview { sample = List.copyOf(sample); }
    }

    /** What {@link #sync} changed. */
    public record SyncResult(int created, int updated, int deleted, int unchanged) {}

    /** What {@link #recompute} changed in one group. */
    public record GroupChange(String group, int added, int removed, int members) {
        public boolean changed() { return added > 0 || removed > 0; }
    }

    private static final String MEMBER_COLUMNS = """
            select h.id, h.display_name, h.cadre, f.name
            from health_worker h left join location f on f.id = h.facility_id""";

    private final DataSource dataSource;

    public GroupStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Makes {@code contact_group} match the configuration in one transaction: inserts new groups, updates the rule or
     * mirror flag of changed ones (nothing is written for an unchanged group), and deletes groups that are no longer
     * configured (their members go with them). Rules are parsed first; nothing is written if one does not parse.
     */
    public SyncResult sync(List<GroupDefinition> groups) throws SQLException {
        Map<String, GroupDefinition> byName = new LinkedHashMap<>();
        for (GroupDefinition g : groups) {
            try {
                g.parsed();
            } catch (RuleException e) {
                throw new IllegalArgumentException("group '" + g.name() + "': " + e.getMessage(), e);
            }
            if (byName.put(g.name(), g) != null) throw new IllegalArgumentException("group '" + g.name() + "' is declared twice");
        }
        return inTransaction(c -> {
            int created = 0, updated = 0, deleted;
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into contact_group (name, rule, mirror) values (?, ?, ?)
                    on conflict (name) do update set rule = excluded.rule, mirror = excluded.mirror, updated_at = now()
                    where (contact_group.rule, contact_group.mirror) is distinct from (excluded.rule, excluded.mirror)
                    returning (xmax = 0)""")) {
                for (GroupDefinition g : byName.values()) {
                    ps.setString(1, g.name());
                    ps.setString(2, g.rule());
                    ps.setBoolean(3, g.mirror());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            if (rs.getBoolean(1)) created++; else updated++;
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("delete from contact_group where not (name = any (?))")) {
                Array names = c.createArrayOf("text", byName.keySet().toArray());
                ps.setArray(1, names);
                deleted = ps.executeUpdate();
            }
            return new SyncResult(created, updated, deleted, byName.size() - created - updated);
        });
    }

    /**
     * Recomputes the members of every group in one transaction, set-based: per group one
     * {@code insert … select … on conflict do nothing} for workers the rule selects and one
     * {@code delete … where not (rule)} for members it no longer selects, then {@code member_count}. When a group's
     * membership is unchanged nothing of it is written (no row gets a new version). The groups are locked
     * ({@code for update}) for the transaction, so two recomputes run one after the other.
     */
    public List<GroupChange> recompute() throws SQLException {
        return inTransaction(c -> {
            List<Group> groups = groups(c, true);
            List<GroupChange> out = new ArrayList<>(groups.size());
            for (Group g : groups) {
                Rule rule;
                try {
                    rule = RuleParser.parse(g.rule());
                } catch (RuleException e) {
                    throw new IllegalStateException("stored rule of group '" + g.name() + "' does not parse: " + e.getMessage(), e);
                }
                RuleSql.Where where = RuleSql.where(rule);
                int added, removed, members;
                try (PreparedStatement ps = c.prepareStatement("insert into contact_group_member (group_id, health_worker_id) "
                        + "select ?, h.id from health_worker h where " + where.sql() + " on conflict do nothing")) {
                    ps.setLong(1, g.id());
                    where.bind(ps, 2);
                    added = ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("delete from contact_group_member m using health_worker h "
                        + "where m.group_id = ? and h.id = m.health_worker_id and not (" + where.sql() + ")")) {
                    ps.setLong(1, g.id());
                    where.bind(ps, 2);
                    removed = ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("select count(*) from contact_group_member where group_id = ?")) {
                    ps.setLong(1, g.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        members = rs.getInt(1);
                    }
                }
                if (added > 0 || removed > 0 || members != g.memberCount()) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "update contact_group set member_count = ?, updated_at = now() where id = ?")) {
                        ps.setInt(1, members);
                        ps.setLong(2, g.id());
                        ps.executeUpdate();
                    }
                }
                out.add(new GroupChange(g.name(), added, removed, members));
            }
            return out;
        });
    }

    /**
     * How many health workers {@code rule} selects now, and up to {@code sampleSize} of them (lowest ids first), without
     * saving anything. Throws {@link RuleException} if the rule does not parse.
     */
    public Preview preview(String rule, int sampleSize) throws SQLException {
        if (sampleSize < 0) throw new IllegalArgumentException("sampleSize < 0");
        RuleSql.Where where = RuleSql.where(RuleParser.parse(rule));
        try (Connection c = dataSource.getConnection()) {
            long count;
            try (PreparedStatement ps = c.prepareStatement("select count(*) from health_worker h where " + where.sql())) {
                where.bind(ps, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    count = rs.getLong(1);
                }
            }
            List<Member> sample;
            try (PreparedStatement ps = c.prepareStatement(MEMBER_COLUMNS + " where " + where.sql() + " order by h.id limit ?")) {
                int k = where.bind(ps, 1);
                ps.setInt(k, sampleSize);
                sample = members(ps);
            }
            return new Preview(count, sample);
        }
    }

    /** The stored members of a group, by display name; throws {@link IllegalArgumentException} for an unknown group. */
    public List<Member> members(String groupName) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("select 1 from contact_group where name = ?")) {
                ps.setString(1, groupName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new IllegalArgumentException("no contact group '" + groupName + "'");
                }
            }
            try (PreparedStatement ps = c.prepareStatement(MEMBER_COLUMNS + """
                     join contact_group_member m on m.health_worker_id = h.id
                     join contact_group g on g.id = m.group_id
                    where g.name = ? order by h.display_name, h.id""")) {
                ps.setString(1, groupName);
                return members(ps);
            }
        }
    }

    /** Every stored group, by name. */
    public List<Group> groups() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return groups(c, false);
        }
    }

    private static List<Group> groups(Connection c, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select id, name, rule, mirror, rapidpro_uuid, member_count "
                + "from contact_group order by name" + (lock ? " for update" : ""));
             ResultSet rs = ps.executeQuery()) {
            List<Group> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Group(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5), rs.getInt(6)));
            }
            return out;
        }
    }

    private static List<Member> members(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<Member> out = new ArrayList<>();
            while (rs.next()) out.add(new Member(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            return out;
        }
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }
}
