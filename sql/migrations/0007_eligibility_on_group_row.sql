-- Everything the eligibility read needs on the group's own row, so the hot path is one
-- primary-key lookup, like the bare baseline it is measured against (benchmarks/README.md, "Hot
-- path"): the area's household total and the number of contact persons, next to the sign-up
-- counter that is already there. Joining the area and probing contact_person cost PostgreSQL
-- about 17-30 µs of CPU per request, a tenth of the whole request.
--
-- Lock order, the same on every path: area row, then group row. Household writes update the area
-- total (0003's statement triggers, or the first bulk load) and then, by the trigger below, the
-- groups of that area. A new group locks its area's row (FOR SHARE) before reading the total, so
-- it waits for a household write in flight and never copies a total that is about to change.
-- Sign-ups and contact persons lock only the group row. Establishing reads the copies from the
-- group row it locks, so it is never decided on a stale count.

alter table watch_group
    add column households_total integer not null default 0 check (households_total >= 0),
    add column contact_persons integer not null default 0 check (contact_persons >= 0);

update watch_group g set
    households_total = a.households_total,
    contact_persons = (select count(*) from contact_person c where c.group_id = g.id)
from area a where a.id = g.area_id;

-- Groups of an area, dissolved ones too (their eligibility answer shows the total as well).
create index watch_group_area on watch_group (area_id);

create function area_total_to_groups() returns trigger language plpgsql as $$
begin
    update watch_group set households_total = new.households_total
    where area_id = new.id and households_total <> new.households_total;
    return null;
end $$;
create trigger area_total_to_groups after update of households_total on area
    for each row when (old.households_total is distinct from new.households_total)
    execute function area_total_to_groups();

create function watch_group_total_from_area() returns trigger language plpgsql as $$
begin
    -- FOR SHARE: waits for a household write that holds the area row, then reads its total.
    select households_total into new.households_total from area where id = new.area_id for share;
    return new;
end $$;
create trigger watch_group_total_from_area before insert or update of area_id on watch_group
    for each row execute function watch_group_total_from_area();

create function contact_person_counts() returns trigger language plpgsql as $$
begin
    if tg_op in ('INSERT', 'UPDATE') then
        update watch_group g set contact_persons = g.contact_persons + n.c
        from (select group_id, count(*) as c from new_rows group by group_id) n where g.id = n.group_id;
    end if;
    if tg_op in ('DELETE', 'UPDATE') then
        update watch_group g set contact_persons = g.contact_persons - o.c
        from (select group_id, count(*) as c from old_rows group by group_id) o where g.id = o.group_id;
    end if;
    return null;
end $$;
create trigger contact_person_counts_insert after insert on contact_person
    referencing new table as new_rows for each statement execute function contact_person_counts();
create trigger contact_person_counts_delete after delete on contact_person
    referencing old table as old_rows for each statement execute function contact_person_counts();
-- (a trigger with transition tables cannot name columns: every update of a contact person counts
-- its old row out and its new row in, which nets to nothing unless the group changed)
create trigger contact_person_counts_update after update on contact_person
    referencing old table as old_rows new table as new_rows for each statement execute function contact_person_counts();
