-- Stock reports (issue 6): one row per inbound message routed to stock (an SMS "STOCK ORS 40 ZINC 12" or a RapidPro
-- flow mapped with flow.<uuid> = stock), whatever came of it. The row is what makes routing a message again harmless:
-- once its DHIS2 answer (or its grammar error) is recorded, the same message is answered from here and never posted
-- again. A post that failed technically (DHIS2 down, 5xx, a timeout) leaves the row 'sending' with last_error, and the
-- inbound retry posts again; so does a routing interrupted mid-post (no row yet). DHIS2's CREATE_AND_UPDATE import
-- makes posting the same values again harmless.
create table stock_report (
    id               bigserial primary key,
    inbound_id       bigint      not null unique references inbound_message(id),
    health_worker_id bigint      references health_worker(id),
    origin           text        not null check (origin in ('sms', 'flow')),
    org_unit         text,                          -- DHIS2 org unit UID posted to (null when the facility has none)
    period           text,                          -- DHIS2 period (yyyyMM or yyyyWn)
    data_set         text,                          -- data set code, if configured
    items            jsonb       not null default '[]',  -- [{item, dataElement, quantity}] as read from the message
    problems         jsonb,                         -- the grammar's problems (status 'invalid')
    status           text        not null
                     check (status in ('sending', 'imported', 'conflicts', 'invalid', 'no-org-unit', 'refused')),
    http_status      integer,                       -- DHIS2's HTTP status of the last post
    import_status    text,                          -- the ImportSummary's status (SUCCESS, WARNING, ERROR)
    import_count     jsonb,                         -- {imported, updated, ignored, deleted}
    conflicts        jsonb,                         -- [{item, dataElement, errorCode, reason}] and operator problems
    handled_status   text        check (handled_status in ('done', 'inbox')),
    outcome          text,                          -- what the inbox review shows
    reply            text,                          -- what was answered to the sender (null: nothing)
    attempts         integer     not null default 0,   -- posts tried
    last_error       text,                          -- the last technical failure (DHIS2 down, timeout), never message content
    created_at       timestamptz not null default now(),
    posted_at        timestamptz,
    answered_at      timestamptz
);
create index stock_report_period on stock_report (org_unit, period);
create index stock_report_worker on stock_report (health_worker_id);
