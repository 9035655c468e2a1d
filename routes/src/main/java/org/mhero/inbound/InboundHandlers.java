package org.mhero.inbound;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;

/**
 * The handlers of the routes that need nothing but mHero's own database: opt-out and opt-in, help, trigger words and
 * the inbox. Each is idempotent (routing a message again changes nothing more), and what it sends back is written by
 * {@link InboundStore#settle} in the same transaction as the message's status.
 */
public final class InboundHandlers {
    private final DataSource ds;
    private final Map<Route, String> replies;

    public InboundHandlers(DataSource ds, Map<Route, String> replies) {
        this.ds = ds;
        this.replies = Map.copyOf(replies.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    /**
     * STOP: the worker is opted out of every channel. The opt-out is kept in {@code opt_out}, which later registry syncs
     * respect (a registry cannot opt a worker back in), and broadcasts skip them from now on.
     */
    public Handled optOut(InboundMessage m, InboundRouter.Decision d) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into opt_out (health_worker_id, channel, inbound_id) values (?, ?, ?)
                        on conflict (health_worker_id) do nothing""")) {
                    ps.setLong(1, m.healthWorkerId());
                    ps.setString(2, m.source());
                    ps.setLong(3, m.id());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "update health_worker set opted_out = true, updated_at = now() where id = ? and not opted_out")) {
                    ps.setLong(1, m.healthWorkerId());
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return Handled.done(Route.OPT_OUT, "opted out by '" + d.keyword() + "'").replying(replies.get(Route.OPT_OUT));
    }

    /**
     * START: lifts an opt-out the worker asked for by SMS. One a registry holds (iHRIS's opt-out tag, a stopped RapidPro
     * contact) stays: it is lifted where it was set.
     */
    public Handled optIn(InboundMessage m, InboundRouter.Decision d) throws SQLException {
        boolean registrySays;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("delete from opt_out where health_worker_id = ?")) {
                    ps.setLong(1, m.healthWorkerId());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        update health_worker set opted_out = false, updated_at = now()
                         where id = ? and opted_out and provenance->>'optedOut' is null""")) {
                    ps.setLong(1, m.healthWorkerId());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("select opted_out from health_worker where id = ?")) {
                    ps.setLong(1, m.healthWorkerId());
                    try (var rs = ps.executeQuery()) {
                        registrySays = rs.next() && rs.getBoolean(1);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        if (registrySays) {
            return Handled.inbox(Route.OPT_IN, "asked to opt in, but a registry holds the opt-out: lift it there");
        }
        return Handled.done(Route.OPT_IN, "opted in by '" + d.keyword() + "'").replying(replies.get(Route.OPT_IN));
    }

    public Handled help(InboundMessage m, InboundRouter.Decision d) {
        return Handled.done(Route.HELP, "help sent").replying(replies.get(Route.HELP));
    }

    /** A trigger word: the configured RapidPro flow is started for the sender (through the outbox, exactly once). */
    public Handled trigger(InboundMessage m, InboundRouter.Decision d) {
        return Handled.done(Route.TRIGGER, "started flow " + d.flowUuid() + " by '" + d.keyword() + "'", Handled.Outgoing.flow(d.flowUuid()));
    }

    /** Nothing recognised, an unknown sender, or a route without its handler: kept for a person to review. */
    public Handled inbox(InboundMessage m, InboundRouter.Decision d) {
        String reason = d.reason() != null ? d.reason()
                : d.route() != Route.INBOX ? "no " + d.route().id() + " handler is running: kept for review" : "kept for review";
        Handled h = Handled.inbox(d.route(), reason);
        return d.route() == Route.INBOX && m.healthWorkerId() != null ? h.replying(replies.get(Route.INBOX)) : h;
    }
}
