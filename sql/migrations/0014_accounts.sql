-- Personal accounts for the web pages: a name and an argon2id password hash, with the same role
-- and kommun scope as an API token. A web session belongs to either an account (signing in with
-- name and password) or, as before, an API token (signing in by pasting one).

create table account (
    id bigint generated always as identity primary key,
    -- an e-mail address or a short name, as it was written
    name text not null check (name = btrim(name) and length(name) between 2 and 254),
    -- the name as signing in compares it (NFKC, case-folded in Python: PostgreSQL's lower() folds
    -- only ASCII under the C locale, so 'Åsa' and 'åsa' would be two accounts)
    name_key text not null constraint account_name_key unique,
    role text not null check (role in ('admin', 'coordinator', 'police')),
    kommuner text[] not null default '{}',
    -- argon2id in its PHC string form ($argon2id$v=19$m=...,t=...,p=...$salt$hash); never the password
    password_hash text not null check (password_hash like '$argon2%'),
    created_at timestamptz not null default now(),
    password_changed_at timestamptz not null default now(),
    disabled_at timestamptz,
    check (role = 'admin' or cardinality(kommuner) > 0)
);

alter table web_session alter column token_id drop not null;
alter table web_session add column account_id bigint references account (id) on delete cascade;
alter table web_session add constraint web_session_one_owner check (num_nonnulls(token_id, account_id) = 1);

create index web_session_account on web_session (account_id) where account_id is not null;
