package org.mhero.broadcast;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mhero.config.Pid;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.testing.ShippedConfig;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Recurring (cron) broadcasts on real PostgreSQL, through the store the {@code broadcast.schedule} route calls. Time is
 * moved by putting a fire time in the past ({@code next_fire_at}), never by waiting: each firing makes one occurrence (a
 * child broadcast) whose recipients are resolved then, {@code next_fire_at} follows the cron in the configured zone, a
 * cancel stops the firings, and neither a restart nor a clock that differs from the database's fires one fire time twice.
 */
class RecurringBroadcastTest {
    /** A zone with daylight saving time and a day-of-week field, so that neither is taken for granted. */
    static final ZoneId ZONE = ZoneId.of("America/New_York");
    static final String WEEKDAYS_0930 = "0 30 9 ? * MON-FRI";
    static final String DAILY_0800 = "0 0 8 * * ?";
    static TestDatabase db;
    static ChannelSettings settings;

    @BeforeAll
    static void database() {
        db = new TestDatabase();
        Flyway.configure().dataSource(db.dataSource()).load().migrate();
        Map<String, String> channel = ShippedConfig.idle().pid("org.mhero.channel", Map.of("schedule.time.zone", ZONE.getId()))
                .asMap().get("org.mhero.channel");
        Pid pid = new Pid("org.mhero.channel", channel);
        settings = ChannelSettings.from(pid);
        assertThat(pid.problems()).isEmpty();
    }

    @AfterAll
    static void drop() { db.close(); }

    static BroadcastStore store(Clock clock) {
        return new BroadcastStore(db.dataSource(), settings, Set.of("kannel"), null, clock);
    }

    /** The first weekday 09:30 in New York strictly after {@code after}: the expectation, computed without Quartz. */
    static Instant nextWeekday0930(Instant after) {
        ZonedDateTime t = after.atZone(ZONE).with(LocalTime.of(9, 30));
        while (!t.toInstant().isAfter(after) || t.getDayOfWeek() == DayOfWeek.SATURDAY || t.getDayOfWeek() == DayOfWeek.SUNDAY) {
            t = t.plusDays(1).with(LocalTime.of(9, 30));
        }
        return t.toInstant();
    }

    static long group(String name, List<Long> members) {
        long id = db.count("insert into contact_group (name, rule) values ('" + name + "', 'active') returning id");
        for (long w : members) member(id, w);
        return id;
    }

    static void member(long group, long worker) {
        db.count("with i as (insert into contact_group_member (group_id, health_worker_id) values (" + group + ", " + worker
                + ") returning 1) select count(*) from i");
    }

    static Instant nextFireAt(long id) {
        List<String> v = db.strings("select extract(epoch from next_fire_at)::numeric(20,3)::text from broadcast where id = " + id);
        return v.get(0) == null ? null : Instant.ofEpochMilli(new java.math.BigDecimal(v.get(0)).movePointRight(3).longValueExact());
    }

    /** Makes {@code at} (a past fire time of the cron) the broadcast's next fire time, as if the clock had reached it. */
    static void dueAt(long id, Instant at) {
        db.count("with u as (update broadcast set next_fire_at = '" + at + "'::timestamptz where id = "
                + id + " returning 1) select count(*) from u");
    }

    static List<Long> occurrences(long parent) {
        return db.strings("select id from broadcast where parent_id = " + parent + " order by id").stream().map(Long::parseLong).toList();
    }

    static List<String> recipients(long occurrence) {
        return db.strings("select health_worker_id || ' ' || status || coalesce(' (' || reason || ')', '') from delivery where broadcast_id = "
                + occurrence + " order by health_worker_id");
    }

    @Test
    void eachFiringResolvesTheGroupThenAndNextFireAtFollowsTheCronInTheZone() throws Exception {
        List<Long> w = BroadcastFixtures.workers(db, BroadcastFixtures.numbers("+23177601", 4));
        long ward = group("ward-7", List.of(w.get(0), w.get(1)));
        BroadcastStore store = store(Clock.systemUTC());

        Instant before = Instant.now();
        BroadcastView r = store.create(new BroadcastRequest("weekly reminder", "Submit your weekly report", null, null,
                List.of("ward-7"), null, null, null, null, WEEKDAYS_0930), "test");
        assertThat(r.status()).isEqualTo("recurring");
        assertThat(r.recipients()).as("nobody is resolved before a firing").isZero();
        assertThat(db.strings("select time_zone from broadcast where id = " + r.id())).containsExactly(ZONE.getId());
        Instant first = nextFireAt(r.id());
        assertThat(first).isIn(nextWeekday0930(before), nextWeekday0930(Instant.now()));

        // the fire time comes: one occurrence with the group's members as they are now
        // past fire times of the cron: the same weekday and hour two weeks and one week before the first one
        Instant fire1 = first.atZone(ZONE).minusWeeks(2).toInstant();
        Instant fire2 = first.atZone(ZONE).minusWeeks(1).toInstant();
        dueAt(r.id(), fire1);
        store.releaseDue();
        List<Long> occ = occurrences(r.id());
        assertThat(occ).hasSize(1);
        assertThat(recipients(occ.get(0))).containsExactly(w.get(0) + " pending", w.get(1) + " pending");
        BroadcastView o1 = store.get(occ.get(0)).orElseThrow();
        assertThat(o1.parentId()).isEqualTo(r.id());
        assertThat(o1.status()).isEqualTo("sending");
        assertThat(o1.title()).isEqualTo("weekly reminder");
        assertThat(db.strings("select text from broadcast where id = " + o1.id())).containsExactly("Submit your weekly report");
        Instant afterFire = nextFireAt(r.id());
        assertThat(afterFire).as("the next weekday 09:30 in New York after now").isEqualTo(nextWeekday0930(Instant.now()));
        store.releaseDue();
        assertThat(occurrences(r.id())).as("nothing more is due").hasSize(1);

        // a worker joins the group, another opts out: the next firing sees both changes; the first occurrence keeps its rows
        member(ward, w.get(2));
        db.count("with u as (update health_worker set opted_out = true where id = " + w.get(1) + " returning 1) select count(*) from u");
        dueAt(r.id(), fire2);
        store.releaseDue();
        occ = occurrences(r.id());
        assertThat(occ).hasSize(2);
        assertThat(recipients(occ.get(1))).containsExactly(w.get(0) + " pending", w.get(1) + " skipped (opted out)", w.get(2) + " pending");
        assertThat(recipients(occ.get(0))).containsExactly(w.get(0) + " pending", w.get(1) + " pending");
        assertThat(db.strings("select count(*) from delivery where broadcast_id = " + occ.get(1) + " and health_worker_id = " + w.get(3)))
                .containsExactly("0");

        // cancel: no firing any more, even once its old fire time has passed
        BroadcastView cancelled = store.cancel(r.id());
        assertThat(cancelled.status()).isEqualTo("cancelled");
        assertThat(cancelled.nextFireAt()).as("a cancelled broadcast shows no next firing").isNull();
        dueAt(r.id(), fire2);
        store.releaseDue();
        assertThat(occurrences(r.id())).hasSize(2);
        assertThatThrownBy(() -> store.cancel(r.id())).isInstanceOfSatisfying(BroadcastRejected.class, e -> assertThat(e.status()).isEqualTo(409));
    }

    @Test
    void aRestartOrAClockBehindTheDatabasesNeverFiresOneFireTimeTwice() throws Exception {
        List<Long> w = BroadcastFixtures.workers(db, BroadcastFixtures.numbers("+23177602", 2));
        group("ward-8", w);
        BroadcastView r = store(Clock.systemUTC()).create(new BroadcastRequest("daily", "Daily check-in", null, null,
                List.of("ward-8"), null, null, null, null, DAILY_0800), "test");
        // a fire time that has passed by the database's clock, while this node's clock still reads two seconds before it
        // (a node whose clock lags the database server's; here by hours, so the test does not depend on the time of day)
        Instant fire = ZonedDateTime.now(ZONE).minusDays(1).with(LocalTime.of(8, 0)).toInstant();
        dueAt(r.id(), fire);
        BroadcastStore lagging = store(Clock.fixed(fire.minusSeconds(2), ZoneOffset.UTC));
        lagging.releaseDue();
        assertThat(occurrences(r.id())).hasSize(1);
        assertThat(nextFireAt(r.id())).as("the next firing is after the one that fired").isAfter(fire);
        lagging.releaseDue();
        assertThat(occurrences(r.id())).as("the same fire time is not fired again").hasSize(1);

        // a restart: a new store (as a new context builds) on the same database, on a good clock
        BroadcastStore restarted = store(Clock.systemUTC());
        restarted.releaseDue();
        assertThat(occurrences(r.id())).hasSize(1);
        // even with next_fire_at put back to the fire time that fired (a database restored from before it, a node with
        // a bug), that fire time gets no second occurrence, and the schedule moves on
        dueAt(r.id(), fire);
        restarted.releaseDue();
        assertThat(occurrences(r.id())).hasSize(1);
        assertThat(nextFireAt(r.id())).isAfter(Instant.now());
        assertThat(db.strings("select extract(epoch from fire_at)::bigint from broadcast where parent_id = " + r.id()))
                .as("the occurrence records the fire time it belongs to").containsExactly(Long.toString(fire.getEpochSecond()));

        // and the database itself refuses a second occurrence of one fire time (a node with another bug, a manual insert)
        assertThatThrownBy(() -> db.count("""
                with i as (insert into broadcast (kind, text, target, status, parent_id, fire_at)
                           select kind, text, target, 'sending', parent_id, fire_at from broadcast where parent_id = %d returning 1)
                select count(*) from i""".formatted(r.id()))).cause().hasMessageContaining("broadcast_occurrence");
    }
}
