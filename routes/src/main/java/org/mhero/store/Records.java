package org.mhero.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.mhero.ihris.HealthWorkerRecord;

/** A registry's mapped record as stored in {@code source_link.data} (JSON), so golden records can be recomputed. */
final class Records {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Records() {}

    static String toJson(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static HealthWorkerRecord fromJson(String json) {
        try {
            return JSON.readValue(json, HealthWorkerRecord.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable source record: " + e.getOriginalMessage(), e);
        }
    }
}
