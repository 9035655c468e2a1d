-- Reports (issue 7): what happened after a broadcast, flow start or quiz question left mHero. The outbox knows who was
-- targeted and what the channel accepted; Kannel and Africa's Talking report delivery back (delivery.status). For
-- RapidPro, the report tracker (route report.track) reads it back: message statuses of broadcasts
-- (messages.json?broadcast=), the flow's message statuses (messages.json?folder=sent|failed), and the runs of every flow
-- start (runs.json?flow=), stored here one row per run.

create table flow_run (
    uuid              text        primary key,             -- RapidPro run uuid: the dedupe key
    batch_id          bigint      not null references delivery_batch(id) on delete cascade,
    broadcast_id      bigint      not null references broadcast(id) on delete cascade,
    delivery_id       bigint      references delivery(id) on delete cascade,   -- the recipient it was started for
    health_worker_id  bigint      references health_worker(id) on delete set null,
    flow_uuid         text        not null,
    contact_uuid      text,
    responded         boolean     not null default false,
    answered          integer     not null default 0,      -- result values the run holds
    exit_type         text,                                -- completed | interrupted | expired | failed | null (waiting)
    modified_on       timestamptz,                         -- RapidPro's, for ordering updates
    updated_at        timestamptz not null default now()
);
create index flow_run_broadcast on flow_run (broadcast_id);
create index flow_run_delivery on flow_run (delivery_id);

-- when the tracker last looked at a RapidPro batch, and whether there is nothing left to learn about it
alter table delivery_batch add column tracked_at timestamptz;
alter table delivery_batch add column tracking_done boolean not null default false;
create index delivery_batch_tracking on delivery_batch (started_at) where channel = 'rapidpro' and not tracking_done;

-- replies are attributed to the broadcasts a worker received before them
create index inbound_worker_time on inbound_message (health_worker_id, received_at);
