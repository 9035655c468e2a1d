package org.mhero.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RapidProContactTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    /** contracts/samples/rapidpro/api_v2_contacts_list_response.json, item 0. */
    private static final String SAMPLE = """
            {'uuid': '09d23a05-47fe-11e4-bfe9-b8f6b119e9ab', 'name': 'Ben Haggerty', 'status': 'active', 'language': null,
             'urns': ['tel:+250788123123'], 'groups': [{'name': 'Customers', 'uuid': '5a4eb79e-1b1f-4ae3-8700-09384cca385f'}],
             'fields': {'nickname': 'Macklemore', 'side_kick': 'Ryan Lewis', 'globalid': null},
             'flow': {'uuid': 'c1bc5fcf-3e27-4265-97bf-f6c3a385c2d6', 'name': 'Registration'},
             'created_on': '2015-11-11T13:05:57.457742Z', 'modified_on': '2020-08-11T13:05:57.576056Z',
             'last_seen_on': '2020-07-11T13:05:57.576056Z'}""";

    @Test
    void parsesAListItemWithMicrosecondTimestamps() throws Exception {
        RapidProContact c = RapidProContact.parse(json(SAMPLE));
        assertThat(c.uuid()).isEqualTo("09d23a05-47fe-11e4-bfe9-b8f6b119e9ab");
        assertThat(c.name()).isEqualTo("Ben Haggerty");
        assertThat(c.status()).isEqualTo(ContactStatus.ACTIVE);
        assertThat(c.language()).isNull();
        assertThat(c.urns()).containsExactly("tel:+250788123123");
        assertThat(c.telUrn()).isEqualTo("tel:+250788123123");
        assertThat(c.groups()).extracting(RapidProGroup::name).containsExactly("Customers");
        assertThat(c.field("nickname")).isEqualTo("Macklemore");
        assertThat(c.fields()).containsKey("globalid");
        assertThat(c.globalId()).isNull();
        assertThat(c.modifiedOn()).isEqualTo(Instant.parse("2020-08-11T13:05:57.576056Z"));
        assertThat(c.modifiedOn().getNano()).isEqualTo(576_056_000);
        assertThat(c.modifiedOnText()).isEqualTo("2020-08-11T13:05:57.576056Z");
        assertThat(c.createdOn()).isEqualTo(Instant.parse("2015-11-11T13:05:57.457742Z"));
        assertThat(c.deleted()).isFalse();
        assertThat(c.toString()).doesNotContain("Ben").doesNotContain("250788123123");
    }

    @Test
    void statusFromTheAttributeOrFromOlderBooleans() throws Exception {
        assertThat(RapidProContact.parse(json("{'uuid':'a','status':'stopped'}")).status()).isEqualTo(ContactStatus.STOPPED);
        assertThat(RapidProContact.parse(json("{'uuid':'a','status':'blocked'}")).status()).isEqualTo(ContactStatus.BLOCKED);
        assertThat(RapidProContact.parse(json("{'uuid':'a','status':'archived'}")).status()).isEqualTo(ContactStatus.ARCHIVED);
        // releases with only the booleans
        assertThat(RapidProContact.parse(json("{'uuid':'a','blocked':false,'stopped':true}")).status()).isEqualTo(ContactStatus.STOPPED);
        assertThat(RapidProContact.parse(json("{'uuid':'a','blocked':true,'stopped':false}")).status()).isEqualTo(ContactStatus.BLOCKED);
        assertThat(RapidProContact.parse(json("{'uuid':'a','blocked':false,'stopped':false}")).status()).isEqualTo(ContactStatus.ACTIVE);
        // v7.4 sends both: the attribute wins
        assertThat(RapidProContact.parse(json("{'uuid':'a','status':'stopped','blocked':false,'stopped':true}")).status()).isEqualTo(ContactStatus.STOPPED);
    }

    @Test
    void aTombstoneHasNoStatusNameOrUrns() throws Exception {
        RapidProContact c = RapidProContact.parse(json("""
                {'uuid':'d','name':null,'status':null,'language':null,'urns':[],'groups':[],'fields':{},'flow':null,
                 'created_on':'2024-01-01T00:00:00.000001Z','modified_on':'2024-01-02T00:00:00.000002+00:00','last_seen_on':null,
                 'blocked':null,'stopped':null}"""));
        assertThat(c.deleted()).isTrue();
        assertThat(c.status()).isNull();
        assertThat(c.modifiedOn()).isEqualTo(Instant.parse("2024-01-02T00:00:00.000002Z"));
        assertThat(c.lastSeenOn()).isNull();
    }

    @Test
    void timestampsAreWrittenWithMicroseconds() {
        assertThat(RapidProTimes.format(Instant.parse("2016-10-13T11:54:32.525277Z"))).isEqualTo("2016-10-13T11:54:32.525277Z");
        assertThat(RapidProTimes.format(Instant.parse("2016-10-13T11:54:32Z"))).isEqualTo("2016-10-13T11:54:32.000000Z");
        // nanoseconds are truncated: the bound can only move earlier (inclusive: more, never fewer items)
        assertThat(RapidProTimes.format(Instant.parse("2016-10-13T11:54:32.525277999Z"))).isEqualTo("2016-10-13T11:54:32.525277Z");
    }

    @Test
    void dedupeDropsOnlyWhatWasSeenAtTheBoundary() {
        record Item(String uuid, Instant modified) {}
        Instant t1 = Instant.parse("2024-05-01T10:00:00.000001Z");
        Instant t2 = Instant.parse("2024-05-01T10:00:00.000002Z");
        Instant t3 = Instant.parse("2024-05-01T10:00:00.000003Z");
        PageDedup d = PageDedup.fresh();
        List<Item> first = d.filter(List.of(new Item("a", t1), new Item("b", t2), new Item("c", t2)), Item::uuid, Item::modified);
        assertThat(first).extracting(Item::uuid).containsExactly("a", "b", "c");
        assertThat(d.watermark()).isEqualTo(t2);
        assertThat(d.boundaryIds()).containsExactlyInAnyOrder("b", "c");

        // next run, after=t2 (inclusive): b and c come back, d is new at the same instant, b modified again is new
        PageDedup next = PageDedup.resume(d.watermark(), d.boundaryIds());
        List<Item> second = next.filter(List.of(new Item("b", t2), new Item("c", t2), new Item("d", t2), new Item("b", t3)),
                Item::uuid, Item::modified);
        assertThat(second).extracting(Item::uuid).containsExactly("d", "b");
        assertThat(next.watermark()).isEqualTo(t3);
        assertThat(next.boundaryIds()).containsExactly("b");
        // an item older than the watermark (should not happen with after=) is dropped
        assertThat(next.filter(List.of(new Item("z", t1)), Item::uuid, Item::modified)).isEmpty();
    }
}
