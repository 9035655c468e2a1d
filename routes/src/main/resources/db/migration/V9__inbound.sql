-- Inbound messages (issue 6). Every intake persists first (unique source + external id makes a repeated call harmless),
-- answers, and the routing happens afterwards from this table: a fast path right after the answer, and a poller that
-- takes whatever is left (after a restart, or when a handler failed technically and is due again).

create table inbound_message (
    id               bigserial primary key,
    source           text        not null,          -- rapidpro-run (webhook, resthook, runs poll), rapidpro-msg, kannel, africastalking, external
    external_id      text        not null,          -- the sender's id of the message or run: the dedupe key within the source
    intake           text        not null,          -- the endpoint or poll it came through (webhook, resthook, get-url, post-url, form, poll-runs, ...)
    received_at      timestamptz not null default now(),
    sent_at          timestamptz,                   -- the time the sender gave, if any
    sender           text,                          -- E.164 when the number parsed, else the raw address (never logged at INFO)
    urn              text,                          -- RapidPro URN as given
    contact_uuid     text,                          -- RapidPro contact
    health_worker_id bigint      references health_worker(id),
    text             text,                          -- the message text (free text or the run's last input)
    flow_uuid        text,
    results          jsonb,                         -- a run's results {key: {value, category}}
    status           text        not null default 'received'
                     check (status in ('received', 'routing', 'done', 'inbox', 'failed')),
    route            text,                          -- how it was routed: opt-out, help, stock, record-update, trigger, quiz, inbox
    outcome          text,                          -- what came of it, for the inbox review
    attempts         integer     not null default 0,
    next_attempt_at  timestamptz,
    routed_at        timestamptz,
    unique (source, external_id)
);
create index inbound_due on inbound_message (id) where status in ('received', 'routing');
create index inbound_review on inbound_message (received_at desc);
create index inbound_worker on inbound_message (health_worker_id);

-- Opt-outs asked for by the health worker (STOP by SMS). The merged record keeps opted_out while this row exists, whatever
-- a later registry sync says; "opted out if any source says so".
create table opt_out (
    health_worker_id bigint      primary key references health_worker(id) on delete cascade,
    channel          text        not null,
    inbound_id       bigint      references inbound_message(id),
    opted_out_at     timestamptz not null default now()
);

-- Replies and health-worker-initiated flow starts are one-recipient broadcasts through the outbox. origin names what
-- caused one (inbound:<id>:reply), so that routing a message again never creates a second.
alter table broadcast add column origin text unique;
