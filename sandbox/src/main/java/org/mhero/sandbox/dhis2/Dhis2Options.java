package org.mhero.sandbox.dhis2;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Settings of a {@link Dhis2Simulator}. Fluent, mutable until {@link Dhis2Simulator#start(Dhis2Options)}; the user
 * format, version and clock can also be switched on the running simulator.
 */
public final class Dhis2Options {
    /** How {@code /api/users} and {@code /api/me} render users (contracts/dhis2.md §6). */
    public enum UserFormat { FLATTENED, LEGACY }

    /** A valid personal access token (fake, but in the documented shape {@code d2pat_<32 chars><10 digits>}). */
    public static final String DEFAULT_TOKEN = "d2pat_5xVA12xyUbWNedQxy4ohH77WlxRGVvZZ1151814092";

    int port = 0;
    int threads = 8;
    String username = "admin";
    String password = "district";
    Set<String> apiTokens = new LinkedHashSet<>(List.of(DEFAULT_TOKEN));
    Set<String> readOnlyApiTokens = new LinkedHashSet<>();
    UserFormat userFormat = UserFormat.FLATTENED;
    String version = "2.40.3";
    long seed = 42;
    int regions = 3;
    int districtsPerRegion = 3;
    int facilitiesPerDistrict = 4;
    int users = 60;
    String periodType = "Monthly";
    int expiryDays = 0;
    int openFuturePeriods = 1;
    boolean strictPeriods = true;
    boolean strictOrganisationUnits = true;
    boolean strictDataElements = false;
    boolean unchangedAsUpdated = false;
    Clock clock = Clock.systemDefaultZone();

    public static Dhis2Options defaults() { return new Dhis2Options(); }

    public Dhis2Options port(int port) { this.port = port; return this; }
    public Dhis2Options threads(int threads) { this.threads = threads; return this; }
    public Dhis2Options basicAuth(String username, String password) { this.username = username; this.password = password; return this; }
    /** Replaces the set of accepted {@code ApiToken} values. */
    public Dhis2Options apiTokens(String... tokens) { this.apiTokens = new LinkedHashSet<>(List.of(tokens)); return this; }
    /** Tokens that authenticate but have no write authority: every POST answers 403. */
    public Dhis2Options readOnlyApiTokens(String... tokens) { this.readOnlyApiTokens = new LinkedHashSet<>(List.of(tokens)); return this; }
    public Dhis2Options userFormat(UserFormat f) { this.userFormat = f; return this; }
    /** Server version reported by {@code /api/system/info}; below 2.38 data value imports answer a bare ImportSummary. */
    public Dhis2Options version(String version) { this.version = version; return this; }
    public Dhis2Options seed(long seed) { this.seed = seed; return this; }
    /** Org-unit tree shape: 1 country, {@code regions}, districts per region, facilities per district. */
    public Dhis2Options tree(int regions, int districtsPerRegion, int facilitiesPerDistrict) {
        this.regions = regions; this.districtsPerRegion = districtsPerRegion; this.facilitiesPerDistrict = facilitiesPerDistrict;
        return this;
    }
    /** Number of generated health-worker users (the admin user comes on top). */
    public Dhis2Options users(int users) { this.users = users; return this; }
    /** Period type of the generated stock data set: Monthly (default) or Weekly, Daily, Quarterly, Yearly… */
    public Dhis2Options periodType(String periodType) { this.periodType = periodType; return this; }
    /** Data-set expiry days (0 = never locks, as in DHIS2). */
    public Dhis2Options expiryDays(int days) { this.expiryDays = days; return this; }
    /** Data-set open future periods (DHIS2 semantics: 0 = current period closed too; default 1 = current open). */
    public Dhis2Options openFuturePeriods(int n) { this.openFuturePeriods = n; return this; }
    /** System settings "strict" data import flags (URL parameters of the same name can turn them on per import). */
    public Dhis2Options strictPeriods(boolean b) { this.strictPeriods = b; return this; }
    public Dhis2Options strictOrganisationUnits(boolean b) { this.strictOrganisationUnits = b; return this; }
    public Dhis2Options strictDataElements(boolean b) { this.strictDataElements = b; return this; }
    /** Count a re-sent unchanged value as {@code updated} (some dhis2-core versions) instead of {@code ignored}. */
    public Dhis2Options unchangedAsUpdated(boolean b) { this.unchangedAsUpdated = b; return this; }
    /** Clock for period locks and timestamps. */
    public Dhis2Options clock(Clock clock) { this.clock = clock; return this; }
}
