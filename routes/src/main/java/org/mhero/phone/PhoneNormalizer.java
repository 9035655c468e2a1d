package org.mhero.phone;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns the free-text phone values registries hold into E.164 numbers (contracts/ihris-fhir.md §3): several numbers in
 * one value are split first (never glued together), separators stripped, repeated '+' collapsed, a country code given
 * without '+' recognised, national numbers with a trunk prefix parsed in the configured default region. A value that
 * cannot be used is kept with its reason, never dropped.
 */
public final class PhoneNormalizer {
    /**
     * Separators between several numbers in one value: ',', ';', '|', '&', the words "or"/"and", and '/' between digits
     * (so "N/A" stays one value).
     */
    static final Pattern SPLIT = Pattern.compile(
            "\\s*(?:[,;|&]|(?<=[\\d)])\\s*/\\s*(?=[+(\\d])|\\bor\\b|\\band\\b)\\s*", Pattern.CASE_INSENSITIVE);
    private static final Pattern SEPARATORS = Pattern.compile("[\\s.\\-()\\[\\]]+");
    private static final Pattern DIALLABLE = Pattern.compile("\\+?[0-9]+");

    private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    private final String defaultRegion;
    private final String countryCode;

    public PhoneNormalizer(String defaultRegion) {
        this.defaultRegion = defaultRegion.toUpperCase();
        int cc = util.getCountryCodeForRegion(this.defaultRegion);
        if (cc == 0) throw new IllegalArgumentException("unknown phone region '" + defaultRegion + "'");
        this.countryCode = Integer.toString(cc);
    }

    public String defaultRegion() { return defaultRegion; }

    /** Normalises one registry value, which may hold several numbers. Never returns an empty list for a non-blank value. */
    public List<PhoneResult> normalize(String raw) {
        List<PhoneResult> out = new ArrayList<>();
        if (raw == null || raw.isBlank()) {
            out.add(PhoneResult.invalid(raw == null ? "" : raw, PhoneResult.Reason.EMPTY));
            return out;
        }
        String trimmed = raw.trim();
        if (oneNumber(trimmed)) {
            out.add(normalizeOne(trimmed));
            return out;
        }
        for (String part : SPLIT.split(trimmed)) {
            if (part.isBlank()) continue;
            out.add(normalizeOne(part));
        }
        if (out.isEmpty()) out.add(PhoneResult.invalid(raw, PhoneResult.Reason.EMPTY));
        return out;
    }

    /**
     * True when {@code value} (trimmed, not blank) can hold only one number: nothing but digits, '+' and the separators
     * that {@link #SEPARATORS} strips. {@link #SPLIT} needs a comma-like character, a '/' or a letter to split, so it
     * would return the value whole; this check spares the regular expression for almost every value.
     */
    static boolean oneNumber(String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (!(ch >= '0' && ch <= '9' || ch == '+' || ch == ' ' || ch == '-' || ch == '.' || ch == '(' || ch == ')')) return false;
        }
        return true;
    }

    private PhoneResult normalizeOne(String part) {
        String cleaned = SEPARATORS.matcher(part).replaceAll("");
        int plus = 0;
        while (plus < cleaned.length() && cleaned.charAt(plus) == '+') plus++;
        if (plus > 1) cleaned = cleaned.substring(plus - 1);   // repeated leading '+' collapsed to one
        if (cleaned.startsWith("00")) cleaned = "+" + cleaned.substring(2);
        if (!DIALLABLE.matcher(cleaned).matches()) return PhoneResult.invalid(part, PhoneResult.Reason.NOT_A_NUMBER);
        if (!cleaned.startsWith("+") && cleaned.startsWith(countryCode) && !cleaned.startsWith("0")) {
            // "231770123456": the configured country code without '+' (only ever for our own country)
            String candidate = "+" + cleaned;
            if (isValid(candidate, null)) cleaned = candidate;
        }
        try {
            PhoneNumber n = util.parse(cleaned, defaultRegion);
            if (!util.isValidNumber(n)) {
                PhoneNumberUtil.ValidationResult len = util.isPossibleNumberWithReason(n);
                PhoneResult.Reason reason = switch (len) {
                    case TOO_SHORT, INVALID_LENGTH -> PhoneResult.Reason.TOO_SHORT;
                    case TOO_LONG -> PhoneResult.Reason.TOO_LONG;
                    default -> PhoneResult.Reason.INVALID_FOR_REGION;
                };
                return PhoneResult.invalid(part, reason);
            }
            return PhoneResult.valid(part, util.format(n, PhoneNumberUtil.PhoneNumberFormat.E164));
        } catch (NumberParseException e) {
            return PhoneResult.invalid(part, switch (e.getErrorType()) {
                case TOO_SHORT_NSN, TOO_SHORT_AFTER_IDD -> PhoneResult.Reason.TOO_SHORT;
                case TOO_LONG -> PhoneResult.Reason.TOO_LONG;
                case INVALID_COUNTRY_CODE -> PhoneResult.Reason.INVALID_COUNTRY_CODE;
                default -> PhoneResult.Reason.NOT_A_NUMBER;
            });
        }
    }

    private boolean isValid(String number, String region) {
        try {
            return util.isValidNumber(util.parse(number, region));
        } catch (NumberParseException e) {
            return false;
        }
    }

    /** Masks a number for DEBUG logs: keeps the country code and the last two digits. */
    public static String mask(String number) {
        if (number == null || number.length() < 6) return "***";
        return number.substring(0, 4) + "*".repeat(number.length() - 6) + number.substring(number.length() - 2);
    }
}
