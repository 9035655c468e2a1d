-- Source links written before V2 have no stored record (source_link.data), so a golden record merged with another
-- registry would be computed without them. Make the next sync of each source read everything again and store it:
-- the content hash no longer matches, and the watermarks start over. Nothing else changes; only these links are
-- rewritten (RapidPro links pre-created for known contacts get their record on the same page, and are left alone).
update source_link set content_hash = '' where data is null and content_hash <> '';
delete from sync_watermark where exists (select 1 from source_link where data is null and registry <> 'rapidpro');
