package org.mhero.rapidpro;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The 400 shapes of contract rapidpro.md §2 (bodies of contracts/samples/rapidpro/api_v2_error_*.json). */
class ApiErrorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<ApiError> parse(String body) throws Exception {
        String s = body.replace('\'', '"');
        return ApiError.parse(JSON.readTree(s), s);
    }

    @Test
    void perFieldAndPerListItemErrors() throws Exception {
        List<ApiError> errors = parse("""
                {'language': ['Not a valid ISO639-3 language code.'],
                 'groups': ['No such object: 59686b4e-14bc-4160-9376-b649b218c806'],
                 'fields': ['Invalid contact field key: hmmm'],
                 'urns': {'0': ['Invalid URN: 1234556789. Ensure phone numbers contain country codes.']}}""");
        assertThat(errors).extracting(ApiError::key).containsExactly("language", "groups", "fields", "urns");
        assertThat(errors.get(2).index()).isNull();
        assertThat(errors.get(3).index()).isZero();
        assertThat(errors.get(3).toString()).isEqualTo("urns[0]");
    }

    @Test
    void bothUrnTakenVariantsAreAnUrnsError() throws Exception {
        assertThat(parse("{'urns': {'0': ['URN is in use by another contact.']}}"))
                .singleElement().satisfies(e -> {
                    assertThat(e.key()).isEqualTo("urns");
                    assertThat(e.index()).isZero();
                });
        assertThat(parse("{'urns': ['URN belongs to another contact: tel:+250785555555']}"))
                .singleElement().satisfies(e -> {
                    assertThat(e.key()).isEqualTo("urns");
                    assertThat(e.index()).isNull();
                });
    }

    @Test
    void nonFieldDetailAndNonJsonBodies() throws Exception {
        assertThat(parse("{'non_field_errors': ['Request body should be a single JSON object']}"))
                .extracting(ApiError::key).containsExactly(ApiError.NON_FIELD_ERRORS);
        assertThat(parse("{'detail': 'URL can only contain one of the following parameters: urn, uuid'}"))
                .singleElement().satisfies(e -> {
                    assertThat(e.key()).isEqualTo(ApiError.DETAIL);
                    assertThat(e.messages()).containsExactly("URL can only contain one of the following parameters: urn, uuid");
                });
        assertThat(ApiError.parse(null, "<html>Bad Gateway</html>")).singleElement()
                .satisfies(e -> assertThat(e.key()).isEqualTo(ApiError.DETAIL));
        assertThat(ApiError.parse(null, "")).isEmpty();
    }
}
