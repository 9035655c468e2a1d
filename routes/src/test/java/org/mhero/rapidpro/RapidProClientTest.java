package org.mhero.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mhero.sandbox.core.RecordedCall;
import org.mhero.sandbox.rapidpro.Flavour;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The client against the RapidPro simulator (real HTTP on loopback). */
class RapidProClientTest {
    private RapidProSimulator sim;

    @AfterEach
    void stop() {
        if (sim != null) sim.close();
    }

    private RapidProSimulator start(RapidProOptions options) {
        sim = RapidProSimulator.start(options);
        return sim;
    }

    private RapidProClient client(RateLimiter limiter) {
        return RapidProClient.builder(sim.apiUrl(), sim.token(), limiter)
                .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(5)).build();
    }

    private static HealthWorkerContact worker(long id, String phone, String facility) {
        return new HealthWorkerContact(id, "ihris", "P" + id, "  Nurse   Number " + id + "  ", "eng", phone,
                facility, "Bong District", "Bong", "Nurse");
    }

    private static long count(RapidProSimulator sim, int status) {
        return sim.calls().count(c -> c.status() == status);
    }

    @Test
    void upsertCreatesThenUpdatesTheContactWithItsFields() {
        start(RapidProOptions.defaults().rateLimit("60/10s"));
        RapidProClient client = client(RateLimiter.of("60/10s"));
        assertThat(client.ensureFields(ContactPayload.STANDARD_FIELDS)).containsExactlyElementsOf(ContactPayload.STANDARD_FIELDS);

        HealthWorkerContact hw = worker(7, "+231770000007", "Phebe Hospital");
        String urn = hw.urn().orElseThrow();
        UpsertResult first = client.upsertContactByUrn(urn, ContactPayload.fromHealthWorker(hw));
        assertThat(first.outcome()).isEqualTo(UpsertResult.Outcome.CREATED);
        assertThat(first.created()).isTrue();
        assertThat(first.uuid()).isNotBlank();

        JsonNode stored = sim.contact(urn).orElseThrow();
        assertThat(stored.path("name").asText()).isEqualTo("Nurse Number 7");
        assertThat(stored.path("language").asText()).isEqualTo("eng");
        assertThat(stored.path("fields").path("globalid").asText()).isEqualTo("P7");
        assertThat(stored.path("fields").path("mheroentitytype").asText()).isEqualTo("Practitioner");
        assertThat(stored.path("fields").path("facility").asText()).isEqualTo("Phebe Hospital");
        assertThat(stored.path("fields").path("district").asText()).isEqualTo("Bong District");
        assertThat(stored.path("fields").path("region").asText()).isEqualTo("Bong");
        assertThat(stored.path("fields").path("cadre").asText()).isEqualTo("Nurse");
        assertThat(stored.path("fields").path("registry").asText()).isEqualTo("ihris");
        assertThat(stored.path("fields").path("mheroid").asText()).isEqualTo("7");

        UpsertResult second = client.upsertContactByUrn(urn, ContactPayload.fromHealthWorker(worker(7, "+231770000007", "CB Dunbar")));
        assertThat(second.outcome()).isEqualTo(UpsertResult.Outcome.UPDATED);
        assertThat(second.uuid()).isEqualTo(first.uuid());
        assertThat(second.contact().field("facility")).isEqualTo("CB Dunbar");
        assertThat(sim.contactsCreatedByApi()).isEqualTo(1);
        assertThat(sim.calls().matching(c -> c.path().endsWith("/contacts.json")).stream().map(RecordedCall::status))
                .containsExactly(201, 200);
        // the token travels as a header, never in the URL
        assertThat(sim.calls().all()).allSatisfy(c -> {
            assertThat(c.header("Authorization")).isEqualTo("Token " + sim.token());
            assertThat(String.valueOf(c.query())).doesNotContain(sim.token());
        });
    }

    @Test
    void createsMissingFieldsOnceWithTheExactKey() {
        start(RapidProOptions.defaults().rateLimit("60/10s").field("globalid", "globalid", "text"));
        RapidProClient client = client(RateLimiter.of("60/10s"));

        assertThat(client.ensureFields(List.of("globalid", "mheroentitytype", "health_facility"))).containsExactly("mheroentitytype", "health_facility");
        assertThat(client.fields()).extracting(RapidProField::key).contains("globalid", "mheroentitytype", "health_facility");
        assertThat(client.fields()).filteredOn(f -> f.key().equals("health_facility"))
                .singleElement().satisfies(f -> {
                    assertThat(f.name()).isEqualTo("health facility");
                    assertThat(f.type()).isEqualTo(RapidProField.Type.TEXT);
                });

        long before = sim.calls().total();
        assertThat(client.ensureFields(List.of("globalid", "health_facility"))).isEmpty();
        assertThat(sim.calls().total()).isEqualTo(before); // remembered: no call

        // §8 key rules are checked before any call
        long calls = sim.calls().total();
        assertThatThrownBy(() -> client.ensureFields(List.of("Facility"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.ensureFields(List.of("global-id"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.ensureFields(List.of("urns"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.ensureFields(List.of("a".repeat(37)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.ensureFields(List.of("2fa"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(sim.calls().total()).isEqualTo(calls);
    }

    @Test
    void v74FieldsAreCreatedWithLabelAndValueType() {
        start(RapidProOptions.defaults().flavour(Flavour.V7_4).rateLimit("60/10s"));
        RapidProClient client = RapidProClient.builder(sim.apiUrl(), sim.token(), RateLimiter.of("60/10s"))
                .legacyFieldPayload(true).build();
        RapidProField f = client.createField("cadre", RapidProField.Type.TEXT);
        assertThat(f.key()).isEqualTo("cadre");
        assertThat(f.name()).isEqualTo("cadre");
        assertThat(sim.calls().matching(c -> c.path().endsWith("/fields.json")).get(0).body()).contains("\"label\"", "\"value_type\"");
    }

    @Test
    void anUnknownFieldKeyIsANonRetryable400OnFields() {
        start(RapidProOptions.defaults().rateLimit("60/10s"));
        RapidProClient client = client(RateLimiter.of("60/10s"));
        ContactPayload p = ContactPayload.builder().name("A").field("cadre", "Nurse").build();
        RapidProRequestException e = catchThrowableOfType(() -> client.upsertContactByUrn("tel:+231770000001", p), RapidProRequestException.class);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.retryable()).isFalse();
        assertThat(e.hasError("fields")).isTrue();
        assertThat(e.index("fields")).isEmpty();
        assertThat(sim.contactsCreatedByApi()).isZero();
    }

    @Test
    void throttled429IsRetriedAfterRetryAfterAndCreatesExactlyOneContact() {
        start(RapidProOptions.defaults().rateLimit("60/10s"));
        RateLimiter limiter = RateLimiter.of("60/10s");
        RapidProClient client = client(limiter);
        client.ensureFields(List.of("globalid", "mheroentitytype"));
        sim.calls().clear();

        sim.faults().force429(2);
        long t0 = System.nanoTime();
        UpsertResult r = client.upsertContactByUrn("tel:+231770000002",
                ContactPayload.builder().name("Throttled Nurse").field("globalid", "P2").field("mheroentitytype", "Practitioner").build());
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertThat(r.created()).isTrue();
        assertThat(sim.contactsCreatedByApi()).isEqualTo(1);
        assertThat(sim.calls().all().stream().map(RecordedCall::status)).containsExactly(429, 429, 201);
        // each 429 said Retry-After: 1, and the limiter held the retry back for it
        List<RecordedCall> calls = sim.calls().all();
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(Duration.between(calls.get(1).at(), calls.get(2).at())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(seconds).isBetween(1.9, 5.0);
    }

    @Test
    void stillThrottledAfterTheLastAttemptIsRetryable() {
        start(RapidProOptions.defaults().rateLimit("60/10s"));
        RapidProClient client = RapidProClient.builder(sim.apiUrl(), sim.token(), RateLimiter.of("60/10s")).maxAttempts(2).build();
        sim.faults().force429(5);
        RapidProRetryableException e = catchThrowableOfType(() -> client.contactByUrn("tel:+231770000003"), RapidProRetryableException.class);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(e.retryable()).isTrue();
        assertThat(count(sim, 429)).isEqualTo(2);
    }

    @Test
    void serverErrorsAndTimeoutsAreRetryable() {
        start(RapidProOptions.defaults().rateLimit("60/10s"));
        RapidProClient client = RapidProClient.builder(sim.apiUrl(), sim.token(), RateLimiter.of("60/10s"))
                .requestTimeout(Duration.ofMillis(500)).build();

        sim.faults().force5xx(1);
        RapidProRetryableException e500 = catchThrowableOfType(() -> client.findGroupByName("Nurses"), RapidProRetryableException.class);
        assertThat(e500.status()).isEqualTo(500);
        assertThat(e500.endpoint()).isEqualTo("groups.json");

        sim.faults().down(true);
        assertThat(catchThrowableOfType(() -> client.findGroupByName("Nurses"), RapidProRetryableException.class).status()).isEqualTo(503);
        sim.faults().down(false);

        sim.faults().timeoutMillis(2000).timeoutRate(1.0);
        RapidProRetryableException timeout = catchThrowableOfType(() -> client.findGroupByName("Nurses"), RapidProRetryableException.class);
        assertThat(timeout.status()).isZero();
        assertThat(timeout.getMessage()).contains("timed out");
        sim.faults().reset();

        assertThat(client.findGroupByName("Nurses")).isEmpty();
    }

    @Test
    void aBadTokenIsA403Detail() {
        start(RapidProOptions.defaults().rateLimit("60/10s"));
        RapidProClient client = RapidProClient.builder(sim.apiUrl(), "0".repeat(40), RateLimiter.of("60/10s")).build();
        RapidProRequestException e = catchThrowableOfType(() -> client.fields(), RapidProRequestException.class);
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.hasError(ApiError.DETAIL)).isTrue();
        assertThat(e.getMessage()).doesNotContain("0000000000");
    }

    @Test
    void invalidAndTakenUrnsGiveTheErrorKeyAndIndexButNoNumberInTheMessage() {
        start(RapidProOptions.defaults().rateLimit("60/10s"));
        RapidProClient client = client(RateLimiter.of("60/10s"));
        ContactPayload p = ContactPayload.builder().name("Two Phones").build();

        RapidProRequestException invalid = catchThrowableOfType(
                () -> client.createContact(List.of("tel:+231770000010", "tel:+12"), p), RapidProRequestException.class);
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.error("urns")).hasValueSatisfying(err -> {
            assertThat(err.index()).isEqualTo(1);
            assertThat(err.messages()).hasSize(1);
        });
        assertThat(invalid.getMessage()).contains("urns[1]").doesNotContain("+12");

        client.createContact(List.of("tel:+231770000010"), p);
        RapidProRequestException taken = catchThrowableOfType(
                () -> client.createContact(List.of("tel:+231770000010"), p), RapidProRequestException.class);
        assertThat(taken.index("urns")).contains(0);
        assertThat(taken.getMessage()).doesNotContain("231770000010");

        // an invalid URN in the upsert's query string is a query-parameter error: key "detail"
        RapidProRequestException query = catchThrowableOfType(
                () -> client.upsertContactByUrn("tel:+12", p), RapidProRequestException.class);
        assertThat(query.hasError(ApiError.DETAIL)).isTrue();
        assertThat(query.getMessage()).doesNotContain("+12");
    }

    @Test
    void v74UrnTakenIsAFlatListWithoutIndex() {
        start(RapidProOptions.defaults().flavour(Flavour.V7_4).rateLimit("60/10s"));
        RapidProClient client = client(RateLimiter.of("60/10s"));
        ContactPayload p = ContactPayload.builder().name("Old").build();
        client.createContact(List.of("tel:+231770000011"), p);
        RapidProRequestException taken = catchThrowableOfType(
                () -> client.createContact(List.of("tel:+231770000011"), p), RapidProRequestException.class);
        assertThat(taken.hasError("urns")).isTrue();
        assertThat(taken.index("urns")).isEmpty();
    }

    @Test
    void walksModifiedContactsForwardAndDedupesTheInclusiveBoundary() {
        start(RapidProOptions.defaults().rateLimit("200/10s").pageSize(5).field("globalid", "globalid", "text"));
        RapidProClient client = client(RateLimiter.of("200/10s"));
        for (int i = 0; i < 12; i++) {
            client.upsertContactByUrn("tel:+2317700001" + String.format("%02d", i),
                    ContactPayload.builder().name("W" + i).field("globalid", "G" + i).build());
        }

        // first run: everything, oldest first, over three pages
        PageDedup dedup = PageDedup.fresh();
        List<RapidProContact> seen = new ArrayList<>();
        int pages = walk(client, null, dedup, seen);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).extracting(RapidProContact::globalId)
                .containsExactly("G0", "G1", "G2", "G3", "G4", "G5", "G6", "G7", "G8", "G9", "G10", "G11");
        assertThat(seen).extracting(RapidProContact::modifiedOn).isSorted();
        Instant watermark = dedup.watermark();
        assertThat(watermark).isEqualTo(seen.get(11).modifiedOn());
        assertThat(seen.get(11).modifiedOnText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");

        // the server repeats the boundary contact (after= is inclusive) ...
        Page<RapidProContact> raw = client.contactsModifiedSince(watermark, null);
        assertThat(raw.results()).extracting(RapidProContact::globalId).containsExactly("G11");
        assertThat(sim.calls().all().get(sim.calls().all().size() - 1).query()).contains("reverse=true").contains("after=");

        // ... which the stored watermark + boundary ids drop; later changes come through once
        client.upsertContactByUrn("tel:+231770000103", ContactPayload.builder().name("W3 moved").build());
        client.upsertContactByUrn("tel:+231770000111", ContactPayload.builder().name("W11 moved").build());
        PageDedup next = PageDedup.resume(watermark, dedup.boundaryIds());
        List<RapidProContact> changed = new ArrayList<>();
        walk(client, watermark, next, changed);
        assertThat(changed).extracting(RapidProContact::name).containsExactly("W3 moved", "W11 moved");
        assertThat(next.watermark()).isAfter(watermark);
    }

    private static int walk(RapidProClient client, Instant after, PageDedup dedup, List<RapidProContact> out) {
        int pages = 0;
        String cursor = null;
        do {
            Page<RapidProContact> page = client.contactsModifiedSince(after, cursor);
            pages++;
            out.addAll(dedup.filter(page.results()));
            cursor = page.next();
        } while (cursor != null);
        return pages;
    }

    @Test
    void stoppedAndBlockedContactsAreParsed() {
        start(RapidProOptions.defaults().rateLimit("60/10s"));
        RapidProClient client = client(RateLimiter.of("60/10s"));
        ContactPayload p = ContactPayload.builder().name("Someone").build();
        client.upsertContactByUrn("tel:+231770000021", p);
        String blockedUuid = client.upsertContactByUrn("tel:+231770000022", p).uuid();
        client.upsertContactByUrn("tel:+231770000023", p);

        sim.setContactStatus("tel:+231770000021", "stopped"); // the worker sent STOP
        client.contactActions(List.of(blockedUuid), ContactAction.BLOCK, null);

        assertThat(client.contactByUrn("tel:+231770000021").orElseThrow().status()).isEqualTo(ContactStatus.STOPPED);
        assertThat(client.contactByUuid(blockedUuid).orElseThrow().status()).isEqualTo(ContactStatus.BLOCKED);
        RapidProContact active = client.contactByUrn("tel:+231770000023").orElseThrow();
        assertThat(active.status()).isEqualTo(ContactStatus.ACTIVE);
        assertThat(active.reachable()).isTrue();
        assertThat(client.contactByUrn("tel:+231770000099")).isEmpty();
    }

    @Test
    void v74StatusFromTheBooleans() {
        start(RapidProOptions.defaults().flavour(Flavour.V7_4).rateLimit("60/10s"));
        RapidProClient client = client(RateLimiter.of("60/10s"));
        client.upsertContactByUrn("tel:+231770000031", ContactPayload.builder().name("Old").build());
        sim.setContactStatus("tel:+231770000031", "stopped");
        JsonNode raw = sim.contact("tel:+231770000031").orElseThrow();
        assertThat(raw.path("stopped").asBoolean()).isTrue();
        assertThat(client.contactByUrn("tel:+231770000031").orElseThrow().status()).isEqualTo(ContactStatus.STOPPED);
    }

    @Test
    void groupsAreFoundOrCreatedAndMembershipWrittenByContactActions() {
        start(RapidProOptions.defaults().rateLimit("60/10s"));
        RapidProClient client = client(RateLimiter.of("60/10s"));
        RapidProGroup nurses = client.ensureGroup("mHero Nurses");
        assertThat(client.ensureGroup("mhero nurses").uuid()).isEqualTo(nurses.uuid());
        assertThat(client.findGroupByName("MHERO NURSES")).map(RapidProGroup::uuid).contains(nurses.uuid());

        String uuid = client.upsertContactByUrn("tel:+231770000041", ContactPayload.builder().name("N").build()).uuid();
        client.contactActions(List.of(uuid, "tel:+231770000041"), ContactAction.ADD, nurses.uuid());
        assertThat(client.contactByUuid(uuid).orElseThrow().groups()).extracting(RapidProGroup::uuid).containsExactly(nurses.uuid());
        assertThat(client.findGroupByName("mHero Nurses").orElseThrow().count()).isEqualTo(1);
        client.contactActions(List.of(uuid), ContactAction.REMOVE, nurses.uuid());
        assertThat(client.contactByUuid(uuid).orElseThrow().groups()).isEmpty();

        // list and group rules are checked before any call
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) tooMany.add("tel:+2317700" + String.format("%05d", i));
        assertThatThrownBy(() -> client.contactActions(tooMany, ContactAction.BLOCK, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.contactActions(List.of(uuid), ContactAction.ADD, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.contactActions(List.of(uuid), ContactAction.BLOCK, nurses.uuid())).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The shared limiter keeps a burst of work under the server's sliding window: 60 upserts from four threads
     * against a 20-per-2-seconds workspace, no 429 at all. Spacing 100 ms, a burst of 3 paid back at each window
     * edge (+ 50 ms margin): 2 × 2.05 s + 17 × 0.1 s ≈ 5.8 s, against 4 s for an ideal burst of 20.
     */
    @Test
    void pacesSixtyUpsertsUnderTheWorkspaceLimitWithoutA429() throws Exception {
        RapidProOptions options = RapidProOptions.defaults().rateLimit("20/2s");
        for (String key : ContactPayload.STANDARD_FIELDS) options.field(key, key, "text");
        start(options);
        RateLimiter limiter = RateLimiter.of("20/2s");
        RapidProClient client = client(limiter);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        long t0 = System.nanoTime();
        try {
            List<Future<UpsertResult>> results = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                HealthWorkerContact hw = worker(100 + i, "+2317701" + String.format("%05d", i), "Facility " + i);
                results.add(pool.submit(() -> client.upsertContactByUrn(hw.urn().orElseThrow(), ContactPayload.fromHealthWorker(hw))));
            }
            for (Future<UpsertResult> f : results) assertThat(f.get().created()).isTrue();
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertThat(count(sim, 429)).isZero();
        assertThat(sim.calls().count(c -> c.status() == 201)).isEqualTo(60);
        assertThat(sim.contactsCreatedByApi()).isEqualTo(60);
        assertThat(seconds).isBetween(3.5, 8.0);
    }

    @Test
    void followsNextLinksOnlyOnTheConfiguredHost() {
        RapidProClient client = RapidProClient.builder("https://rapidpro.example.org", "t", RateLimiter.of("10/second")).build();
        assertThat(client.apiBase().toString()).isEqualTo("https://rapidpro.example.org/api/v2/");
        assertThat(client.followable("http://10.0.0.5:8000/api/v2/contacts.json?reverse=true&cursor=cD0x").toString())
                .isEqualTo("https://rapidpro.example.org/api/v2/contacts.json?reverse=true&cursor=cD0x");
        assertThatThrownBy(() -> client.followable("https://evil.example.com/steal?cursor=x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(RapidProClient.apiBase("http://127.0.0.1:8080/api/v2").toString()).isEqualTo("http://127.0.0.1:8080/api/v2/");
        assertThatThrownBy(() -> RapidProClient.apiBase("ftp://x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsRetryAfterAsSecondsOrADate() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(RapidProClient.parseRetryAfter("12", now)).isEqualTo(Duration.ofSeconds(12));
        assertThat(RapidProClient.parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RapidProClient.parseRetryAfter(null, now)).isEqualTo(Duration.ofSeconds(1));
        assertThat(RapidProClient.parseRetryAfter("soon", now)).isEqualTo(Duration.ofSeconds(1));
    }
}
