-- Why a health worker's contact was not pushed to RapidPro (e.g. a number shared with another worker: pushing it
-- would overwrite the other worker's contact), shown to operators; cleared when the push succeeds.
alter table rapidpro_contact add column skip_reason text;
