-- mHero schema, version 1: the registry side (health workers, their phones, locations, source links),
-- sync bookkeeping, and Camel's idempotent repository.

-- Locations from every registry: country -> region -> district -> facility, with the resolved ancestors.
create table location (
    id              bigserial primary key,
    registry        text        not null,            -- 'ihris', 'dhis2'
    source_id       text        not null,            -- id in that registry
    name            text,
    level           text        not null,            -- country | region | district | facility | other jurisdiction code
    parent_source_id text,
    path            text        not null,            -- /country/.../self (source ids)
    country_source_id  text,
    region_source_id   text,
    district_source_id text,
    content_hash    text        not null,
    updated_at      timestamptz not null default now(),
    unique (registry, source_id)
);

-- The canonical person. Registry-specific facts live on source_link; what we target on lives here.
create table health_worker (
    id              bigserial primary key,
    display_name    text,
    family_name     text,
    given_names     text,
    gender          text,
    active          boolean     not null default true,
    opted_out       boolean     not null default false,
    facility_id     bigint      references location(id),
    job_code        text,
    job_title       text,
    cadre           text,
    national_id     text,
    employee_number text,
    rapidpro_uuid   text,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now()
);
create index health_worker_facility on health_worker (facility_id);
create index health_worker_cadre on health_worker (cadre);

-- Where a health worker came from: one row per (registry, source id), with what we last stored.
create table source_link (
    id               bigserial primary key,
    health_worker_id bigint      not null references health_worker(id) on delete cascade,
    registry         text        not null,
    source_id        text        not null,
    source_version   text,
    source_updated   timestamptz,
    content_hash     text        not null,
    synced_at        timestamptz not null default now(),
    unique (registry, source_id)
);
create index source_link_worker on source_link (health_worker_id);

-- Every number a registry holds for a worker, usable (e164) or not (invalid_reason), never dropped.
create table phone (
    id               bigserial primary key,
    health_worker_id bigint      not null references health_worker(id) on delete cascade,
    registry         text        not null,
    raw_value        text        not null,
    e164             text,
    invalid_reason   text,
    rank             integer     not null default 0,
    use              text,
    is_primary       boolean     not null default false,
    shared           boolean     not null default false,   -- the same e164 belongs to more than one worker
    check ((e164 is null) <> (invalid_reason is null))
);
create index phone_worker on phone (health_worker_id);
create index phone_e164 on phone (e164) where e164 is not null;

-- One watermark per source and resource type: the largest server lastUpdated of committed data.
create table sync_watermark (
    source      text        primary key,          -- 'ihris:Practitioner', 'ihris:PractitionerRole', ...
    watermark   timestamptz not null,
    updated_at  timestamptz not null default now()
);

-- One row per sync run, for operators: what happened, with counts.
create table sync_run (
    id           bigserial primary key,
    source       text        not null,
    started_at   timestamptz not null default now(),
    finished_at  timestamptz,
    status       text        not null default 'running',   -- running | ok | failed
    pages        integer     not null default 0,
    seen         integer     not null default 0,
    created      integer     not null default 0,
    updated      integer     not null default 0,
    unchanged    integer     not null default 0,
    unreachable  integer     not null default 0,
    error        text
);

-- Camel's JdbcMessageIdRepository table (its own auto-create fails on PostgreSQL).
create table CAMEL_MESSAGEPROCESSED (
    processorName varchar(255) not null,
    messageId     varchar(100) not null,
    createdAt     timestamp,
    primary key (processorName, messageId)
);
