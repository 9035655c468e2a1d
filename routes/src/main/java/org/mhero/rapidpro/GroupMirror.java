package org.mhero.rapidpro;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Mirrors the contact groups marked {@code mirror = true} to RapidPro groups of the same name: members with a pushed
 * contact are added, former members removed, at most 100 contacts per {@code contact_actions} call, each call recorded
 * as soon as it succeeded (so an interrupted mirror resumes, and an unchanged group makes no call). Opted-out workers
 * stay members in RapidPro too; RapidPro itself skips stopped and blocked contacts when sending.
 */
public final class GroupMirror {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMirror.class);
    static final int MAX = RapidProClient.MAX_LIST_ITEMS;

    /** Counts of one mirror. */
    public record Result(int groups, int added, int removed, int calls) {}

    private final DataSource ds;
    private final RapidProClient client;

    public GroupMirror(DataSource ds, RapidProClient client) {
        this.ds = ds;
        this.client = client;
    }

    public Result mirror() throws SQLException {
        int groups = 0, added = 0, removed = 0, calls = 0;
        for (long[] g : mirroredGroups()) {
            long groupId = g[0];
            String name = groupName(groupId);
            Set<String> want = uuids("""
                    select rc.contact_uuid from contact_group_member m join rapidpro_contact rc on rc.health_worker_id = m.health_worker_id
                     where m.group_id = ? and rc.contact_uuid is not null order by 1""", groupId);
            Set<String> have = uuids("select contact_uuid from rapidpro_group_member where group_id = ? order by 1", groupId);
            List<String> add = new ArrayList<>(want);
            add.removeAll(have);
            List<String> remove = new ArrayList<>(have);
            remove.removeAll(want);
            groups++;
            if (add.isEmpty() && remove.isEmpty()) continue;
            String groupUuid = groupUuid(groupId, name);
            for (int i = 0; i < add.size(); i += MAX) {
                List<String> chunk = add.subList(i, Math.min(add.size(), i + MAX));
                client.contactActions(chunk, ContactAction.ADD, groupUuid);
                record(groupId, chunk, true);
                added += chunk.size();
                calls++;
            }
            for (int i = 0; i < remove.size(); i += MAX) {
                List<String> chunk = remove.subList(i, Math.min(remove.size(), i + MAX));
                client.contactActions(chunk, ContactAction.REMOVE, groupUuid);
                record(groupId, chunk, false);
                removed += chunk.size();
                calls++;
            }
        }
        if (added + removed > 0) LOG.info("RapidPro groups mirrored: {} groups, {} contacts added, {} removed, {} calls", groups, added, removed, calls);
        return new Result(groups, added, removed, calls);
    }

    private List<long[]> mirroredGroups() throws SQLException {
        List<long[]> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("select id from contact_group where mirror order by id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(new long[] {rs.getLong(1)});
        }
        return out;
    }

    private String groupName(long id) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("select name from contact_group where id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** The RapidPro group's uuid, created (or found by name) the first time and remembered. */
    private String groupUuid(long groupId, String name) throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("select rapidpro_uuid from contact_group where id = ?")) {
                ps.setLong(1, groupId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString(1) != null) return rs.getString(1);
                }
            }
            String uuid = client.ensureGroup(name).uuid();
            try (PreparedStatement ps = c.prepareStatement("update contact_group set rapidpro_uuid = ? where id = ?")) {
                ps.setString(1, uuid);
                ps.setLong(2, groupId);
                ps.executeUpdate();
            }
            return uuid;
        }
    }

    private Set<String> uuids(String sql, long groupId) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, groupId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    private void record(long groupId, List<String> uuids, boolean added) throws SQLException {
        String sql = added
                ? "insert into rapidpro_group_member (group_id, contact_uuid) select ?, unnest(?::text[]) on conflict do nothing"
                : "delete from rapidpro_group_member where group_id = ? and contact_uuid = any(?::text[])";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, groupId);
            ps.setArray(2, c.createArrayOf("text", uuids.toArray()));
            ps.executeUpdate();
        }
    }
}
