-- mHero schema, version 3: spreadsheet (CSV) imports of health workers, the third registry ('csv').

-- One row per file seen in the import directory: its name and content hash, what the import did, and why it failed.
create table csv_import (
    id           bigserial primary key,
    file_name    text        not null,
    file_sha256  text,                                    -- null when the file could not be read at all
    reading      text        not null,                    -- fingerprint of the charset, delimiter and column mapping
    sync_run_id  bigint      references sync_run(id),      -- the sync_run of this import (none when skipped)
    started_at   timestamptz not null default now(),
    finished_at  timestamptz,
    status       text        not null default 'running',   -- running | ok | failed | skipped (same file, same mapping)
    rows         integer     not null default 0,           -- data rows read (blank rows not counted)
    created      integer     not null default 0,
    updated      integer     not null default 0,
    unchanged    integer     not null default 0,
    rejected     integer     not null default 0,
    error        text                                      -- why a failed import failed (never a cell's content)
);
create index csv_import_sha on csv_import (file_sha256, reading) where status = 'ok';

-- The rows of an import that were not stored, with the line and the reason. Never the row itself (phone numbers).
create table csv_rejection (
    import_id    bigint      not null references csv_import(id) on delete cascade,
    line         bigint      not null,                     -- line of the file the row starts on (1 is the header)
    reason       text        not null,
    primary key (import_id, line)
);
