package org.mhero.dhis2;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The queries mHero sends, the pager it reads and the timestamp shapes (contracts/dhis2.md §1, §4–§6). */
class Dhis2ApiTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void buildsTheOrgUnitAndUserPageUrls() {
        assertThat(Dhis2Api.orgUnitsUrl(200, 3)).isEqualTo(
                "/api/organisationUnits?fields=id,code,name,level,path,parent[id],lastUpdated&pageSize=200&order=id:asc&page=3");
        assertThat(Dhis2Api.usersUrl(200, 1, null)).isEqualTo("/api/users?filter=phoneNumber:!null"
                + "&fields=id,username,firstName,surname,phoneNumber,whatsApp,disabled,lastUpdated,userCredentials[username,disabled],"
                + "organisationUnits[id,code,name,path,level]&pageSize=200&order=id:asc&page=1");
        assertThat(Dhis2Api.usersUrl(50, 2, Instant.parse("2024-01-15T08:59:00.120Z")))
                .endsWith("&pageSize=50&order=id:asc&page=2&filter=lastUpdated:ge:2024-01-15T08:59:00.120");
    }

    @Test
    void followsNextPageOrPageCount() throws IOException {
        assertThat(Dhis2Api.hasNextPage(JSON.readTree(
                "{\"pager\":{\"page\":1,\"pageCount\":3,\"nextPage\":\"http://x/api/users?page=2\"},\"users\":[{}]}"), "users")).isTrue();
        assertThat(Dhis2Api.hasNextPage(JSON.readTree("{\"pager\":{\"page\":2,\"pageCount\":3},\"users\":[{}]}"), "users"))
                .as("no nextPage, no total: page < pageCount").isTrue();
        assertThat(Dhis2Api.hasNextPage(JSON.readTree("{\"pager\":{\"page\":3,\"pageCount\":3,\"total\":120},\"users\":[{}]}"), "users")).isFalse();
        assertThat(Dhis2Api.hasNextPage(JSON.readTree("{\"users\":[{}]}"), "users")).as("paging=false").isFalse();
        assertThat(Dhis2Api.hasNextPage(JSON.readTree("{\"pager\":{\"page\":2,\"pageCount\":3},\"users\":[]}"), "users"))
                .as("an empty page ends the walk").isFalse();
        var docs = JSON.readTree(Path.of(System.getProperty("mhero.contracts.dir", "../contracts"),
                "samples", "dhis2", "docs241_pager_dataItems.response.json").toFile());
        assertThat(Dhis2Api.hasNextPage(docs, "dataItems")).isTrue();
    }

    @Test
    void readsBothTimestampShapesAndWritesTheZoneLessOne() {
        assertThat(Dhis2Api.parseTimestamp("2019-04-23T09:35:15.027")).isEqualTo(Instant.parse("2019-04-23T09:35:15.027Z"));
        assertThat(Dhis2Api.parseTimestamp("2016-03-12T06:20:43.502+0000")).isEqualTo(Instant.parse("2016-03-12T06:20:43.502Z"));
        assertThat(Dhis2Api.parseTimestamp("2016-03-12T08:20:43.502+02:00")).isEqualTo(Instant.parse("2016-03-12T06:20:43.502Z"));
        assertThat(Dhis2Api.parseTimestamp("2016-03-12T06:20:43")).isEqualTo(Instant.parse("2016-03-12T06:20:43Z"));
        assertThat(Dhis2Api.parseTimestamp("2016-03-12")).isEqualTo(Instant.parse("2016-03-12T00:00:00Z"));
        assertThat(Dhis2Api.parseTimestamp("yesterday")).isNull();
        assertThat(Dhis2Api.parseTimestamp(null)).isNull();
        String s = "2024-01-15T08:59:00.120";
        assertThat(Dhis2Api.formatTimestamp(Dhis2Api.parseTimestamp(s))).as("round trip").isEqualTo(s);
    }

    @Test
    void theHandWrittenCommonShapeReadsExactlyWhatTheGeneralParserReads() {
        for (String s : List.of("2019-04-23T09:35:15.027", "2016-03-12T06:20:43.502+0000", "2016-03-12T06:20:43.502Z",
                "2024-02-29T23:59:59.999", "2000-01-01T00:00:00.000", "1999-12-31T12:00:00.500+0000")) {
            assertThat(Dhis2Api.parseCommon(s)).as(s).isNotNull().isEqualTo(Dhis2Api.parseGeneral(s));
        }
        for (String s : List.of("2023-02-29T10:00:00.000", "2024-13-01T10:00:00.000", "2024-04-31T10:00:00.000",
                "2024-01-01T24:00:00.000", "2024-01-01T10:60:00.000", "2024-01-01 10:00:00.000", "2024-01-01T10:00:00.0a0",
                "2024-01-01T10:00:00.000+0200", "2024-01-01T10:00:00.12", "2024-01-01T10:00:00")) {
            assertThat(Dhis2Api.parseCommon(s)).as("left to the general parser: " + s).isNull();
        }
    }

    @Test
    void theWatermarkIsTheLargestLastUpdatedSeenButNotPastTheServerClockAtTheStart() {
        Instant start = Instant.parse("2024-05-01T10:00:00Z");
        assertThat(Dhis2Sync.nextWatermark(null, start)).isNull();
        assertThat(Dhis2Sync.nextWatermark(Instant.parse("2024-04-01T00:00:00Z"), start)).isEqualTo(Instant.parse("2024-04-01T00:00:00Z"));
        assertThat(Dhis2Sync.nextWatermark(Instant.parse("2024-05-01T10:00:05Z"), start)).as("changed during the walk").isEqualTo(start);
        assertThat(Dhis2Sync.nextWatermark(Instant.parse("2024-05-01T10:00:05Z"), null)).isEqualTo(Instant.parse("2024-05-01T10:00:05Z"));
    }
}
