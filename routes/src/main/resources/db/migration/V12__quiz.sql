-- Interactive learning (issue 7): spaced multiple-choice quizzes by SMS. Questions go out through the outbox as
-- one-recipient broadcasts (origin quiz:<enrolment>:<position>, so a question is never sent twice); answers come back
-- through the inbound router (QUIZ <answer>) and are scored once per question.

create table quiz (
    id             bigserial primary key,
    name           text        not null unique,
    keyword        text        unique,                     -- on demand: this word sends the next question now
    interval_days  integer     not null default 1,         -- one question every N days ...
    send_hour      integer,                                -- ... at this hour (local); null = any time
    time_zone      text        not null default 'UTC',
    status         text        not null default 'open' check (status in ('open', 'closed')),
    created_at     timestamptz not null default now(),
    closed_at      timestamptz
);

create table quiz_question (
    quiz_id      bigint  not null references quiz(id) on delete cascade,
    position     integer not null,                         -- 1..n
    text         text    not null,
    choices      jsonb   not null,                         -- ["…", "…"]
    correct      integer not null,                         -- 0-based index into choices
    explanation  text,
    primary key (quiz_id, position)
);

create table quiz_enrolment (
    id                bigserial primary key,
    quiz_id           bigint      not null references quiz(id) on delete cascade,
    health_worker_id  bigint      not null references health_worker(id) on delete cascade,
    enrolled_at       timestamptz not null default now(),
    next_position     integer     not null default 1,      -- the next question to send
    next_due_at       timestamptz,                          -- when (null: finished, or on demand only)
    open_position     integer,                              -- the question sent and not answered yet
    open_since        timestamptz,
    finished_at       timestamptz,
    unique (quiz_id, health_worker_id)
);
create index quiz_enrolment_due on quiz_enrolment (next_due_at) where finished_at is null;
create index quiz_enrolment_worker on quiz_enrolment (health_worker_id);

create table quiz_answer (
    id             bigserial primary key,
    enrolment_id   bigint      not null references quiz_enrolment(id) on delete cascade,
    position       integer     not null,
    inbound_id     bigint      references inbound_message(id),
    raw            text,
    choice         integer     not null,
    correct        boolean     not null,
    answered_at    timestamptz not null default now(),
    unique (enrolment_id, position)                          -- the first answer counts
);
