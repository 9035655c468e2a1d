package org.mhero.inbound.records;

import org.mhero.inbound.Handled;
import org.mhero.inbound.InboundMessage;
import org.mhero.inbound.Route;
import org.mhero.phone.PhoneNormalizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * What the routes {@code inbound.record-update}, {@code inbound.ihris-opt-out} and {@code inbound.ihris-opt-in} call
 * (bound as {@code recordUpdates}): plans a validation answer's write-back or an opt-out tag change, takes iHRIS's
 * answers, writes the audit, and says how the message ends. The HTTP calls themselves are the routes'.
 */
public final class RecordUpdates {
    private static final Logger LOG = LoggerFactory.getLogger(RecordUpdates.class);

    /** How to reach iHRIS (org.mhero.ihris), or why it cannot be reached. */
    public record Ihris(String baseUrl, String authorization, String jobSystem, String problem) {
        public static Ihris of(String baseUrl, String auth, String user, String password, String token, String jobSystem) {
            String header = switch (auth) {
                case "basic" -> "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
                case "bearer" -> "Bearer " + token;
                default -> null;
            };
            return new Ihris(baseUrl, header, jobSystem, null);
        }

        public static Ihris unavailable(String problem) { return new Ihris(null, null, null, problem); }
    }

    private final RecordSettings settings;
    private final Ihris ihris;
    private final RecordStore store;
    private final RecordMapping mapping;
    private final ResourcePatch patcher;

    public RecordUpdates(RecordSettings settings, Ihris ihris, RecordStore store, PhoneNormalizer phones) {
        this.settings = settings;
        this.ihris = ihris;
        this.store = store;
        this.mapping = new RecordMapping(settings, phones, store);
        this.patcher = new ResourcePatch(phones, ihris.jobSystem(), settings.supervisorExtension());
    }

    /** The value of the Authorization header for iHRIS, or null. */
    public String authorization() { return ihris.authorization(); }

    /**
     * Reads the {@code record.*} keys of {@code org.mhero.inbound} (problems are recorded on it) and, with
     * {@code org.mhero.ihris} for the way to iHRIS, binds {@code recordUpdates} and the properties the routes use.
     * A bad iHRIS configuration does not stop the inbound flow: record updates then wait in the inbox.
     */
    public static RecordSettings settings(org.mhero.config.Pid inbound) { return RecordSettings.from(inbound); }

    public static void bind(RecordSettings settings, org.mhero.boot.FlowContext ctx, javax.sql.DataSource ds, String phoneRegion) {
        org.mhero.config.Pid pid = ctx.pid(org.mhero.config.IhrisSettings.PID);
        org.mhero.config.IhrisSettings s = org.mhero.config.IhrisSettings.from(pid);
        Ihris ihris = pid.ok() ? Ihris.of(s.baseUrl(), s.auth(), s.username(), s.password(), s.token(), s.jobSystem())
                : Ihris.unavailable(pid.problems().toString());
        ctx.bind("recordUpdates", new RecordUpdates(settings, ihris, new RecordStore(ds), new PhoneNormalizer(phoneRegion)));
        ctx.property("inbound.ihris.base.url", pid.ok() ? s.baseUrl() : "http://127.0.0.1:9/ihris-not-configured");
        ctx.property("inbound.ihris.connect.timeout.ms", Integer.toString(pid.ok() ? s.connectTimeoutMs() : 1000));
        ctx.property("inbound.ihris.socket.timeout.ms", Integer.toString(pid.ok() ? s.socketTimeoutMs() : 1000));
    }

    // ------------------------------------------------------------------ record updates

    /** Reads the answer and plans the writes; a plan that is already done needs no call to iHRIS. */
    public RecordPlan plan(InboundMessage m) throws Exception {
        RecordMapping.Mapped mapped = mapping.map(m.resultsJson());
        List<String> practitioners = store.practitioners(m.healthWorkerId());
        RecordPlan p;
        if (!mapped.ok()) {
            p = RecordPlan.rejected(mapped.problems(), practitioners.isEmpty() ? null : practitioners.get(0));
        } else if (mapped.changes().isEmpty()) {
            p = RecordPlan.nothing(null);
        } else if (ihris.problem() != null) {
            p = RecordPlan.nothing("iHRIS is not configured (org.mhero.ihris: " + ihris.problem() + "): a person has to apply the answer");
        } else if (practitioners.isEmpty()) {
            p = RecordPlan.nothing("the worker has no Practitioner in iHRIS (not synced from iHRIS): a person has to apply the answer");
        } else {
            p = RecordPlan.of(ihris.baseUrl(), patcher, settings.conflictRetries(), practitioners, store.facility(m.healthWorkerId()),
                    mapped.changes());
        }
        store.audit(m.id(), m.healthWorkerId(), p.drainAudit());
        return p;
    }

    public void read(InboundMessage m, RecordPlan p, Integer status, String body, String etag) throws Exception {
        try {
            p.onRead(status, body, etag);
        } finally {
            store.audit(m.id(), m.healthWorkerId(), p.drainAudit());
        }
    }

    public void patched(InboundMessage m, RecordPlan p, Integer status, String body, String etag) throws Exception {
        try {
            if ((status != null && (status == 409 || status == 412)) && LOG.isInfoEnabled()) {
                LOG.info("inbound {}: version conflict writing to iHRIS, reading again", m.id());
            }
            p.onPatched(status, body, etag);
        } finally {
            store.audit(m.id(), m.healthWorkerId(), p.drainAudit());
        }
    }

    /** How the message ends: done (with the thank-you), or the inbox (with a reply when the answer was bad). */
    public Handled handled(InboundMessage m, RecordPlan p) {
        String summary = p.summary();
        LOG.info("inbound {}: record update {}", m.id(), p.problems().isEmpty() && p.failures().isEmpty() && p.reason() == null ? "done" : "to the inbox");
        if (!p.problems().isEmpty()) {
            String reply = settings.replyInvalid() == null ? null : settings.replyInvalid().replace("{problem}", String.join("; ", p.problems()));
            return Handled.inbox(Route.RECORD_UPDATE, summary).replying(reply);
        }
        if (p.reason() != null || !p.failures().isEmpty()) return Handled.inbox(Route.RECORD_UPDATE, summary);
        return Handled.done(Route.RECORD_UPDATE, summary).replying(settings.replyUpdated());
    }

    // ------------------------------------------------------------------ opt-out tags

    public TagPlan optOutTags(InboundMessage m) throws Exception {
        if (ihris.problem() != null || m.healthWorkerId() == null) return TagPlan.none();
        List<String> practitioners = store.practitioners(m.healthWorkerId());
        if (practitioners.isEmpty()) return TagPlan.none();
        return TagPlan.optOut(ihris.baseUrl(), store, m.healthWorkerId(), m.id(), practitioners, store.tags(m.healthWorkerId()));
    }

    public TagPlan optInTags(InboundMessage m) throws Exception {
        if (ihris.problem() != null || m.healthWorkerId() == null) return TagPlan.none();
        List<RecordStore.Tag> rows = store.tags(m.healthWorkerId());
        if (rows.isEmpty()) return TagPlan.none();
        return TagPlan.optIn(ihris.baseUrl(), store, m.healthWorkerId(), m.id(), rows);
    }

    public void tagAnswer(TagPlan p, Integer status, String body) throws Exception { p.answered(status, body); }

    /** The opt-out's outcome with what was done in iHRIS. */
    public Handled withNote(Handled h, TagPlan p) {
        String note = p.note();
        if (note.isEmpty()) return h;
        return new Handled(h.status(), h.route(), h.outcome() + "; iHRIS: " + note, h.outgoing());
    }
}
