-- Sign-ins on the web pages: the browser's cookie holds a random session id, not the API token,
-- so signing out ends the session on the server and a cookie is never a bearer token.

create table web_session (
    id bigint generated always as identity primary key,
    -- sha256 of the session id; the id itself lives only in the browser's cookie.
    session_hash bytea not null unique,
    token_id bigint not null references api_token (id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
);

create index web_session_token on web_session (token_id);
create index web_session_expires on web_session (expires_at);
