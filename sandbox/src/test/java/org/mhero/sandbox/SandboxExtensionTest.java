package org.mhero.sandbox;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mhero.sandbox.db.TestDatabase;
import org.mhero.sandbox.dhis2.Dhis2Simulator;
import org.mhero.sandbox.ihris.IhrisSandbox;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.sandbox.sms.KannelSimulator;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SandboxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SandboxExtensionTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static IhrisSandbox first;

    static int status(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    @Order(1)
    void startsWhatATestAsksForOnFreeLoopbackPorts(IhrisSandbox ihris, RapidProSimulator rapidpro, Dhis2Simulator dhis2,
                                                     KannelSimulator kannel, TestDatabase db) throws Exception {
        first = ihris;
        assertThat(status(ihris.baseUrl() + "/Practitioner?_count=1")).isEqualTo(200);
        assertThat(status(rapidpro.baseUrl() + "/api/v2/contacts.json")).as("no token").isEqualTo(403);
        assertThat(status(dhis2.baseUrl() + "/api/me")).as("no credentials").isEqualTo(401);
        assertThat(status(kannel.sendsmsUrl())).as("no user").isEqualTo(403);
        assertThat(db.count("select 1")).isEqualTo(1);
        assertThat(ihris.store().practitionerCount()).isEqualTo(SandboxExtension.DEFAULT_PRACTITIONERS);
    }

    @Test
    @Order(2)
    void sharesOneInstancePerTestClass(IhrisSandbox ihris) {
        assertThat(ihris).isSameAs(first);
    }
}
