package org.mhero.sandbox.ihris;

/**
 * How to start a sandbox iHRIS: listening port (0 = any free port), number of generated practitioners, generator seed,
 * country calling code (without +) and ISO region used for phone numbers and nationality.
 */
public record IhrisOptions(int port, int practitioners, long seed, String countryCallingCode, String region) {
    public IhrisOptions {
        if (practitioners < 0 || practitioners > 9_999_999) throw new IllegalArgumentException("practitioners out of range: " + practitioners);
        if (countryCallingCode == null || countryCallingCode.isBlank()) countryCallingCode = "231";
        if (region == null || region.isBlank()) region = "LR";
    }

    /** Port 0, seed 42, Liberia (+231, LR). */
    public static IhrisOptions defaults(int practitioners) {
        return new IhrisOptions(0, practitioners, 42L, "231", "LR");
    }

    public IhrisOptions withPort(int port) { return new IhrisOptions(port, practitioners, seed, countryCallingCode, region); }
    public IhrisOptions withPractitioners(int n) { return new IhrisOptions(port, n, seed, countryCallingCode, region); }
    public IhrisOptions withSeed(long seed) { return new IhrisOptions(port, practitioners, seed, countryCallingCode, region); }
}
