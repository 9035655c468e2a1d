package org.mhero.rapidpro;

import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Practitioner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A health worker known only from a RapidPro contact (no registry has them), and the FHIR Practitioner that registers
 * them in iHRIS (contracts/ihris-fhir.md §2–§4): active, an official name, one phone {@code telecom} per number of the
 * contact, and the contact-uuid identifier ({@code http://app.rapidpro.io/contact-uuid}) that links the two and lets a
 * second attempt find the first one's Practitioner instead of creating another.
 *
 * @param workerId    the health worker
 * @param contactUuid the RapidPro contact it was born from
 * @param name        the contact's name (may be null or blank: such a contact cannot be registered)
 * @param phones      the contact's numbers in rank order: E.164 when usable, else the raw value
 */
public record UnknownContact(long workerId, String contactUuid, String name, List<String> phones) {
    public static final String CONTACT_UUID_SYSTEM = "http://app.rapidpro.io/contact-uuid";

    public UnknownContact {
        phones = List.copyOf(phones);
    }

    /**
     * The Practitioner to create. The name's last word is the family name and the words before it the given names;
     * a one-word name is a family name only ({@code family} is 1..1 in the iHRIS profile, {@code given} is not always
     * known). {@code text} keeps the name as written.
     *
     * @throws IllegalArgumentException when the contact has no name (a Practitioner needs one) or no number
     */
    public Practitioner toPractitioner() {
        String text = name == null ? "" : name.trim().replaceAll("\\s+", " ");
        if (text.isEmpty()) throw new IllegalArgumentException("the RapidPro contact has no name, which a Practitioner needs");
        if (phones.isEmpty()) throw new IllegalArgumentException("the RapidPro contact has no phone number");
        List<String> words = new ArrayList<>(Arrays.asList(text.split(" ")));
        String family = words.remove(words.size() - 1);
        Practitioner p = new Practitioner();
        p.setActive(true);
        HumanName n = p.addName().setUse(HumanName.NameUse.OFFICIAL).setText(text).setFamily(family);
        for (String given : words) n.addGiven(given);
        int rank = 1;
        for (String phone : phones) {
            p.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setUse(ContactPoint.ContactPointUse.MOBILE)
                    .setRank(rank++).setValue(phone);
        }
        p.addIdentifier().setSystem(CONTACT_UUID_SYSTEM).setValue(contactUuid);
        return p;
    }
}
