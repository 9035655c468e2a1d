package org.mhero.broadcast;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The answers that do not need the database: the token and malformed reports (the stored ones are in the route tests). */
class DeliveryReportsTest {
    final DeliveryReports reports = new DeliveryReports(null, "the-right-token", 0);

    static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void refusesAMissingOrWrongToken() throws Exception {
        assertThat(reports.kannel(params("batch", "1", "to", "+231770000001", "type", "1")).status()).isEqualTo(401);
        assertThat(reports.kannel(params("token", "the-right-token-", "batch", "1", "to", "+231770000001", "type", "1")).status()).isEqualTo(401);
        assertThat(reports.africasTalking(params("token", "THE-RIGHT-TOKEN", "id", "a", "status", "Success")).status()).isEqualTo(401);
    }

    @Test
    void anEmptyConfiguredTokenAcceptsNobody() throws Exception {
        DeliveryReports open = new DeliveryReports(null, "", 0);
        assertThat(open.kannel(params("token", "", "batch", "1", "to", "+231770000001", "type", "1")).status()).isEqualTo(401);
    }

    @Test
    void answers400ToAMalformedReportWithTheRightToken() throws Exception {
        DeliveryReports.Reply r = reports.kannel(params("token", "the-right-token", "batch", "1", "to", "+231770000001", "type", "3"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).contains("type");
        assertThat(reports.africasTalking(params("token", "the-right-token", "status", "Success")).status()).isEqualTo(400);
    }
}
