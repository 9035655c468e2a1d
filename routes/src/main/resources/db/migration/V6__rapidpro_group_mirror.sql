-- What mHero has put into each mirrored RapidPro group: the difference to contact_group_member is what the next
-- mirror adds or removes (contact_actions, at most 100 contacts per call).
create table rapidpro_group_member (
    group_id     bigint not null references contact_group(id) on delete cascade,
    contact_uuid text   not null,
    primary key (group_id, contact_uuid)
);
