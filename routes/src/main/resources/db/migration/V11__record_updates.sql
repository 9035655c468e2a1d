-- Record updates written back to iHRIS (issue 6) and the iHRIS side of SMS opt-outs.

-- One row per field a validation answer touched on one FHIR resource: what it was, what it became, and which message
-- said so. Routing the same message again finds the value already there and adds nothing (unique message + resource
-- + field). status: updated (written), unchanged (already so: the worker confirmed it), rejected (a bad answer, nothing
-- written), failed (iHRIS refused the write or kept conflicting; the message is in the inbox).
create table record_update (
    id                bigserial   primary key,
    inbound_id        bigint      not null references inbound_message(id),
    health_worker_id  bigint      references health_worker(id) on delete set null,
    resource_type     text        not null,           -- Practitioner, PractitionerRole, Location
    resource_id       text,                           -- the FHIR id (null when the answer was rejected before a resource was known)
    practitioner_id   text,                           -- the worker's Practitioner id in iHRIS
    field             text        not null,           -- phone, job, facility, supervisor, facility-status
    old_value         text,
    new_value         text,
    status            text        not null check (status in ('updated', 'unchanged', 'rejected', 'failed')),
    error             text,
    version_before    text,
    version_after     text,
    attempts          integer     not null default 1, -- writes tried (more than one after a version conflict)
    created_at        timestamptz not null default now(),
    unique nulls not distinct (inbound_id, resource_type, resource_id, field)
);
create index record_update_worker on record_update (health_worker_id);
create index record_update_practitioner on record_update (practitioner_id);

-- The iHRIS opt-out tag (meta.tag http://mhero.org/codesystem|optedout) per Practitioner of a worker who sent STOP.
-- ours = mHero added it (START removes it again); false = the tag was already there (set in iHRIS: START leaves it).
create table ihris_opt_out (
    health_worker_id  bigint      not null references health_worker(id) on delete cascade,
    practitioner_id   text        not null,
    ours              boolean     not null,
    inbound_id        bigint      references inbound_message(id),
    tagged_at         timestamptz not null default now(),
    primary key (health_worker_id, practitioner_id)
);
