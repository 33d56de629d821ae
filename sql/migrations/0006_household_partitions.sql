-- Households partitioned by kommun, so that a kommun's first bulk import can load a fresh table
-- without indexes, build them sorted in one pass and attach the table: about a third of the cost
-- of maintaining three indexes row by row (benchmarks/README.md, "Household import").
--
-- * A kommun gets its own partition at its first bulk import (db/households.py); until then its
--   households live in the default partition `household_other`.
-- * Keys include the kommun (a partitioned table's unique keys must hold the partition key): the
--   primary key is (id, kommun) and sign-ups refer to (kommun, household_id), which also makes
--   "a sign-up's household is in the sign-up's kommun" a database rule. The kommun comes last in
--   the keys: within a partition it is one value, and first it would make every comparison of
--   an index build compare it in full (sorting (kommun, external_ref) took twice as long).
-- * `id` still comes from one sequence, so it stays unique across kommuner.
-- * Partition constraints are named `<partition>_<rule>`; db/pool.py maps them back to the rule.
-- * The kommun code's format check is gone: the references trigger (0003) checks every code
--   against the kommun table, and a regular expression per row is a measurable part of a load.

create temp table household_before on commit drop as select * from household;
drop table household cascade;  -- also drops signup's foreign key, re-made below

create sequence household_id_seq cache 1000;  -- a bulk import takes 1,000 ids per round trip

create table household (
    id bigint not null default nextval('household_id_seq'),
    -- kommun and area_id are checked per statement by triggers (0003), not by row-level foreign
    -- keys: a 1,000,000-row import then costs two hash joins instead of two million index probes.
    -- (kommun codes are checked against the kommun table by the references trigger)
    kommun text collate "C" not null,
    external_ref text collate "C" check (length(external_ref) between 1 and 200),
    street text,
    postcode text,
    city text,
    -- location in SWEREF 99 TM metres; both or neither
    x double precision,
    y double precision,
    area_id bigint,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((x is null) = (y is null))
) partition by list (kommun);
alter sequence household_id_seq owned by household.id;

create table household_other (
    like household including defaults including constraints,
    constraint household_other_pkey primary key (id, kommun),
    constraint household_other_external_ref_unique unique (external_ref, kommun)
);
create index household_other_area on household_other (area_id) where area_id is not null;

-- The parent's keys; the partition's matching indexes are attached to them, not built again.
alter table household add constraint household_pkey primary key (id, kommun);
alter table household add constraint household_external_ref_unique unique (external_ref, kommun);
create index household_area on household (area_id) where area_id is not null;
alter table household attach partition household_other default;

insert into household (id, kommun, external_ref, street, postcode, city, x, y, area_id, created_at, updated_at)
select id, kommun, external_ref, street, postcode, city, x, y, area_id, created_at, updated_at
from household_before;
select setval('household_id_seq', greatest((select max(id) from household_before), 0) + 1, false);

alter table signup add constraint signup_household_fkey
    foreign key (kommun, household_id) references household (kommun, id) on delete cascade;

create trigger household_references_insert after insert on household
    referencing new table as new_rows for each statement execute function household_check_references();
create trigger household_references_update after update on household
    referencing new table as new_rows for each statement execute function household_check_references();
create trigger household_counts_insert after insert on household
    referencing new table as new_rows for each statement execute function household_counts_after_insert();
create trigger household_counts_delete after delete on household
    referencing old table as old_rows for each statement execute function household_counts_after_delete();
create trigger household_counts_update after update on household
    referencing old table as old_rows new table as new_rows
    for each statement execute function household_counts_after_update();

-- A kommun's own partition, made by its first bulk import (db/households.py) while it has no
-- households: load a table without indexes, then build each index once, sorted, and attach.
create function household_partition_name(code text) returns text language sql immutable as $$
    select 'household_k' || code
$$;

-- The table to load: the parent's columns, defaults and checks, the kommun as default (COPY need
-- not send it), and the partition rule as a check, so that attaching does not scan the table.
create function household_partition_create(code text) returns void language plpgsql as $$
declare
    name text := household_partition_name(code);
begin
    execute format('create table %I (like household including defaults including constraints, '
                   'constraint %I check (kommun = %L))', name, name || '_kommun', code);
    execute format('alter table %I alter column kommun set default %L', name, code);
end $$;

-- The parent's keys, built on the loaded table (attaching adopts them), then attached.
create function household_partition_attach(code text) returns void language plpgsql as $$
declare
    name text := household_partition_name(code);
begin
    execute format('alter table %I add constraint %I primary key (id, kommun)', name, name || '_pkey');
    execute format('alter table %I add constraint %I unique (external_ref, kommun)', name, name || '_external_ref_unique');
    execute format('create index %I on %I (area_id) where area_id is not null', name || '_area', name);
    execute format('alter table household attach partition %I for values in (%L)', name, code);
end $$;
