-- Areas, households, groups, sign-ups and contact persons.
-- Every row carries its kommun: the authorisation scope and the index prefix.
-- Geometry is WKB in SWEREF 99 TM (EPSG:3006) plus a GiST-indexed core box, so any PostgreSQL
-- works (no PostGIS); exact spatial tests run in shapely.

create table area (
    id bigint generated always as identity primary key,
    kommun text not null references kommun (code),
    name text not null check (length(name) between 1 and 200),
    kind text not null default 'blandat'
        check (kind in ('villa', 'radhus', 'flerbostadshus', 'by', 'fritidshus', 'blandat')),
    external_ref text check (length(external_ref) between 1 and 200),
    geom_wkb bytea not null,
    bbox box not null,
    area_m2 double precision not null check (area_m2 > 0),
    -- a point inside the area (SWEREF 99 TM metres), used by distance-based ranking
    point_x double precision not null,
    point_y double precision not null,
    -- kept by the statement triggers on household below; read on the eligibility hot path
    households_total integer not null default 0 check (households_total >= 0),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint area_external_ref_unique unique (kommun, external_ref)
);
create index area_kommun on area (kommun, id);
create index area_bbox on area using gist (bbox);

create table household (
    -- a sequence cache spares a bulk import a sequence update per row
    id bigint generated always as identity (cache 1000) primary key,
    -- kommun and area_id are checked per statement by the triggers below, not by row-level
    -- foreign keys: a 1,000,000-row import then costs two hash joins instead of two million
    -- index probes.
    -- Codes compare byte by byte (collation "C"): cheaper for the unique index a 1,000,000-row
    -- import maintains, and identifiers have no natural-language order anyway.
    kommun text collate "C" not null check (kommun ~ '^[0-9]{4}$'),
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
    constraint household_external_ref_unique unique (kommun, external_ref),
    check ((x is null) = (y is null))
);
-- (kommun, external_ref) also serves scans by kommun.
create index household_area on household (area_id);

create table watch_group (
    id bigint generated always as identity primary key,
    kommun text not null references kommun (code),
    area_id bigint not null references area (id),
    kind text not null check (kind in ('grannsamverkan', 'byavakt')),
    name text not null check (length(name) between 1 and 200),
    status text not null default 'forming' check (status in ('forming', 'active', 'dissolved')),
    established_on date,
    dissolved_on date,
    -- registered after the fact (a group from before the registry): never counts as new
    registered_as_existing boolean not null default false,
    -- kept by the statement triggers on signup below; read on the eligibility hot path
    households_signed_up integer not null default 0 check (households_signed_up >= 0),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (status = 'forming' or established_on is not null or dissolved_on is not null),
    check (status <> 'dissolved' or dissolved_on is not null),
    check (dissolved_on is null or established_on is null or dissolved_on >= established_on)
);
-- At most one group that is not dissolved per area.
create unique index watch_group_one_live_per_area on watch_group (area_id) where status <> 'dissolved';
create index watch_group_kommun on watch_group (kommun, id);

create table signup (
    group_id bigint not null references watch_group (id) on delete cascade,
    household_id bigint not null references household (id) on delete cascade,
    kommun text not null references kommun (code),
    signed_up_at timestamptz not null default now(),
    constraint signup_pkey primary key (group_id, household_id)
);
create index signup_household on signup (household_id);

create table contact_person (
    id bigint generated always as identity primary key,
    group_id bigint not null,
    household_id bigint not null,
    kommun text not null references kommun (code),
    name text not null check (length(name) between 1 and 200),
    phone text,
    email text,
    consent_at timestamptz not null,
    created_at timestamptz not null default now(),
    -- the contact person's household must be signed up; withdrawing the sign-up removes them
    constraint contact_person_signup_fkey foreign key (group_id, household_id)
        references signup (group_id, household_id) on delete cascade
);
create index contact_person_group on contact_person (group_id);

-- Counters kept by statement-level triggers with transition tables: one statement per bulk
-- import, no per-row cost, and the row lock on the counted row serialises concurrent writers.

-- The references of new or changed households, checked for the whole statement at once.
create function household_check_references() returns trigger language plpgsql as $$
begin
    -- Distinct values first: a million new rows name a handful of kommuner and areas.
    if exists (
        select 1 from (select distinct kommun from new_rows) n
        where not exists (select 1 from kommun k where k.code = n.kommun)
    ) then
        raise exception 'a household refers to an unknown kommun'
            using errcode = 'foreign_key_violation', constraint = 'household_kommun_fkey';
    end if;
    if exists (
        select 1 from (select distinct kommun, area_id from new_rows where area_id is not null) n
        where not exists (select 1 from area a where a.id = n.area_id and a.kommun = n.kommun)
    ) then
        raise exception 'a household refers to an area that does not exist in its kommun'
            using errcode = 'foreign_key_violation', constraint = 'household_area_fkey';
    end if;
    return null;
end $$;

create function household_counts_after_insert() returns trigger language plpgsql as $$
begin
    update area a set households_total = a.households_total + n.c
    from (select area_id, count(*) as c from new_rows where area_id is not null group by area_id) n
    where a.id = n.area_id;
    return null;
end $$;

create function household_counts_after_delete() returns trigger language plpgsql as $$
begin
    update area a set households_total = a.households_total - o.c
    from (select area_id, count(*) as c from old_rows where area_id is not null group by area_id) o
    where a.id = o.area_id;
    return null;
end $$;

create function household_counts_after_update() returns trigger language plpgsql as $$
begin
    update area a set households_total = a.households_total + d.c
    from (
        select area_id, sum(c) as c from (
            select n.area_id, 1 as c from new_rows n join old_rows o using (id)
            where n.area_id is distinct from o.area_id and n.area_id is not null
            union all
            select o.area_id, -1 from new_rows n join old_rows o using (id)
            where n.area_id is distinct from o.area_id and o.area_id is not null
        ) moves group by area_id
    ) d
    where a.id = d.area_id and d.c <> 0;
    -- A household that left its area no longer lies in the area of the groups it signed up for.
    delete from signup s
    using new_rows n, old_rows o, watch_group g
    where n.id = o.id and n.area_id is distinct from o.area_id
      and s.household_id = n.id and g.id = s.group_id and g.area_id is distinct from n.area_id;
    return null;
end $$;

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

-- What a foreign key "on delete set null" would do, for the whole statement.
create function area_release_households() returns trigger language plpgsql as $$
begin
    update household h set area_id = null, updated_at = now()
    from old_rows o where h.area_id = o.id;
    return null;
end $$;

create trigger area_release_households after delete on area
    referencing old table as old_rows for each statement execute function area_release_households();

create function signup_counts_after_insert() returns trigger language plpgsql as $$
begin
    update watch_group g set households_signed_up = g.households_signed_up + n.c
    from (select group_id, count(*) as c from new_rows group by group_id) n
    where g.id = n.group_id;
    return null;
end $$;

create function signup_counts_after_delete() returns trigger language plpgsql as $$
begin
    update watch_group g set households_signed_up = g.households_signed_up - o.c
    from (select group_id, count(*) as c from old_rows group by group_id) o
    where g.id = o.group_id;
    return null;
end $$;

create trigger signup_counts_insert after insert on signup
    referencing new table as new_rows for each statement execute function signup_counts_after_insert();
create trigger signup_counts_delete after delete on signup
    referencing old table as old_rows for each statement execute function signup_counts_after_delete();
