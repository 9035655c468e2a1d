package org.mhero.inbound.stock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mhero.inbound.Handled;
import org.mhero.inbound.InboundMessage;
import org.mhero.inbound.InboundRouter;
import org.mhero.inbound.Route;
import org.mhero.store.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.YearMonth;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The stock route's decisions (route {@code inbound.stock}): {@link #prepare} reads the report (SMS grammar or flow
 * results), finds the sender's DHIS2 org unit and the period, and either answers at once (already recorded, a grammar
 * error, no org unit) or hands the route a data value set to post; {@link #answered} reads DHIS2's answer into the
 * sender's reply and the message's outcome. Both record the report in {@code stock_report}.
 *
 * <p><b>Org unit.</b> The worker's facility ({@code health_worker.facility_id}) when it is a DHIS2 org unit (a location
 * of registry {@code dhis2}: its id is the org unit UID); otherwise {@code stock.orgunit.<registry>.<facility id>} in
 * {@code org.mhero.inbound} names the DHIS2 org unit UID of an iHRIS or CSV facility. No facility, or no mapping: the
 * sender is told the report was not recorded and the message waits in the inbox with the key to set.
 *
 * <p><b>Answers.</b> 200 (and the 409s with an ImportSummary) are judged item by item ({@link ImportAnswer#judge});
 * 401 and 403 (credentials, authority) and other 4xx (a wrong URL, a payload DHIS2 cannot read) go to the inbox with a
 * reason for the operator; 429 and 5xx throw {@link Dhis2Unavailable}, which the inbound router retries with backoff.
 * Phone numbers and the message text are never logged.
 */
public final class StockReports {
    private static final Logger LOG = LoggerFactory.getLogger(StockReports.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SMS_MAX = 459;

    /** DHIS2 could not take the report now (5xx, 429, a timeout, refused connection): route the message again later. */
    public static final class Dhis2Unavailable extends Exception {
        public Dhis2Unavailable(String message, Throwable cause) { super(message, cause); }
    }

    /**
     * One routing of a report: either {@code handled} (nothing to post) or a post of {@code body} with {@code query}.
     * The rest is what {@link #answered} needs.
     */
    public record Step(InboundMessage message, Handled handled, String body, String query, String origin, String orgUnit,
                       String period, List<StockGrammar.Item> items) {
        public boolean post() { return handled == null; }
    }

    private final StockSettings settings;
    private final StockGrammar grammar;
    private final StockStore store;
    /** Why stock reports cannot be posted at all (the org.mhero.dhis2 connection settings are invalid), or null. */
    private final String disabled;

    public StockReports(StockSettings settings, StockStore store, String disabled) {
        this.settings = settings;
        this.grammar = StockGrammar.of(settings);
        this.store = store;
        this.disabled = disabled;
    }

    public Step prepare(InboundMessage m, InboundRouter.Decision d) throws SQLException {
        StockStore.Lookup found = store.lookup(m.id(), m.healthWorkerId());
        Optional<StockStore.Settled> done = found.settled();
        if (done.isPresent()) {
            StockStore.Settled s = done.get();
            LOG.debug("stock report of inbound message {} already recorded ({}): answered from the record", m.id(), s.status());
            Handled h = new Handled("inbox".equals(s.handledStatus()) ? "inbox" : "done", Route.STOCK, s.outcome(), List.of());
            return handled(m, h.replying(s.reply()));
        }
        String origin = m.fromFlow() ? "flow" : "sms";
        if (disabled != null) {
            return handled(m, Handled.inbox(Route.STOCK, "stock reports are not running: " + disabled));
        }
        StockGrammar.Parsed p = m.fromFlow() ? grammar.parseResults(m.resultsJson()) : grammar.parse(d.rest());
        String period = StockPayload.period(m.receivedAt(), settings.zone(), settings.periodType(), settings.periodOffset());
        if (!p.ok()) {
            String reply = fill(settings.replies().invalid(), Map.of("problems", String.join("; ", p.problems()), "period", label(period)));
            String outcome = "stock report not sent: " + String.join("; ", p.problems());
            save(m, origin, null, period, p.items(), json(p.problems()), "invalid", null, null, null, null, "done", outcome, reply);
            LOG.info("stock report of inbound message {} not sent: {} problem(s) in it", m.id(), p.problems().size());
            return handled(m, Handled.done(Route.STOCK, outcome).replying(reply));
        }
        String orgUnit = null, missing;
        Optional<StockStore.Facility> f = found.facility();
        if (f.isEmpty()) {
            missing = "the sender has no facility: set it in the registry the worker comes from";
        } else if (f.get().registry().equals("dhis2")) {
            orgUnit = f.get().sourceId();
            missing = null;
        } else {
            orgUnit = settings.orgUnits().get(f.get().registry() + ":" + f.get().sourceId());
            missing = orgUnit != null ? null : "the sender's facility " + f.get().registry() + " " + f.get().sourceId()
                    + (f.get().name() == null ? "" : " (" + f.get().name() + ")") + " has no DHIS2 org unit: set stock.orgunit."
                    + f.get().registry() + "." + f.get().sourceId() + " = <org unit UID> in org.mhero.inbound";
        }
        if (missing != null) {
            String reply = fill(settings.replies().notSent(), Map.of("period", label(period)));
            save(m, origin, null, period, p.items(), null, "no-org-unit", null, null, null, null, "inbox", missing, reply);
            LOG.info("stock report of inbound message {} not sent: no DHIS2 org unit for the sender's facility", m.id());
            return handled(m, Handled.inbox(Route.STOCK, missing).replying(reply));
        }
        String body = StockPayload.body(settings.dataSet(), period, orgUnit, settings.categoryOptionCombo(), p.items());
        String query = StockPayload.query(settings.dataSet() != null, settings.categoryOptionCombo() != null);
        return new Step(m, null, body, query, origin, orgUnit, period, p.items());
    }

    private static Step handled(InboundMessage m, Handled h) {
        return new Step(m, h, null, null, null, null, null, List.of());
    }

    /** DHIS2's answer to the post of {@code s}: the Handled to settle, or {@link Dhis2Unavailable} to retry later. */
    public Handled answered(Step s, Integer httpStatus, String body) throws SQLException, Dhis2Unavailable {
        int status = httpStatus == null ? 0 : httpStatus;
        long id = s.message().id();
        if (status == 429 || status >= 500 || status == 0) {
            String error = status == 0 ? "DHIS2 gave no HTTP status" : "DHIS2 answered HTTP " + status + ": " + Failures.maskNumbers(snippet(body));
            retryLater(s, status, error);
            LOG.warn("stock report of inbound message {}: DHIS2 answered HTTP {}; routed again later", id, status);
            throw new Dhis2Unavailable(error, null);
        }
        ImportAnswer a = status == 200 || status == 409 ? ImportAnswer.parse(body) : null;
        if (status == 200 && a == null) {
            // a 200 without an ImportSummary: accepted as far as anyone can tell
            return imported(s, status, null, "DHIS2 answered 200 without an import summary");
        }
        if (a == null) {
            String why = switch (status) {
                case 401 -> "DHIS2 refused mHero's credentials (HTTP 401): check auth.* in org.mhero.dhis2";
                case 403 -> "DHIS2's user for mHero may not import data values (HTTP 403): give it the authority and the org unit";
                case 409 -> "DHIS2 answered 409 without an import summary: " + snippet(body);
                default -> "DHIS2 refused the import (HTTP " + status + "): check base.url in org.mhero.dhis2; " + snippet(body);
            };
            String reply = fill(settings.replies().notSent(), Map.of("period", label(s.period())));
            save(s.message(), s.origin(), s.orgUnit(), s.period(), s.items(), null, "refused", status, null, null, null, "inbox", why, reply);
            LOG.warn("stock report of inbound message {} refused by DHIS2 (HTTP {}): kept in the inbox", id, status);
            return Handled.inbox(Route.STOCK, why).replying(reply);
        }
        if (a.clean()) return imported(s, status, a, null);
        ImportAnswer.Judgement j = a.judge(s.items());
        if (j.failed().isEmpty() && j.operatorProblems().isEmpty()) return imported(s, status, a, null);
        String received = j.accepted().isEmpty() ? "" : list(j.accepted().stream().map(ImportAnswer.ItemResult::item).toList()) + " received; ";
        String failed = j.failed().stream().map(r -> r.item().item() + " " + r.item().quantity() + " (" + r.reason() + ")")
                .collect(Collectors.joining(", "));
        String reply = fill(settings.replies().conflicts(), Map.of("period", label(s.period()), "received", received, "failed", failed));
        String outcome = "stock " + s.period() + " at " + s.orgUnit() + ": " + j.accepted().size() + " item(s) imported, "
                + j.failed().size() + " rejected: " + j.failed().stream().map(r -> r.item().item() + " (" + r.reason() + ")")
                .collect(Collectors.joining(", "))
                + (j.operatorProblems().isEmpty() ? "" : "; for an operator: " + String.join("; ", j.operatorProblems()));
        String handled = j.operatorProblems().isEmpty() ? "done" : "inbox";
        save(s.message(), s.origin(), s.orgUnit(), s.period(), s.items(), null, "conflicts", status, a.status(), json(a.counts()),
                conflictsJson(j), handled, outcome, reply);
        LOG.info("stock report of inbound message {} answered by DHIS2 (HTTP {}): {} item(s) imported, {} rejected", id, status,
                j.accepted().size(), j.failed().size());
        Handled h = handled.equals("inbox") ? Handled.inbox(Route.STOCK, outcome) : Handled.done(Route.STOCK, outcome);
        return h.replying(reply);
    }

    /**
     * The post failed before DHIS2 answered (connection refused, a timeout): recorded on the report, then rethrown as
     * {@link Dhis2Unavailable} for the inbound router's retry.
     */
    public void unreachable(Step s, Exception e) throws SQLException, Dhis2Unavailable {
        String error = "DHIS2 unreachable: " + Failures.describe(e);
        retryLater(s, null, error);
        LOG.warn("stock report of inbound message {}: {}; routed again later", s.message().id(), error);
        throw new Dhis2Unavailable(error, e);
    }

    private Handled imported(Step s, int status, ImportAnswer a, String note) throws SQLException {
        String reply = fill(settings.replies().received(), Map.of("period", label(s.period()), "items", list(s.items())));
        String outcome = "stock " + s.period() + " at " + s.orgUnit() + ": " + s.items().size() + " item(s) imported"
                + (a == null ? "" : " " + a.counts()) + (note == null ? "" : "; " + note);
        save(s.message(), s.origin(), s.orgUnit(), s.period(), s.items(), null, "imported", status, a == null ? null : a.status(),
                a == null ? null : json(a.counts()), null, "done", outcome, reply);
        LOG.info("stock report of inbound message {} imported into DHIS2: {} item(s)", s.message().id(), s.items().size());
        return Handled.done(Route.STOCK, outcome).replying(reply);
    }

    private void save(InboundMessage m, String origin, String orgUnit, String period, List<StockGrammar.Item> items, String problems,
                      String status, Integer http, String importStatus, String counts, String conflicts, String handled,
                      String outcome, String reply) throws SQLException {
        // a report with an HTTP status, or still 'sending', was posted; an unreadable one or one without an org unit was not
        boolean posted = http != null || status.equals("sending");
        store.save(new StockStore.Row(m.id(), m.healthWorkerId(), origin, orgUnit, period, settings.dataSet(), itemsJson(items),
                problems, status, http, importStatus, counts, conflicts, handled, outcome, reply), posted, null);
    }

    /** A post that failed technically: the report stays 'sending' with the reason, and counts the attempt. */
    private void retryLater(Step s, Integer http, String error) throws SQLException {
        store.save(new StockStore.Row(s.message().id(), s.message().healthWorkerId(), s.origin(), s.orgUnit(), s.period(),
                settings.dataSet(), itemsJson(s.items()), null, "sending", http, null, null, null, null,
                "DHIS2 did not take the report yet: routed again later", null), true, error);
    }

    /** {@code ORS 40, ZINC 12}. */
    static String list(List<StockGrammar.Item> items) {
        return items.stream().map(i -> i.item() + " " + i.quantity()).collect(Collectors.joining(", "));
    }

    /** The period as a sender reads it: {@code Nov 2026}, {@code week 47 of 2026}. */
    static String label(String period) {
        if (period == null) return "";
        int w = period.indexOf('W');
        if (w > 0) return "week " + period.substring(w + 1) + " of " + period.substring(0, w);
        if (period.length() == 6) {
            YearMonth ym = YearMonth.of(Integer.parseInt(period.substring(0, 4)), Integer.parseInt(period.substring(4)));
            return ym.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH) + " " + ym.getYear();
        }
        return period;
    }

    /** The template with {name} filled in, cut to three SMS; null when the template is empty. */
    static String fill(String template, Map<String, String> values) {
        if (template == null) return null;
        String out = template;
        for (Map.Entry<String, String> e : values.entrySet()) out = out.replace("{" + e.getKey() + "}", e.getValue());
        out = out.replaceAll("\\{[a-z]+}", "").replaceAll("\\s{2,}", " ").strip();
        return out.length() <= SMS_MAX ? out : out.substring(0, SMS_MAX - 3) + "...";
    }

    private static String snippet(String body) {
        if (body == null) return "";
        String s = body.replaceAll("\\s+", " ").strip();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static String itemsJson(List<StockGrammar.Item> items) {
        ArrayNode a = JSON.createArrayNode();
        for (StockGrammar.Item i : items) a.addObject().put("item", i.item()).put("dataElement", i.dataElement()).put("quantity", i.quantity());
        return write(a);
    }

    private static String conflictsJson(ImportAnswer.Judgement j) {
        ArrayNode a = JSON.createArrayNode();
        for (ImportAnswer.ItemResult r : j.failed()) {
            ObjectNode o = a.addObject().put("item", r.item().item()).put("dataElement", r.item().dataElement());
            if (r.errorCode() != null) o.put("errorCode", r.errorCode());
            o.put("reason", r.reason());
        }
        for (String p : j.operatorProblems()) a.addObject().put("operator", p);
        return write(a);
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String write(ArrayNode a) {
        return a.toString();
    }

}
