-- Guards for personal data and for kommun isolation (issue 13, items 2, 3, 6 and 13).
--
-- * Burglary references are unique per kommun and source, no longer across all kommuner: one
--   kommun's import can neither learn nor block another kommun's references.
-- * One contact person per household and group.
-- * A household that leaves its area no longer takes its contact person with it in silence: the
--   trigger that withdraws the sign-ups of a household that moved refuses when one of them holds a
--   contact person. The application erases such contact persons explicitly (and audited) first,
--   when the caller confirms it, or answers 409 naming them; this is the last line for any path
--   that forgets. The message names ids only: it reaches the server log.

alter table burglary drop constraint burglary_source_ref_unique;
alter table burglary add constraint burglary_kommun_source_ref_unique unique (kommun, source, external_ref);

do $$
begin
    if exists (select 1 from contact_person group by group_id, household_id having count(*) > 1) then
        raise exception 'some households have more than one contact person in the same group; '
            'erase the extra ones (DELETE /api/v1/groups/{id}/contacts/{contact_id}) and migrate again';
    end if;
end $$;
alter table contact_person
    add constraint contact_person_household_unique unique (group_id, household_id);

create or replace function household_counts_after_update() returns trigger language plpgsql as $$
declare
    held record;
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
    -- A contact person is personal data: it is erased explicitly, never as a side effect.
    select c.id, c.household_id, c.group_id into held
    from new_rows n join old_rows o using (id)
    join contact_person c on c.household_id = n.id
    join watch_group g on g.id = c.group_id
    where n.area_id is distinct from o.area_id and g.area_id is distinct from n.area_id
    limit 1;
    if found then
        raise exception 'household % leaves the area of group %, where it holds contact person %',
            held.household_id, held.group_id, held.id
            using errcode = 'restrict_violation', constraint = 'contact_person_household_left_area';
    end if;
    -- A household that left its area no longer lies in the area of the groups it signed up for.
    delete from signup s
    using new_rows n, old_rows o, watch_group g
    where n.id = o.id and n.area_id is distinct from o.area_id
      and s.household_id = n.id and g.id = s.group_id and g.area_id is distinct from n.area_id;
    return null;
end $$;

-- No planner statistics on columns that hold personal data: ANALYZE would otherwise copy sample
-- values (most common values, histogram bounds) into pg_statistic, where an erasure cannot reach
-- them. The queries on these columns use unique indexes or none, so the plans do not change.
alter table household
    alter column street set statistics 0, alter column postcode set statistics 0,
    alter column city set statistics 0, alter column external_ref set statistics 0,
    alter column x set statistics 0, alter column y set statistics 0;
alter table contact_person
    alter column name set statistics 0, alter column phone set statistics 0, alter column email set statistics 0;
alter table audit_event alter column before set statistics 0, alter column after set statistics 0;

-- A kommun's own partition (0006) gets the same: LIKE does not copy a column's statistics target.
create or replace function household_partition_create(code text) returns void language plpgsql as $$
declare
    name text := household_partition_name(code);
begin
    execute format('create table %I (like household including defaults including constraints, '
                   'constraint %I check (kommun = %L))', name, name || '_kommun', code);
    execute format('alter table %I alter column kommun set default %L', name, code);
    execute format('alter table %I alter column street set statistics 0, alter column postcode set statistics 0, '
                   'alter column city set statistics 0, alter column external_ref set statistics 0, '
                   'alter column x set statistics 0, alter column y set statistics 0', name);
end $$;
