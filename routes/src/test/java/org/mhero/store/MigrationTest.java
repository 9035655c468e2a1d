package org.mhero.store;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.mhero.sandbox.db.TestDatabase;

import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** Upgrades keep data right: links written before their record was stored are read again after V7. */
class MigrationTest {
    @Test
    void linksWithoutAStoredRecordAreReadAgainByTheNextSync() throws Exception {
        try (TestDatabase db = new TestDatabase()) {
            Flyway.configure().dataSource(db.dataSource()).target("6").load().migrate();
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("insert into health_worker (id, display_name) values (1, 'Old Worker'), (2, 'New Worker')");
                s.execute("insert into source_link (health_worker_id, registry, source_id, content_hash, data) values "
                        + "(1, 'ihris', 'P1', 'abc', null), (2, 'ihris', 'P2', 'def', '{}'::jsonb), (2, 'rapidpro', 'u-1', '', null)");
                s.execute("insert into sync_watermark (source, watermark) values ('ihris:Practitioner@http://x/fhir', now())");
            }
            Flyway.configure().dataSource(db.dataSource()).load().migrate();
            assertThat(db.strings("select source_id || '=' || content_hash from source_link order by source_id"))
                    .containsExactly("P1=", "P2=def", "u-1=");
            assertThat(db.count("select count(*) from sync_watermark")).as("the next sync reads everything again").isZero();
        }
    }

    @Test
    void aDatabaseWhoseLinksAllHaveRecordsKeepsItsWatermarks() throws Exception {
        try (TestDatabase db = new TestDatabase()) {
            Flyway.configure().dataSource(db.dataSource()).target("6").load().migrate();
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("insert into health_worker (id, display_name) values (1, 'Worker')");
                s.execute("insert into source_link (health_worker_id, registry, source_id, content_hash, data) values (1, 'ihris', 'P1', 'abc', '{}'::jsonb)");
                s.execute("insert into sync_watermark (source, watermark) values ('ihris:Practitioner@http://x/fhir', now())");
            }
            Flyway.configure().dataSource(db.dataSource()).load().migrate();
            assertThat(db.count("select count(*) from sync_watermark")).isEqualTo(1);
            assertThat(db.strings("select content_hash from source_link")).containsExactly("abc");
        }
    }
}
