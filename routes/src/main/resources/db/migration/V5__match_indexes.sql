-- Matching compares identifiers case-insensitively: index what it compares.
create index health_worker_national_id_lower on health_worker (lower(national_id)) where national_id is not null;
create index health_worker_employee_number_lower on health_worker (lower(employee_number)) where employee_number is not null;
create index source_link_worker_registry on source_link (health_worker_id, registry);
