package org.mhero.rapidpro;

import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.Test;
import org.mhero.config.Pid;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnknownContactTest {
    @Test
    void becomesAnActivePractitionerWithItsNameNumbersAndContactUuid() {
        Practitioner p = new UnknownContact(7, "c0ffee00-0000-4000-8000-000000000001", "  Comfort  Garmai Kollie ",
                List.of("+231770999222", "0886")).toPractitioner();
        assertThat(p.getActive()).isTrue();
        assertThat(p.hasId()).as("the server assigns the id (POST)").isFalse();
        HumanName n = p.getNameFirstRep();
        assertThat(n.getUse()).isEqualTo(HumanName.NameUse.OFFICIAL);
        assertThat(n.getText()).isEqualTo("Comfort Garmai Kollie");
        assertThat(n.getFamily()).isEqualTo("Kollie");
        assertThat(n.getGiven()).extracting(g -> g.getValue()).containsExactly("Comfort", "Garmai");
        assertThat(p.getTelecom()).hasSize(2);
        ContactPoint first = p.getTelecom().get(0);
        assertThat(first.getSystem()).isEqualTo(ContactPoint.ContactPointSystem.PHONE);
        assertThat(first.getUse()).isEqualTo(ContactPoint.ContactPointUse.MOBILE);
        assertThat(first.getRank()).isEqualTo(1);
        assertThat(first.getValue()).isEqualTo("+231770999222");
        assertThat(p.getTelecom().get(1).getRank()).isEqualTo(2);
        assertThat(p.getIdentifier()).singleElement().satisfies(i -> {
            assertThat(i.getSystem()).isEqualTo("http://app.rapidpro.io/contact-uuid");
            assertThat(i.getValue()).isEqualTo("c0ffee00-0000-4000-8000-000000000001");
        });
    }

    @Test
    void aOneWordNameIsTheFamilyName() {
        HumanName n = new UnknownContact(1, "u", "Tenneh", List.of("+231770999222")).toPractitioner().getNameFirstRep();
        assertThat(n.getFamily()).isEqualTo("Tenneh");
        assertThat(n.getGiven()).isEmpty();
    }

    @Test
    void aContactWithoutANameOrNumberIsRefusedWithTheReason() {
        assertThatThrownBy(() -> new UnknownContact(1, "u", " ", List.of("+231770999222")).toPractitioner())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no name");
        assertThatThrownBy(() -> new UnknownContact(1, "u", null, List.of("+231770999222")).toPractitioner())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no name");
        assertThatThrownBy(() -> new UnknownContact(1, "u", "Sia Sumo", List.of()).toPractitioner())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no phone number");
    }

    @Test
    void unknownContactsSettingIsReviewOrRegister() {
        assertThat(settings("review").registerUnknownContacts()).isFalse();
        assertThat(settings("register").registerUnknownContacts()).isTrue();
        Pid bad = pid("create");
        RapidProSettings.from(bad);
        assertThat(bad.problems()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("pull.unknown.contacts");
            assertThat(p.message()).contains("'create'").contains("review").contains("register");
        });
        Pid missing = pid(null);
        RapidProSettings.from(missing);
        assertThat(missing.problems()).extracting(Pid.Problem::key).containsExactly("pull.unknown.contacts");
    }

    private static RapidProSettings settings(String unknown) {
        Pid p = pid(unknown);
        RapidProSettings s = RapidProSettings.from(p);
        assertThat(p.problems()).isEmpty();
        return s;
    }

    /** The shipped org.mhero.rapidpro.cfg with pull.unknown.contacts set (or removed when null). */
    private static Pid pid(String unknown) {
        Map<String, String> v = new HashMap<>(org.mhero.testing.ShippedConfig.idle().asMap().get(RapidProSettings.PID));
        if (unknown == null) v.remove("pull.unknown.contacts");
        else v.put("pull.unknown.contacts", unknown);
        return new Pid(RapidProSettings.PID, v);
    }
}
