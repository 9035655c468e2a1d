package org.mhero.dhis2;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import org.mhero.sandbox.dhis2.Dhis2Model;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulator's {@code expectedE164} (plus the WhatsApp number) lists every generated number, but it draws Liberian
 * mobiles from 77, 88 and 55, and libphonenumber (8.13.52, the version mHero ships) knows 55 only as 555: a number like
 * +231557253791 is not a valid Liberian number, so mHero keeps it as INVALID_FOR_REGION. Tests compare with the numbers libphonenumber accepts and
 * check that the others are kept as unusable. (A sandbox issue: reported, not worked around in main code.)
 */
final class SimulatorNumbers {
    private SimulatorNumbers() {}

    static boolean valid(String e164) {
        try {
            PhoneNumberUtil u = PhoneNumberUtil.getInstance();
            return u.isValidNumber(u.parse(e164, null));
        } catch (NumberParseException e) {
            return false;
        }
    }

    /** What the user's phone text holds ({@code expectedE164}) and its WhatsApp number (the simulator writes it in E.164). */
    static List<String> numbers(Dhis2Model.User u) {
        List<String> all = new ArrayList<>(u.expectedE164());
        if (u.whatsApp() != null && !all.contains(u.whatsApp())) all.add(u.whatsApp());
        return all;
    }

    static List<String> usable(List<String> expected) {
        return expected.stream().filter(SimulatorNumbers::valid).sorted().toList();
    }

    static List<String> rejected(List<String> expected) {
        return expected.stream().filter(e -> !valid(e)).sorted().toList();
    }
}
