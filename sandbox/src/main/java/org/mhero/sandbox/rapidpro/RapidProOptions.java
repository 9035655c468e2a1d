package org.mhero.sandbox.rapidpro;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of a {@link RapidProSimulator}. Defaults: free port, token {@link #DEFAULT_TOKEN}, workspace
 * {@link #DEFAULT_WORKSPACE}, flavour {@link Flavour#CURRENT}, the flavour's default rates (3600/hour per scope;
 * v7.4: 2500/hour, broadcasts 36000/hour), pages of 250, broadcasts and flow starts completing after 2 × 50 ms,
 * webhook timeout 15 s, country code 231 (Liberia) for normalising national numbers, no flows, no webhook targets.
 */
public final class RapidProOptions {
    public static final String DEFAULT_TOKEN = "5d7f2c1e9a8b4c3d2e1f0a9b8c7d6e5f4a3b2c1d";
    public static final String DEFAULT_WORKSPACE = "3c7e4c7a-1b5e-4d0e-9f6a-2f1d5b8a9c01";
    public static final String DEFAULT_EMAIL = "mhero@example.org";

    int port = 0;
    String token = DEFAULT_TOKEN;
    final List<String> extraTokens = new ArrayList<>();
    String email = DEFAULT_EMAIL;
    String workspaceUuid = DEFAULT_WORKSPACE;
    String workspaceName = "mHero Sandbox";
    Flavour flavour = Flavour.CURRENT;
    RateLimit rateLimit;                              // null = flavour default
    boolean rateLimitSet;
    final Map<String, RateLimit> scopeRates = new LinkedHashMap<>();
    final List<URI> webhookTargets = new ArrayList<>();
    final List<FlowDef> flows = new ArrayList<>();
    final List<String> resthooks = new ArrayList<>();
    final List<String[]> fields = new ArrayList<>();
    final List<String> groups = new ArrayList<>();
    int pageSize = 250;
    Duration asyncStep = Duration.ofMillis(50);
    Duration webhookTimeout = Duration.ofSeconds(15);
    String countryCode = "231";
    int threads = 8;

    public static RapidProOptions defaults() { return new RapidProOptions(); }

    public RapidProOptions port(int port) { this.port = port; return this; }
    /** The API token (40 hex characters in RapidPro). */
    public RapidProOptions token(String token) { this.token = token; return this; }
    /** Another user's token on the same workspace: shares the workspace's rate budget. */
    public RapidProOptions extraToken(String token) { this.extraTokens.add(token); return this; }
    /** The user's email for {@code Authorization: Basic email:token}. */
    public RapidProOptions email(String email) { this.email = email; return this; }
    public RapidProOptions workspace(String uuid) { this.workspaceUuid = uuid; return this; }
    public RapidProOptions workspaceName(String name) { this.workspaceName = name; return this; }
    public RapidProOptions flavour(Flavour flavour) { this.flavour = flavour; return this; }
    /** The same rate for every scope ({@code v2}, {@code v2.contacts}, {@code v2.messages}, {@code v2.runs}, and v7.4's {@code v2.broadcasts}). */
    public RapidProOptions rateLimit(RateLimit rate) { this.rateLimit = rate; this.rateLimitSet = true; return this; }
    public RapidProOptions rateLimit(String spec) { return rateLimit(RateLimit.parse(spec)); }
    /** A per-scope override ({@code Org.api_rates}), e.g. {@code ("v2.contacts", "10000/hour")}. */
    public RapidProOptions rateLimit(String scope, RateLimit rate) { this.scopeRates.put(scope, rate); return this; }
    /** No throttling at all. */
    public RapidProOptions noRateLimit() { this.rateLimit = null; this.rateLimitSet = true; return this; }
    public RapidProOptions webhookTarget(URI target) { this.webhookTargets.add(target); return this; }
    public RapidProOptions webhookTarget(String target) { return webhookTarget(URI.create(target)); }
    public RapidProOptions flow(FlowDef flow) { this.flows.add(flow); return this; }
    /** A resthook slug (created in RapidPro's UI) that {@code /resthook_subscribers.json} can subscribe to. */
    public RapidProOptions resthook(String slug) { this.resthooks.add(slug); return this; }
    /** A contact field present at start ({@code type}: text, number, datetime, state, district, ward). */
    public RapidProOptions field(String key, String name, String type) { this.fields.add(new String[] {key, name, type}); return this; }
    public RapidProOptions group(String name) { this.groups.add(name); return this; }
    public RapidProOptions pageSize(int n) { this.pageSize = n; return this; }
    /** Broadcasts and flow starts go pending → queued after one step and → completed after two (0 = at once). */
    public RapidProOptions asyncStep(Duration step) { this.asyncStep = step; return this; }
    public RapidProOptions webhookTimeout(Duration timeout) { this.webhookTimeout = timeout; return this; }
    /** Calling code used to normalise national numbers ({@code tel:0770…} → {@code tel:+231770…}). */
    public RapidProOptions countryCode(String cc) { this.countryCode = cc; return this; }
    public RapidProOptions threads(int n) { this.threads = n; return this; }

    public int port() { return port; }
    public String token() { return token; }
    public String email() { return email; }
    public String workspace() { return workspaceUuid; }
    public Flavour flavour() { return flavour; }
    public List<URI> webhookTargets() { return List.copyOf(webhookTargets); }

    /** The rate per scope the simulator will apply. */
    Map<String, RateLimit> effectiveRates() {
        Map<String, RateLimit> out = new LinkedHashMap<>();
        List<String> scopes = new ArrayList<>(List.of("v2", "v2.contacts", "v2.messages", "v2.runs"));
        if (flavour == Flavour.V7_4) scopes.add("v2.broadcasts");
        for (String s : scopes) {
            RateLimit r;
            if (rateLimitSet) r = rateLimit;
            else if (flavour == Flavour.V7_4) r = s.equals("v2.broadcasts") ? RateLimit.perHour(36000) : RateLimit.perHour(2500);
            else r = RateLimit.perHour(3600);
            if (r != null) out.put(s, r);
        }
        out.putAll(scopeRates);
        return out;
    }
}
