package org.mhero.groups;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mhero.sandbox.db.TestDatabase;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Group definitions and membership on a real PostgreSQL: one throwaway database, fixtures reloaded for each test. */
class GroupStoreTest {
    static TestDatabase db;
    static GroupStore store;

    static final List<GroupDefinition> GROUPS = List.of(
            new GroupDefinition("bong-nurses-midwives", "cadre in (nurse, midwife) and region = \"Bong\" and active", false),
            new GroupDefinition("lofa-or-imnci", "region = \"Lofa\" or training = IMNCI", true),
            new GroupDefinition("gbarnga", "district = Gbarnga", false));

    @BeforeAll
    static void createDatabase() {
        db = GroupFixtures.migratedDatabase();
        store = new GroupStore(db.dataSource());
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void loadFixtures() throws Exception {
        GroupFixtures.execute(db, "truncate contact_group, health_worker, location restart identity cascade");
        GroupFixtures.load(db);
    }

    String groupVersions() {
        return String.join(";", db.strings("""
                select string_agg(x, ',' order by x) from (
                  select 'g' || id || ':' || xmin::text x from contact_group union all
                  select 'm' || group_id || '/' || health_worker_id || ':' || xmin::text from contact_group_member) v"""));
    }

    List<String> members(String group) throws Exception {
        return store.members(group).stream().map(m -> m.displayName().split(" ")[0].toLowerCase()).toList();
    }

    @Test
    void syncCreatesUpdatesAndDeletesGroupsAndWritesNothingForUnchangedOnes() throws Exception {
        assertThat(store.sync(GROUPS)).isEqualTo(new GroupStore.SyncResult(3, 0, 0, 0));
        assertThat(store.groups()).extracting(GroupStore.Group::name, GroupStore.Group::mirror).containsExactly(
                org.assertj.core.groups.Tuple.tuple("bong-nurses-midwives", false),
                org.assertj.core.groups.Tuple.tuple("gbarnga", false),
                org.assertj.core.groups.Tuple.tuple("lofa-or-imnci", true));

        String before = groupVersions();
        assertThat(store.sync(GROUPS)).isEqualTo(new GroupStore.SyncResult(0, 0, 0, 3));
        assertThat(groupVersions()).as("an unchanged configuration writes nothing").isEqualTo(before);

        store.recompute();
        assertThat(members("gbarnga")).isNotEmpty();
        var result = store.sync(List.of(
                new GroupDefinition("bong-nurses-midwives", "cadre in (nurse, midwife) and region = \"Bong\"", false),
                new GroupDefinition("lofa-or-imnci", "region = \"Lofa\" or training = IMNCI", false),
                new GroupDefinition("doctors", "cadre = doctor", true)));
        assertThat(result).isEqualTo(new GroupStore.SyncResult(1, 2, 1, 0));
        assertThat(store.groups()).extracting(GroupStore.Group::name).containsExactly("bong-nurses-midwives", "doctors", "lofa-or-imnci");
        assertThat(db.count("select count(*) from contact_group_member m join contact_group g on g.id = m.group_id where g.name = 'gbarnga'"))
                .isZero();
        assertThatThrownBy(() -> store.members("gbarnga")).hasMessage("no contact group 'gbarnga'");
    }

    @Test
    void syncRejectsABadRuleWithoutWritingAnything() throws Exception {
        store.sync(GROUPS);
        String before = groupVersions();
        assertThatThrownBy(() -> store.sync(List.of(new GroupDefinition("bad", "cadr = nurse", false))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("group 'bad': unknown field 'cadr' at 1");
        assertThat(groupVersions()).isEqualTo(before);
    }

    @Test
    void recomputeFillsEveryGroupAndCountsItsMembers() throws Exception {
        store.sync(GROUPS);
        List<GroupStore.GroupChange> changes = store.recompute();
        assertThat(changes).containsExactly(
                new GroupStore.GroupChange("bong-nurses-midwives", 2, 0, 2),
                new GroupStore.GroupChange("gbarnga", 2, 0, 2),
                new GroupStore.GroupChange("lofa-or-imnci", 2, 0, 2));
        assertThat(members("bong-nurses-midwives")).as("opted-out Cia stays a member").containsExactly("ann", "cia");
        assertThat(members("lofa-or-imnci")).containsExactly("ann", "ben");
        assertThat(members("gbarnga")).containsExactly("ann", "dan");
        assertThat(store.groups()).extracting(GroupStore.Group::memberCount).containsExactly(2, 2, 2);
        assertThat(store.members("gbarnga").get(0).facility()).isEqualTo("Phebe Hospital");
    }

    @Test
    void aSecondRecomputeWithoutChangesWritesNothing() throws Exception {
        store.sync(GROUPS);
        store.recompute();
        String before = groupVersions();
        String registry = db.rowVersions();

        assertThat(store.recompute()).noneMatch(GroupStore.GroupChange::changed);

        assertThat(groupVersions()).as("no contact_group or member row got a new version").isEqualTo(before);
        assertThat(db.rowVersions()).isEqualTo(registry);
    }

    @Test
    void membershipFollowsAWorkerWhoMovesAndOnlyTheirRowsChange() throws Exception {
        store.sync(GROUPS);
        store.recompute();
        String annInGbarnga = db.strings("""
                select m.xmin::text from contact_group_member m join contact_group g on g.id = m.group_id
                join health_worker h on h.id = m.health_worker_id where g.name = 'gbarnga' and h.display_name = 'Ann Kollie'""").get(0);

        // Ben moves from Voinjama (Lofa) to Phebe Hospital (Gbarnga, Bong)
        GroupFixtures.execute(db, """
                update health_worker set facility_id = (select id from location where registry = 'ihris' and source_id = 'F-PH')
                where display_name = 'Ben Flomo'""");
        List<GroupStore.GroupChange> changes = store.recompute();

        assertThat(changes).containsExactly(
                new GroupStore.GroupChange("bong-nurses-midwives", 0, 0, 2),
                new GroupStore.GroupChange("gbarnga", 1, 0, 3),
                new GroupStore.GroupChange("lofa-or-imnci", 0, 1, 1));
        assertThat(members("gbarnga")).containsExactly("ann", "ben", "dan");
        assertThat(members("lofa-or-imnci")).containsExactly("ann");
        assertThat(store.groups()).extracting(GroupStore.Group::memberCount).containsExactly(2, 3, 1);
        assertThat(db.strings("""
                select m.xmin::text from contact_group_member m join contact_group g on g.id = m.group_id
                join health_worker h on h.id = m.health_worker_id where g.name = 'gbarnga' and h.display_name = 'Ann Kollie'"""))
                .as("members who stay are not rewritten").containsExactly(annInGbarnga);

        // a worker deleted from the registry leaves every group through the foreign key
        GroupFixtures.execute(db, "delete from health_worker where display_name = 'Ann Kollie'");
        assertThat(store.recompute()).extracting(GroupStore.GroupChange::members).containsExactly(1, 2, 0);
    }

    @Test
    void aWorkerWhoseCadreBecomesUnknownLeavesACadreGroup() throws Exception {
        store.sync(List.of(new GroupDefinition("nurses", "cadre = nurse", false),
                new GroupDefinition("not-nurses", "cadre != nurse", false)));
        store.recompute();
        assertThat(members("nurses")).containsExactly("ann", "eve");
        GroupFixtures.execute(db, "update health_worker set cadre = null where display_name = 'Eve Doe'");
        store.recompute();
        assertThat(members("nurses")).containsExactly("ann");
        assertThat(members("not-nurses")).containsExactly("ben", "cia", "dan", "eve");
    }
}
