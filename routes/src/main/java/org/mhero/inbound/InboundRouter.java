package org.mhero.inbound;

import java.util.Map;
import java.util.Optional;

/**
 * The content-based router's decision, in plain Java: a RapidPro run goes where its flow is mapped
 * ({@code flow.<uuid>}); a free-text message by its first word (the keyword table, then the trigger words); an unknown
 * sender, and anything not recognised, to the inbox.
 */
public final class InboundRouter {
    /** Where a message goes, with the keyword found, what followed it, and the flow a trigger word starts. */
    public record Decision(Route route, String keyword, String rest, String flowUuid, String reason) {
        public String routeId() { return route.id(); }
    }

    private final Keywords keywords;
    private final Map<String, String> triggers;
    private final Map<String, Route> flows;

    public InboundRouter(Keywords keywords, Map<String, String> triggers, Map<String, Route> flows) {
        this.keywords = keywords;
        this.triggers = Map.copyOf(triggers);
        this.flows = Map.copyOf(flows);
    }

    public Decision decide(InboundMessage m) {
        if (m.healthWorkerId() == null) {
            return new Decision(Route.INBOX, null, null, null, m.senderProblem() != null ? m.senderProblem() : "unknown sender");
        }
        if (m.fromFlow()) {
            Route r = flows.get(m.flowUuid());
            if (r == null) return new Decision(Route.INBOX, null, null, null, "flow " + m.flowUuid() + " is not mapped to a route (flow.<uuid> in org.mhero.inbound)");
            return new Decision(r, null, null, m.flowUuid(), null);
        }
        Optional<Keywords.Match> k = keywords.match(m.text());
        if (k.isPresent()) return new Decision(k.get().route(), k.get().keyword(), k.get().rest(), null, null);
        Optional<String[]> first = Keywords.firstWord(m.text());
        if (first.isPresent() && triggers.containsKey(first.get()[0])) {
            return new Decision(Route.TRIGGER, first.get()[0], first.get()[1], triggers.get(first.get()[0]), null);
        }
        return new Decision(Route.INBOX, null, null, null, m.text() == null || m.text().isBlank() ? "empty message" : "no keyword recognised");
    }
}
