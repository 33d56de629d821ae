-- Reference data, API tokens and the audit trail.

create table kommun (
    code text primary key check (code ~ '^[0-9]{4}$'),
    name text not null,
    lan_code text not null check (lan_code ~ '^[0-9]{2}$'),
    check (left(code, 2) = lan_code)
);

create table api_token (
    id bigint generated always as identity primary key,
    name text not null unique,
    role text not null check (role in ('admin', 'coordinator', 'police')),
    kommuner text[] not null default '{}',
    -- sha256 of the token; the token itself is shown once and never stored.
    token_hash bytea not null unique,
    created_at timestamptz not null default now(),
    revoked_at timestamptz,
    check (role = 'admin' or cardinality(kommuner) > 0)
);

create table audit_event (
    id bigint generated always as identity primary key,
    occurred_at timestamptz not null default now(),
    actor text not null,
    kommun text references kommun (code),
    table_name text not null,
    row_id bigint,
    action text not null check (action in ('insert', 'update', 'delete', 'import', 'erase')),
    before jsonb,
    after jsonb,
    -- set when personal data in before/after was erased; the fact of the change stays.
    erased_at timestamptz
);

create index audit_event_kommun_id on audit_event (kommun, id);
create index audit_event_row on audit_event (table_name, row_id);
