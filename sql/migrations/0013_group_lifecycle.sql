-- A group's life after it is established (issue 19): staged approval, yearly renewal and lapse,
-- contact coverage, declined households, signs, near-repeat alerts and contact persons' consent.

-- Statuses: forming (collecting sign-ups, as before) and the staged approval proposed → reviewed
-- (the kommun's coordinator) → approved (the police) before active; lapsed (not renewed, or no
-- contact person) may become active again without counting as new.
alter table watch_group drop constraint watch_group_status_check;
alter table watch_group add constraint watch_group_status_check
    check (status in ('forming', 'proposed', 'reviewed', 'approved', 'active', 'lapsed', 'dissolved'));
do $$
declare c record;
begin
    -- the unnamed check "status = 'forming' or established_on is not null or dissolved_on is not null"
    for c in select conname from pg_constraint
             where conrelid = 'watch_group'::regclass and contype = 'c'
               and pg_get_constraintdef(oid) like '%forming%established_on IS NOT NULL%' loop
        execute format('alter table watch_group drop constraint %I', c.conname);
    end loop;
end $$;
alter table watch_group add constraint watch_group_dates_by_status
    check (status in ('forming', 'proposed', 'reviewed', 'approved')
           or established_on is not null or dissolved_on is not null);
alter table watch_group add column lapsed_on date;

-- Per-kommun rules of a group's life; a kommun without a row has the defaults below
-- (domain/lifecycle.py holds the same defaults).
create table kommun_lifecycle (
    kommun text primary key references kommun (code),
    households_per_contact integer not null default 15 check (households_per_contact between 1 and 1000),
    renewal_month smallint not null default 3 check (renewal_month between 1 and 12),
    renewal_day smallint not null default 31 check (renewal_day between 1 and 31),
    grace_days integer not null default 60 check (grace_days between 0 and 366),
    approval_required boolean not null default false,
    updated_at timestamptz not null default now()
);

-- Each step of a group's life: who (the token's name and role) and when.
create table group_step (
    id bigint generated always as identity primary key,
    group_id bigint not null references watch_group (id) on delete cascade,
    kommun text not null references kommun (code),
    step text not null check (step in ('propose', 'review', 'approve', 'establish', 'lapse', 'reactivate', 'dissolve', 'renew')),
    from_status text not null,
    to_status text not null,
    on_date date not null,
    actor_name text not null,
    actor_role text not null,
    note text not null default '' check (length(note) <= 2000),
    at timestamptz not null default now()
);
create index group_step_group on group_step (group_id, id);

-- Contact persons: their role, and the date they last confirmed (renewal).
alter table contact_person
    add column role text not null default 'kontaktombud' check (role in ('kontaktombud', 'huvudkontaktombud'));

-- The yearly confirmation of a group's contact persons.
create table group_renewal (
    id bigint generated always as identity primary key,
    group_id bigint not null references watch_group (id) on delete cascade,
    kommun text not null references kommun (code),
    renewed_on date not null,
    contact_persons integer not null check (contact_persons >= 0),
    actor_name text not null,
    at timestamptz not null default now()
);
create index group_renewal_group on group_renewal (group_id, renewed_on);

-- Households that said no: the date only, nothing personal; gone when the household signs up.
create table household_declined (
    group_id bigint not null references watch_group (id) on delete cascade,
    household_id bigint not null,
    kommun text not null references kommun (code),
    declined_on date not null,
    constraint household_declined_pkey primary key (group_id, household_id),
    constraint household_declined_household_fkey foreign key (kommun, household_id)
        references household (kommun, id) on delete cascade
);
create index household_declined_household on household_declined (household_id);

create function signup_clears_declined() returns trigger language plpgsql as $$
begin
    delete from household_declined d using new_rows n
    where d.group_id = n.group_id and d.household_id = n.household_id;
    return null;
end $$;
create trigger signup_clears_declined after insert on signup
    referencing new table as new_rows for each statement execute function signup_clears_declined();

-- Signs and material: a ledger per group (ordered, delivered, placed at a point, taken down).
create table group_sign (
    id bigint generated always as identity primary key,
    group_id bigint not null references watch_group (id) on delete cascade,
    kommun text not null references kommun (code),
    label text not null default '' check (length(label) <= 200),
    ordered_on date,
    delivered_on date,
    placed_on date,
    taken_down_on date,
    -- where it hangs, SWEREF 99 TM metres; both or neither
    x double precision,
    y double precision,
    place text not null default '' check (length(place) <= 200),
    created_at timestamptz not null default now(),
    check ((x is null) = (y is null))
);
create index group_sign_group on group_sign (group_id, id);

-- Near-repeat alerts: one per incident and group, whatever runs the check again.
create table near_repeat_alert (
    burglary_id bigint not null references burglary (id) on delete cascade,
    group_id bigint not null references watch_group (id) on delete cascade,
    kommun text not null references kommun (code),
    distance_m double precision not null,
    recipients integer not null,
    at timestamptz not null default now(),
    constraint near_repeat_alert_pkey primary key (burglary_id, group_id)
);
create index near_repeat_alert_group on near_repeat_alert (group_id);
