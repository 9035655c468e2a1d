package org.mhero.groups;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mhero.sandbox.db.TestDatabase;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each field and some combinations against a real PostgreSQL, through {@link GroupStore#preview}. */
class GroupRuleSqlTest {
    static TestDatabase db;
    static GroupStore store;

    @BeforeAll
    static void setUp() throws Exception {
        db = GroupFixtures.migratedDatabase();
        GroupFixtures.load(db);
        store = new GroupStore(db.dataSource());
    }

    @AfterAll
    static void tearDown() {
        db.close();
    }

    /** First names of the workers the rule selects, in id order. */
    static List<String> who(String rule) throws Exception {
        return store.preview(rule, 100).sample().stream().map(m -> m.displayName().split(" ")[0].toLowerCase()).toList();
    }

    @Test
    void cadreIsCaseInsensitiveAndNotEqualIncludesWorkersWithoutACadre() throws Exception {
        assertThat(who("cadre = NURSE")).containsExactly("ann", "eve");
        assertThat(who("cadre in (nurse, midwife)")).containsExactly("ann", "cia", "eve");
        assertThat(who("cadre != nurse")).containsExactly("ben", "cia", "dan");
        assertThat(who("cadre not in (nurse, doctor)")).containsExactly("cia", "dan");
    }

    @Test
    void jobMatchesCodeOrTitle() throws Exception {
        assertThat(who("job = \"2221-1D\"")).containsExactly("ben");
        assertThat(who("job = \"medical doctor\"")).containsExactly("ben");
        assertThat(who("job in (1342-1A, Midwife)")).containsExactly("cia", "dan");
    }

    @Test
    void facilityMatchesTheFacilityName() throws Exception {
        assertThat(who("facility = \"phebe hospital\"")).containsExactly("ann", "dan");
        assertThat(who("facility = \"Salala Clinic\"")).containsExactly("cia");
        assertThat(who("facility = Gbarnga")).as("a district is not a facility name").isEmpty();
    }

    @Test
    void districtIsFoundThroughTheFacilitysOwnRegistry() throws Exception {
        // ihris D-GB is Gbarnga, dhis2 D-GB is Salala: Cia's dhis2 facility is in Salala only
        assertThat(who("district = gbarnga")).containsExactly("ann", "dan");
        assertThat(who("district = Salala")).containsExactly("cia");
        assertThat(who("district in (Voinjama, Salala)")).containsExactly("ben", "cia");
        assertThat(who("district = Bong")).as("Bong is a region, not a district").isEmpty();
    }

    @Test
    void regionAndCountryMatchByNameAcrossRegistries() throws Exception {
        assertThat(who("region = \"Bong\"")).containsExactly("ann", "cia", "dan");
        assertThat(who("region = Lofa")).containsExactly("ben");
        assertThat(who("region = Gbarnga")).as("Gbarnga is a district").isEmpty();
        assertThat(who("country = liberia")).as("Eve has no facility").containsExactly("ann", "ben", "cia", "dan");
    }

    @Test
    void trainingMatchesCodeOrName() throws Exception {
        assertThat(who("training = IMNCI")).containsExactly("ann");
        assertThat(who("training = \"infection prevention and control (ebola)\"")).containsExactly("eve");
        assertThat(who("training in (imnci, ebola-ipc)")).containsExactly("ann", "eve");
        assertThat(who("not training = imnci")).containsExactly("ben", "cia", "dan", "eve");
    }

    @Test
    void registryMeansTheWorkerHasASourceRecordThere() throws Exception {
        assertThat(who("registry = dhis2")).containsExactly("ben", "cia");
        assertThat(who("registry = ihris")).containsExactly("ann", "ben");
        assertThat(who("registry in (csv, rapidpro)")).containsExactly("dan", "eve");
    }

    @Test
    void flags() throws Exception {
        assertThat(who("active")).containsExactly("ann", "ben", "cia", "eve");
        assertThat(who("active = false")).containsExactly("dan");
        assertThat(who("opted_out")).containsExactly("cia");
        assertThat(who("reachable")).as("a usable primary phone; Ben's is unusable, Cia's is not primary")
                .containsExactly("ann", "eve");
    }

    @Test
    void combinations() throws Exception {
        assertThat(who("cadre in (nurse, midwife) and region = \"Bong\" and active")).containsExactly("ann", "cia");
        assertThat(who("region = \"Lofa\" or training = IMNCI")).containsExactly("ann", "ben");
        assertThat(who("not opted_out and registry = dhis2")).containsExactly("ben");
        assertThat(who("reachable and not opted_out or cadre = doctor")).containsExactly("ann", "ben", "eve");
        assertThat(who("reachable and (not opted_out or cadre = doctor)")).containsExactly("ann", "eve");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cadre = nurse", "cadre != nurse", "job = \"2221-1D\"", "facility = \"Phebe Hospital\"",
            "district = Gbarnga", "region = Bong", "country = Liberia", "training = imnci", "registry = dhis2",
            "active", "opted_out", "reachable", "cadre in (nurse, doctor) or not active"})
    void notRuleIsTheExactComplementOfRuleEvenWithNulls(String rule) throws Exception {
        long yes = store.preview(rule, 0).count();
        long no = store.preview("not (" + rule + ")", 0).count();
        assertThat(yes + no).isEqualTo(5);
    }

    @Test
    void previewCountsAndSamplesWithoutPhonesOrWrites() throws Exception {
        String before = db.rowVersions();
        GroupStore.Preview p = store.preview("country = Liberia", 2);
        assertThat(p.count()).isEqualTo(4);
        assertThat(p.sample()).hasSize(2);
        assertThat(p.sample().get(0)).satisfies(m -> {
            assertThat(m.displayName()).isEqualTo("Ann Kollie");
            assertThat(m.cadre()).isEqualTo("nurse");
            assertThat(m.facility()).isEqualTo("Phebe Hospital");
            assertThat(m.healthWorkerId()).isPositive();
        });
        assertThat(store.preview("cadre = nurse", 10).sample()).extracting(GroupStore.Member::facility)
                .containsExactly("Phebe Hospital", null);
        assertThat(db.rowVersions()).isEqualTo(before);
        assertThat(db.count("select count(*) from contact_group")).isZero();
    }

    @Test
    void injectionAttemptsAreOnlyValues() throws Exception {
        assertThat(store.preview("district = \"x'; drop table health_worker; --\"", 5).count()).isZero();
        assertThat(store.preview("cadre in (\"nurse') or 1=1 --\", \"x\\\" or true\")", 5).count()).isZero();
        assertThat(store.preview("facility = \"Phebe Hospital'; delete from location; --\"", 5).count()).isZero();
        assertThat(db.count("select count(*) from health_worker")).isEqualTo(5);
        assertThat(db.count("select count(*) from location")).isEqualTo(11);
    }

    @Test
    void previewOfABadRuleSaysWhatIsWrong() {
        assertThatThrownBy(() -> store.preview("cadre = nurse and distrct = Bong", 5))
                .isInstanceOf(RuleException.class).hasMessageStartingWith("unknown field 'distrct' at 19");
    }
}
