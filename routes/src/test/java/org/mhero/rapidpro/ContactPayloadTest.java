package org.mhero.rapidpro;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContactPayloadTest {

    private static HealthWorkerContact hw(String name, String facility, String language, String phone) {
        return new HealthWorkerContact(42, "ihris", "Practitioner-123", name, language, phone, facility, "Bong District", "Bong", "Midwife");
    }

    @Test
    void mapsAHealthWorkerToNameLanguageAndTheStandardFields() {
        ContactPayload p = ContactPayload.fromHealthWorker(hw(" Grace  Kollie ", "Phebe Hospital", "eng", "+231770000042"));
        assertThat(p.name()).isEqualTo("Grace Kollie");
        assertThat(p.language()).isEqualTo("eng");
        assertThat(p.fields()).containsEntry("globalid", "Practitioner-123")
                .containsEntry("mheroentitytype", "Practitioner")
                .containsEntry("facility", "Phebe Hospital")
                .containsEntry("district", "Bong District")
                .containsEntry("region", "Bong")
                .containsEntry("cadre", "Midwife")
                .containsEntry("registry", "ihris")
                .containsEntry("mheroid", "42")
                .hasSize(8);
        assertThat(p.toJson().has("urns")).isFalse();
        assertThat(p.toJson().path("fields").path("mheroid").asText()).isEqualTo("42");
    }

    @Test
    void sendsOnlyTheConfiguredFields() {
        ContactPayload p = ContactPayload.fromHealthWorker(hw("A", "F", null, null), List.of("globalid", " mheroentitytype ", "facility"));
        assertThat(p.fieldKeys()).containsExactlyInAnyOrder("globalid", "mheroentitytype", "facility");
        assertThat(p.toJson().has("language")).isFalse();
        assertThatThrownBy(() -> ContactPayload.fromHealthWorker(hw("A", "F", null, null), List.of("globalid", "shoe_size")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shoe_size");
    }

    @Test
    void aMissingValueClearsTheField() {
        ContactPayload p = ContactPayload.fromHealthWorker(hw("A", null, null, null));
        assertThat(p.fields()).containsEntry("facility", "");
        assertThat(p.toJson().path("fields").path("facility").asText()).isEmpty();
    }

    @Test
    void namesAreTrimmedAndCutTo64Characters() {
        assertThat(ContactPayload.builder().name("   ").build().name()).isNull();
        assertThat(ContactPayload.builder().name(null).build().toJson().has("name")).isFalse();
        String longName = "N".repeat(63) + "\uD83D\uDE00" + "tail"; // an emoji across the 64th char
        String cut = ContactPayload.builder().name(longName).build().name();
        assertThat(cut).hasSizeLessThanOrEqualTo(64).isEqualTo("N".repeat(63));
        assertThat(ContactPayload.builder().name("x".repeat(80)).build().name()).hasSize(64);
    }

    @Test
    void anInvalidLanguageIsLeftOutOfAWorkerAndRefusedByTheBuilder() {
        assertThat(ContactPayload.fromHealthWorker(hw("A", "F", "en", null)).language()).isNull();
        assertThat(ContactPayload.fromHealthWorker(hw("A", "F", "FRA", null)).language()).isEqualTo("fra");
        assertThatThrownBy(() -> ContactPayload.builder().language("english")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContactPayload.builder().field("Bad-Key", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHashIsStableAndChangesWithTheContent() {
        ContactPayload a = ContactPayload.fromHealthWorker(hw("Grace", "Phebe", "eng", null));
        ContactPayload b = ContactPayload.fromHealthWorker(hw("Grace", "Phebe", "eng", null));
        ContactPayload moved = ContactPayload.fromHealthWorker(hw("Grace", "CB Dunbar", "eng", null));
        assertThat(a.hash()).isEqualTo(b.hash()).hasSize(32).matches("[0-9a-f]+");
        assertThat(a).isEqualTo(b);
        assertThat(moved.hash()).isNotEqualTo(a.hash());
        // field insertion order does not matter
        ContactPayload x = ContactPayload.builder().field("a", "1").field("b", "2").build();
        ContactPayload y = ContactPayload.builder().field("b", "2").field("a", "1").build();
        assertThat(x.hash()).isEqualTo(y.hash());
        // toString is safe to log: no name, no values
        assertThat(a.toString()).doesNotContain("Grace").doesNotContain("Phebe");
    }

    @Test
    void theUrnIsTelE164OfThePrimaryPhone() {
        assertThat(hw("A", "F", null, "+231770000042").urn()).contains("tel:+231770000042");
        assertThat(hw("A", "F", null, "0770000042").urn()).isEmpty();
        assertThat(hw("A", "F", null, null).urn()).isEmpty();
    }
}
