package org.mhero.rapidpro;

import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.mhero.sandbox.core.RecordedCall;
import org.mhero.testing.IhrisRapidProRouteTest;

import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pull.unknown.contacts = register} against the real HAPI FHIR sandbox iHRIS and the RapidPro simulator: a
 * contact born in RapidPro becomes a Practitioner (POST, name, phone telecom, contact-uuid identifier) linked to its
 * health worker; a re-pull does not create it twice; the next ihris-sync merges it into the same worker; iHRIS down
 * leaves the worker flagged with the reason until a later pull registers it; a contact without a name is never sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RapidProRegisterRouteTest extends IhrisRapidProRouteTest {
    static final Predicate<RecordedCall> PRACTITIONER_POST = c -> c.method().equals("POST") && c.path().endsWith("/Practitioner");

    @Override
    protected int practitioners() { return 30; }

    @Override
    protected Map<String, String> rapidproSettings() { return Map.of("pull.unknown.contacts", "register"); }

    /** The health worker born from this RapidPro contact. */
    long workerOf(String contactUuid) {
        return db.count("select health_worker_id from source_link where registry = 'rapidpro' and source_id = '" + contactUuid + "'");
    }

    /** The id of the worker's iHRIS Practitioner, or null. */
    String practitionerOf(long worker) {
        var ids = db.strings("select source_id from source_link where registry = 'ihris' and health_worker_id = " + worker);
        assertThat(ids).hasSizeLessThanOrEqualTo(1);
        return ids.isEmpty() ? null : ids.get(0);
    }

    String reviewReason(long worker) {
        return db.strings("select coalesce(review_reason, '') from health_worker where id = " + worker).get(0);
    }

    void pull() { template.sendBody("direct:rapidpro-contacts.pull", null); }

    @Test
    @Order(1)
    void aContactBornInRapidProBecomesALinkedPractitionerInIhris() {
        template.sendBody("direct:ihris-sync.run", null);
        int practitioners = ihris.store().practitionerCount();
        String uuid = rapidpro.createContact("Comfort Garmai Kollie", "tel:+231770999222");
        pull();

        long worker = workerOf(uuid);
        String id = practitionerOf(worker);
        assertThat(id).as("the worker is linked to its new Practitioner").isNotNull();
        assertThat(ihris.store().practitionerCount()).isEqualTo(practitioners + 1);
        assertThat(ihris.calls().count(PRACTITIONER_POST)).isEqualTo(1);
        Practitioner p = ihris.store().practitioner(id);
        assertThat(p.getActive()).isTrue();
        assertThat(p.getNameFirstRep().getFamily()).isEqualTo("Kollie");
        assertThat(p.getNameFirstRep().getGiven()).extracting(g -> g.getValue()).containsExactly("Comfort", "Garmai");
        assertThat(p.getTelecom()).singleElement().satisfies(t -> {
            assertThat(t.getSystem().toCode()).isEqualTo("phone");
            assertThat(t.getValue()).isEqualTo("+231770999222");
        });
        assertThat(p.getIdentifier()).anySatisfy(i -> {
            assertThat(i.getSystem()).isEqualTo(UnknownContact.CONTACT_UUID_SYSTEM);
            assertThat(i.getValue()).isEqualTo(uuid);
        });
        assertThat(reviewReason(worker)).as("registered, so no longer under review").isEmpty();
        assertThat(db.strings("select d.rule from merge_decision d join source_link s on s.id = d.source_link_id "
                + "where s.registry = 'ihris' and s.health_worker_id = " + worker)).containsExactly("registered_in_ihris");
    }

    @Test
    @Order(2)
    void aRePullOfEveryContactRegistersNothingTwice() {
        int practitioners = ihris.store().practitionerCount();
        long workers = db.count("select count(*) from health_worker");
        long posts = ihris.calls().count(PRACTITIONER_POST);
        db.count("with d as (delete from sync_watermark where source like 'rapidpro:%' returning 1) select count(*) from d");
        pull();
        pull();
        assertThat(ihris.store().practitionerCount()).isEqualTo(practitioners);
        assertThat(ihris.calls().count(PRACTITIONER_POST)).isEqualTo(posts);
        assertThat(db.count("select count(*) from health_worker")).isEqualTo(workers);
    }

    @Test
    @Order(3)
    void theNextIhrisSyncMergesThePractitionerIntoTheSameWorker() {
        long worker = db.count("select health_worker_id from phone where e164 = '+231770999222' and registry = 'rapidpro'");
        String id = practitionerOf(worker);
        long workers = db.count("select count(*) from health_worker");
        template.sendBody("direct:ihris-sync.run", null);

        assertThat(db.count("select count(*) from health_worker")).as("merged, not duplicated").isEqualTo(workers);
        assertThat(db.strings("select registry from source_link where health_worker_id = " + worker + " order by registry"))
                .containsExactly("ihris", "rapidpro");
        assertThat(db.count("select count(*) from source_link where registry = 'ihris' and source_id = '" + id
                + "' and data is not null")).as("the Practitioner's record is stored on the link").isEqualTo(1);
        assertThat(db.strings("select provenance->>'displayName' from health_worker where id = " + worker)).containsExactly("ihris");
        assertThat(db.count("select count(*) from phone where e164 = '+231770999222' and shared")).as("one person's number").isZero();
        assertThat(reviewReason(worker)).isEmpty();

        // now a known worker: the push updates the contact it was born from (by its number), with the iHRIS id
        String uuid = db.strings("select source_id from source_link where registry = 'rapidpro' and health_worker_id = " + worker).get(0);
        template.sendBody("direct:rapidpro-contacts.push", null);
        assertThat(rapidpro.contact("tel:+231770999222")).hasValueSatisfying(c -> {
            assertThat(c.path("uuid").asText()).isEqualTo(uuid);
            assertThat(c.path("fields").path("globalid").asText()).isEqualTo(id);
        });
        assertThat(db.strings("select contact_uuid from rapidpro_contact where health_worker_id = " + worker)).containsExactly(uuid);
    }

    @Test
    @Order(4)
    void whileIhrisIsDownTheContactsStayFlaggedWithTheReasonAndALaterPullRegistersThem() {
        int practitioners = ihris.store().practitionerCount();
        String first = rapidpro.createContact("Sia Sumo", "tel:+231770999333");
        String second = rapidpro.createContact("Joseph Flomo", "tel:+231770999444");
        ihris.faults().down(true);
        try {
            pull();
        } finally {
            ihris.faults().reset();
        }
        for (String uuid : new String[] {first, second}) {
            long worker = workerOf(uuid);
            assertThat(practitionerOf(worker)).isNull();
            assertThat(reviewReason(worker)).startsWith(ContactStore.NOT_REGISTERED).contains("503");
        }
        assertThat(reviewReason(workerOf(second))).as("not called again once iHRIS failed").contains("not tried");
        assertThat(ihris.store().practitionerCount()).isEqualTo(practitioners);
        long posts = ihris.calls().count(PRACTITIONER_POST);

        pull();   // nothing new in RapidPro: the flagged workers are tried again
        for (String uuid : new String[] {first, second}) {
            long worker = workerOf(uuid);
            assertThat(practitionerOf(worker)).isNotNull();
            assertThat(reviewReason(worker)).isEmpty();
        }
        assertThat(ihris.store().practitionerCount()).isEqualTo(practitioners + 2);
        assertThat(ihris.calls().count(PRACTITIONER_POST)).isEqualTo(posts + 2);
    }

    @Test
    @Order(5)
    void aContactWithoutANameIsNeverSentAndStaysFlaggedWithTheReason() {
        long posts = ihris.calls().count(PRACTITIONER_POST);
        String uuid = rapidpro.createContact(null, "tel:+231770999555");
        pull();
        long worker = workerOf(uuid);
        assertThat(practitionerOf(worker)).isNull();
        assertThat(reviewReason(worker)).isEqualTo(ContactStore.NOT_REGISTERED + "the RapidPro contact has no name, which a Practitioner needs");
        assertThat(ihris.calls().count(PRACTITIONER_POST)).isEqualTo(posts);
    }

    @Test
    @Order(6)
    void aStoppedContactBornInRapidProIsNotRegisteredButFlagged() {
        long posts = ihris.calls().count(PRACTITIONER_POST);
        String uuid = rapidpro.createContact("Mamie Weah", "tel:+231770999666");
        rapidpro.setContactStatus(uuid, "stopped");
        pull();
        long worker = workerOf(uuid);
        assertThat(practitionerOf(worker)).isNull();
        assertThat(reviewReason(worker)).isEqualTo(ContactStore.BORN_IN_RAPIDPRO);
        assertThat(ihris.calls().count(PRACTITIONER_POST)).isEqualTo(posts);
    }
}
