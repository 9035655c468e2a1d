-- Broadcasts and the outbox (issue 5). A broadcast is resolved into one delivery row per recipient, in one statement,
-- before anything is sent; dispatch claims batches of pending deliveries (FOR UPDATE SKIP LOCKED, so several nodes can
-- share the work) and records each hand-over in delivery_batch before and after the call, which is what makes a
-- restart resume without sending twice.

create table broadcast (
    id             bigserial primary key,
    title          text,
    kind           text        not null check (kind in ('text', 'flow')),
    text           text,                                  -- kind = text
    flow_uuid      text,                                  -- kind = flow (a RapidPro flow, voice flows included)
    params         jsonb,                                 -- flow params (@trigger.params)
    target         jsonb       not null,                  -- {"groups":[..], "rule":"..", "workers":[..]} as asked
    channel        text,                                  -- override of the active channel; null = the active one
    status         text        not null check (status in ('scheduled', 'recurring', 'sending', 'completed', 'cancelled')),
    send_at        timestamptz,                           -- scheduled: when to resolve and send
    cron           text,                                  -- recurring: each firing creates an occurrence
    time_zone      text,
    next_fire_at   timestamptz,
    parent_id      bigint      references broadcast(id),  -- the recurring broadcast an occurrence belongs to
    created_by     text,
    created_at     timestamptz not null default now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    recipients     integer     not null default 0,        -- delivery rows (skipped included)
    check ((kind = 'text') = (text is not null)),
    check ((kind = 'flow') = (flow_uuid is not null))
);
create index broadcast_due on broadcast (send_at) where status = 'scheduled';
create index broadcast_fire on broadcast (next_fire_at) where status = 'recurring';
create index broadcast_sending on broadcast (id) where status = 'sending';

-- the parts of a text too long for one message when the channel config says split (part 1 only otherwise)
create table broadcast_part (
    broadcast_id bigint  not null references broadcast(id) on delete cascade,
    part         integer not null,
    text         text    not null,
    primary key (broadcast_id, part)
);

-- one hand-over to a channel: written as 'posting' before the call, settled after it
create table delivery_batch (
    id            bigserial primary key,
    broadcast_id  bigint      not null references broadcast(id),
    part          integer     not null default 1,
    channel       text        not null,
    status        text        not null check (status in ('posting', 'accepted', 'failed', 'retry', 'in_doubt', 'not_created')),
    started_at    timestamptz not null default now(),
    finished_at   timestamptz,
    external_id   text,                                  -- RapidPro broadcast / flow start uuid (or v7 id)
    error         text
);
create index delivery_batch_open on delivery_batch (started_at) where status in ('posting', 'in_doubt');

create table delivery (
    id                 bigserial primary key,
    broadcast_id       bigint      not null references broadcast(id) on delete cascade,
    part               integer     not null default 1,
    health_worker_id   bigint      not null references health_worker(id),
    phone              text,                             -- E.164 at resolution time
    contact_uuid       text,                             -- RapidPro contact, when known
    status             text        not null check (status in ('pending', 'posting', 'accepted', 'sent', 'delivered',
                                                  'failed', 'skipped', 'dead', 'in_doubt', 'cancelled')),
    reason             text,
    channel            text,
    batch_id           bigint      references delivery_batch(id),
    channel_message_id text,                             -- gateway id for delivery reports
    gateway_status     text,                             -- the raw code of the latest report
    attempts           integer     not null default 0,
    next_attempt_at    timestamptz,
    updated_at         timestamptz not null default now(),
    unique (broadcast_id, part, health_worker_id)
);
create index delivery_pending on delivery (broadcast_id, part, id) where status = 'pending';
create index delivery_by_batch on delivery (batch_id);
create index delivery_by_message on delivery (channel_message_id) where channel_message_id is not null;
create index delivery_dead on delivery (broadcast_id) where status = 'dead';
