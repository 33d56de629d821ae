-- Burglary incidents, for ranking priority areas. No personal data.

create table burglary (
    id bigint generated always as identity primary key,
    kommun text not null references kommun (code),
    source text not null check (length(source) between 1 and 100),
    external_ref text not null check (length(external_ref) between 1 and 200),
    occurred_from timestamptz not null,
    occurred_to timestamptz not null,
    category text not null default 'ovrigt'
        check (category in ('villa', 'lagenhet', 'fritidshus', 'forrad', 'ovrigt')),
    x double precision,
    y double precision,
    area_id bigint references area (id) on delete set null,
    created_at timestamptz not null default now(),
    constraint burglary_source_ref_unique unique (source, external_ref),
    check (occurred_to >= occurred_from),
    check ((x is null) = (y is null))
);
create index burglary_kommun_time on burglary (kommun, occurred_to);
create index burglary_area on burglary (area_id);
