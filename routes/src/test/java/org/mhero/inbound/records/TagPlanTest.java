package org.mhero.inbound.records;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The opt-out tag steps that need no database: what $meta answers mean, the calls, and 5xx. */
class TagPlanTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsTheTagFromAMetaAnswerWhateverTheCaseOfTheSystem() throws Exception {
        assertThat(TagPlan.hasTag(JSON.readTree("{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"return\",\"valueMeta\":"
                + "{\"tag\":[{\"system\":\"http://mHero.org/codesystem\",\"code\":\"optedout\"}]}}]}"))).isTrue();
        assertThat(TagPlan.hasTag(JSON.readTree("{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"return\",\"valueMeta\":"
                + "{\"tag\":[{\"system\":\"http://other\",\"code\":\"optedout\"}]}}]}"))).isFalse();
        assertThat(TagPlan.hasTag(JSON.readTree("{\"resourceType\":\"Parameters\"}"))).isFalse();
    }

    @Test
    void anOptInOfATagMheroSetIsAMetaDeleteWithTheTagAndA5xxThrows() throws Exception {
        TagPlan p = TagPlan.optIn("http://ihris/fhir", null, 1, 2, List.of(new RecordStore.Tag("P7", true)));
        assertThat(p.getStep()).isEqualTo("delete");
        assertThat(p.getMethod()).isEqualTo("POST");
        assertThat(p.getUrl()).isEqualTo("http://ihris/fhir/Practitioner/P7/$meta-delete");
        assertThat(JSON.readTree(p.getBody()).at("/parameter/0/valueMeta/tag/0/code").asText()).isEqualTo("optedout");
        assertThatThrownBy(() -> p.answered(502, "")).isInstanceOf(RecordPlan.IhrisUnavailableException.class);
        assertThat(p.getStep()).as("still to do").isEqualTo("delete");
        assertThat(TagPlan.none().getStep()).isEqualTo("done");
    }
}
