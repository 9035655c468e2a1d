-- mHero schema, version 20: a merge decision references its source link and that link's worker together.
--
-- merge_decision carried two references, health_worker_id -> health_worker and source_link_id -> source_link, each
-- checked for every new row: two of the six checks a new registry record costs. A link belongs to exactly one worker,
-- so one reference to (source_link_id, health_worker_id) says both, costs one check, and also refuses a decision whose
-- worker is not its link's worker, which the two single references allowed. Deleting a worker still removes its
-- decisions: worker -> source_link -> merge_decision, each on delete cascade.
--
-- phone keeps its two references: a phone is written with its link by every sync, but the schema has allowed a phone
-- without one since V2, and such a phone is still checked against its worker.

create unique index source_link_id_worker on source_link (id, health_worker_id);
-- (health_worker_id) is the prefix of source_link_worker_registry (health_worker_id, registry): one index serves both
drop index source_link_worker;

alter table merge_decision
    drop constraint merge_decision_health_worker_id_fkey,
    drop constraint merge_decision_source_link_id_fkey,
    add constraint merge_decision_source_link_worker_fkey foreign key (source_link_id, health_worker_id)
        references source_link (id, health_worker_id) on delete cascade;
