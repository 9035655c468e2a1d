-- mHero schema, version 2: one health worker from several registries (merge with provenance and reasons),
-- trainings, contact groups, RapidPro contact links.

-- The golden record: which registry each field came from, and why an operator should look at it.
alter table health_worker add column provenance   jsonb not null default '{}'::jsonb;
alter table health_worker add column review_reason text;          -- not null: needs a person's decision
alter table health_worker add column golden_hash  text;           -- hash of the merged fields: unchanged = no write

-- Each registry's own view of the person (the mapped record), so the golden record can be recomputed.
alter table source_link add column data jsonb;

-- Phones belong to the source record that gave them (a worker merged from two registries has both sets).
alter table phone add column source_link_id bigint references source_link(id) on delete cascade;
create index phone_source_link on phone (source_link_id);

-- Why a source record joined a health worker: the matching rule, its score, when.
create table merge_decision (
    id               bigserial primary key,
    health_worker_id bigint      not null references health_worker(id) on delete cascade,
    source_link_id   bigint      not null references source_link(id) on delete cascade,
    rule             text        not null,      -- new | national_id | employee_number | phone_and_name
    score            numeric,
    detail           text,
    decided_at       timestamptz not null default now()
);
create index merge_decision_worker on merge_decision (health_worker_id);
create index health_worker_national_id on health_worker (national_id) where national_id is not null;
create index health_worker_employee_number on health_worker (employee_number) where employee_number is not null;

-- In-service trainings (iHRIS Basic resources), for targeting by training.
create table training (
    id               bigserial primary key,
    health_worker_id bigint      not null references health_worker(id) on delete cascade,
    registry         text        not null,
    source_id        text        not null,
    code             text,
    name             text,
    provider         text,
    start_date       date,
    end_date         date,
    unique (registry, source_id)
);
create index training_worker on training (health_worker_id);
create index training_code on training (code);

-- Contact groups: a declarative rule (etc/org.mhero.groups.cfg), its members recomputed in SQL after every sync.
create table contact_group (
    id            bigserial primary key,
    name          text        not null unique,
    rule          text        not null,
    mirror        boolean     not null default false,   -- mirror membership to a RapidPro group
    rapidpro_uuid text,
    member_count  integer     not null default 0,
    updated_at    timestamptz not null default now()
);
create table contact_group_member (
    group_id         bigint not null references contact_group(id) on delete cascade,
    health_worker_id bigint not null references health_worker(id) on delete cascade,
    primary key (group_id, health_worker_id)
);
create index contact_group_member_worker on contact_group_member (health_worker_id);

-- The RapidPro contact of a health worker, and what we last pushed (hash) or pulled (modified_on).
create table rapidpro_contact (
    health_worker_id bigint      primary key references health_worker(id) on delete cascade,
    contact_uuid     text        unique,
    urn              text,
    status           text,                               -- active | blocked | stopped | archived
    pushed_hash      text,
    pushed_at        timestamptz,
    modified_on      timestamptz
);
