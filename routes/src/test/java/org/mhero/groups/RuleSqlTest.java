package org.mhero.groups;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RuleSqlTest {

    static RuleSql.Where where(String rule) { return RuleSql.where(RuleParser.parse(rule)); }

    @Test
    void bindsEveryValueAsALowerCasedParameter() {
        RuleSql.Where w = where("cadre in (Nurse, MIDWIFE) and active");
        assertThat(w.sql()).isEqualTo("(coalesce(lower(h.cadre) in (?, ?), false) and h.active)");
        assertThat(w.params()).containsExactly("nurse", "midwife");
    }

    @Test
    void neverPutsAValueIntoTheSqlText() {
        String evil = "x'; drop table health_worker; --";
        RuleSql.Where w = where("district = \"" + evil + "\" or facility = \"" + evil + "\" or cadre = \"" + evil + "\"");
        assertThat(w.sql()).doesNotContain("drop").doesNotContain("x'");
        assertThat(w.params()).containsExactly(evil, evil, evil);
    }

    @Test
    void findsAncestorsThroughTheFacilitysResolvedIdsInItsOwnRegistry() {
        RuleSql.Where w = where("district = Gbarnga");
        assertThat(w.sql()).isEqualTo("exists (select 1 from location f join location a on a.registry = f.registry"
                + " and a.source_id = f.district_source_id where f.id = h.facility_id and a.level = 'district'"
                + " and lower(a.name) = ?)");
        assertThat(where("region = Bong").sql()).contains("f.region_source_id", "a.level = 'region'");
        assertThat(where("country = Liberia").sql()).contains("f.country_source_id", "a.level = 'country'");
    }

    @Test
    void matchesJobAndTrainingByCodeOrName() {
        RuleSql.Where job = where("job = \"Medical Doctor\"");
        assertThat(job.sql()).isEqualTo("coalesce(lower(h.job_code) = ? or lower(h.job_title) = ?, false)");
        assertThat(job.params()).containsExactly("medical doctor", "medical doctor");
        RuleSql.Where training = where("training in (imnci, bemonc)");
        assertThat(training.sql()).contains("lower(t.code) in (?, ?) or lower(t.name) in (?, ?)");
        assertThat(training.params()).containsExactly("imnci", "bemonc", "imnci", "bemonc");
    }

    @Test
    void negationWrapsTheWholeCondition() {
        assertThat(where("cadre != nurse").sql()).isEqualTo("not (coalesce(lower(h.cadre) = ?, false))");
        assertThat(where("not (active or reachable)").sql()).startsWith("not ((h.active or exists (select 1 from phone p");
        assertThat(where("registry not in (csv)").sql())
                .isEqualTo("not (exists (select 1 from source_link s where s.health_worker_id = h.id and s.registry = ?))");
    }
}
