package org.mhero.phone;

/** One number found in a registry value: its E.164 form when usable, or the reason it is not. */
public record PhoneResult(String raw, String e164, Reason reason) {
    public enum Reason { EMPTY, NOT_A_NUMBER, TOO_SHORT, TOO_LONG, INVALID_COUNTRY_CODE, INVALID_FOR_REGION }

    public static PhoneResult valid(String raw, String e164) { return new PhoneResult(raw, e164, null); }
    public static PhoneResult invalid(String raw, Reason reason) { return new PhoneResult(raw, null, reason); }
    public boolean isValid() { return e164 != null; }
}
