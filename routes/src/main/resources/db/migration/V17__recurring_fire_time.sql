-- Recurring broadcasts (issue 5): an occurrence records the fire time it was made for, and one fire time of a recurring
-- broadcast makes at most one occurrence, whatever the nodes and their clocks do (the schedule also computes the next
-- fire time from the database's clock, never a node's).
alter table broadcast add column fire_at timestamptz;  -- an occurrence: the fire time of its parent it belongs to
create unique index broadcast_occurrence on broadcast (parent_id, fire_at) where parent_id is not null and fire_at is not null;
