package org.mhero.rapidpro;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mhero.sandbox.core.RecordedCall;
import org.mhero.testing.IhrisRapidProRouteTest;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * rapidpro-contacts against the RapidPro simulator, after a real ihris-sync: push only what changed, never a shared
 * number, 429s honoured without duplicates, STOP read back as an opt-out everywhere, unknown contacts flagged.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RapidProContactsRouteTest extends IhrisRapidProRouteTest {
    @Override
    protected int practitioners() { return 120; }

    @Override
    protected Map<String, String> rapidproSettings() { return Map.of("push.batch.size", "25"); }

    static final Predicate<RecordedCall> CONTACT_POST = c -> c.method().equals("POST") && c.path().endsWith("/contacts.json");

    long pushable() {
        return db.count("""
                select count(*) from health_worker h join phone p on p.health_worker_id = h.id and p.is_primary and p.e164 is not null
                 where h.active and not h.opted_out and h.review_reason is null and not p.shared""");
    }

    @Test
    @Order(1)
    void pushesEveryReachableWorkerOnceWithItsFieldsButNeverASharedNumber() {
        template.sendBody("direct:ihris-sync.run", null);
        long expected = pushable();
        assertThat(expected).isPositive();
        template.sendBody("direct:rapidpro-contacts.push", null);
        assertThat(rapidpro.contactsCreatedByApi()).isEqualTo((int) expected);
        assertThat(db.count("select count(*) from rapidpro_contact where contact_uuid is not null")).isEqualTo(expected);
        assertThat(db.count("select count(*) from rapidpro_contact where skip_reason like 'number shared%'")).isPositive();
        String urn = db.strings("select urn from rapidpro_contact where contact_uuid is not null order by health_worker_id limit 1").get(0);
        assertThat(rapidpro.contact(urn)).hasValueSatisfying(c -> {
            assertThat(c.path("fields").path("globalid").asText()).startsWith("P");
            assertThat(c.path("fields").path("mheroid").asText()).isNotBlank();
            assertThat(c.path("fields").path("district").asText()).isNotBlank();
        });
        for (String shared : db.strings("select distinct e164 from phone where shared")) {
            assertThat(rapidpro.contact("tel:" + shared)).as("a shared number has no contact").isEmpty();
        }
        assertThat(rapidpro.calls().count(c -> c.status() == 429)).isZero();

        // the shipped group "doctors" is mirrored: RapidPro's group holds exactly its members that have a contact
        List<String> doctors = db.strings("""
                select rc.urn from contact_group g join contact_group_member m on m.group_id = g.id
                  join rapidpro_contact rc on rc.health_worker_id = m.health_worker_id
                 where g.name = 'doctors' and rc.contact_uuid is not null""");
        assertThat(doctors).isNotEmpty();
        for (String doctorUrn : doctors) {
            assertThat(rapidpro.contact(doctorUrn)).hasValueSatisfying(c -> assertThat(c.path("groups").toString()).contains("\"doctors\""));
        }
        assertThat(rapidpro.calls().matching(c -> c.path().endsWith("/contact_actions.json")))
                .hasSize((doctors.size() + 99) / 100)
                .allSatisfy(c -> assertThat(c.body()).contains("\"action\":\"add\""));
    }

    @Test
    @Order(2)
    void aSecondPushWithoutChangesCallsNothing() {
        rapidpro.calls().clear();
        template.sendBody("direct:rapidpro-contacts.push", null);
        assertThat(rapidpro.calls().count(CONTACT_POST)).isZero();
        assertThat(rapidpro.calls().count(c -> c.path().endsWith("/contact_actions.json"))).as("groups unchanged: no call").isZero();
    }

    @Test
    @Order(3)
    void pushesOnlyWhatChangedInTheRegistryAndHonours429() {
        List<String> touched = ihris.store().touchPractitioners(12);
        template.sendBody("direct:ihris-sync.run", null);
        long changedPushable = db.count("""
                select count(*) from health_worker h join source_link s on s.health_worker_id = h.id and s.source_id in ('%s')
                  join phone p on p.health_worker_id = h.id and p.is_primary and p.e164 is not null and not p.shared
                 where h.active and not h.opted_out""".formatted(String.join("','", touched)));
        Map<Long, String[]> known = new java.util.HashMap<>();   // worker -> {uuid, urn} before the push
        for (String row : db.strings("select health_worker_id || ' ' || contact_uuid || ' ' || urn from rapidpro_contact where contact_uuid is not null")) {
            String[] v = row.split(" ");
            known.put(Long.parseLong(v[0]), new String[] {v[1], v[2]});
        }
        rapidpro.calls().clear();
        rapidpro.faults().force429(2);
        int before = rapidpro.contactsCreatedByApi();
        template.sendBody("direct:rapidpro-contacts.push", null);
        assertThat(changedPushable).as("some touched workers are reachable").isPositive();
        List<RecordedCall> posts = rapidpro.calls().matching(CONTACT_POST.and(c -> c.status() < 300));
        assertThat(posts).as("at most one call per changed worker (a change outside the contact's fields sends nothing)")
                .isNotEmpty().hasSizeLessThanOrEqualTo((int) changedPushable);
        long byUrn = posts.stream().filter(c -> c.query().startsWith("urn=")).count();
        assertThat(posts.size() - byUrn).as("known contacts are updated by uuid").isPositive();
        assertThat(rapidpro.contactsCreatedByApi() - before).as("only workers never pushed before get a new contact").isEqualTo((int) byUrn);
        assertThat(rapidpro.calls().count(c -> c.status() == 429)).as("the forced 429s were met and retried").isEqualTo(2);
        int moved = 0;
        for (var e : known.entrySet()) {
            List<String> now = db.strings("select contact_uuid || ' ' || urn from rapidpro_contact where health_worker_id = " + e.getKey());
            String[] v = now.get(0).split(" ");
            assertThat(v[0]).as("a worker keeps its contact").isEqualTo(e.getValue()[0]);
            if (!v[1].equals(e.getValue()[1])) {
                moved++;
                assertThat(rapidpro.contact(v[1])).as("the contact moved to the new number")
                        .hasValueSatisfying(c -> assertThat(c.path("uuid").asText()).isEqualTo(v[0]));
                assertThat(rapidpro.contact(e.getValue()[1])).as("the old number is gone from it").isEmpty();
            }
        }
        assertThat(moved).as("some touched workers changed number").isPositive();
    }

    @Test
    @Order(4)
    void aStopInRapidProOptsTheWorkerOutEverywhereAndAnUnknownContactIsFlagged() {
        String urn = db.strings("select urn from rapidpro_contact where contact_uuid is not null order by health_worker_id limit 1").get(0);
        long worker = db.count("select health_worker_id from rapidpro_contact where urn = '" + urn + "'");
        rapidpro.setContactStatus(urn, "stopped");
        rapidpro.createContact("Someone Unregistered", "tel:+231770999111");
        template.sendBody("direct:rapidpro-contacts.pull", null);

        assertThat(db.strings("select opted_out || ' ' || (provenance->>'optedOut') from health_worker where id = " + worker))
                .containsExactly("true rapidpro");
        assertThat(db.strings("select rule from merge_decision d join source_link s on s.id = d.source_link_id "
                + "where s.registry = 'rapidpro' and s.health_worker_id = " + worker)).containsExactly("rapidpro_contact");
        assertThat(db.count("""
                select count(*) from health_worker h join phone p on p.health_worker_id = h.id
                 where p.e164 = '+231770999111' and h.review_reason like 'created in RapidPro%'""")).isEqualTo(1);

        rapidpro.calls().clear();
        ihris.store().touchPractitioners(0);
        template.sendBody("direct:rapidpro-contacts.push", null);
        assertThat(rapidpro.calls().count(CONTACT_POST)).as("opted-out and unreviewed workers are never pushed").isZero();
    }

    @Test
    @Order(5)
    void aPullWithoutChangesInRapidProWritesNothing() {
        template.sendBody("direct:rapidpro-contacts.pull", null);
        String before = db.rowVersions();
        template.sendBody("direct:rapidpro-contacts.pull", null);
        assertThat(db.rowVersions()).isEqualTo(before);
    }
}
