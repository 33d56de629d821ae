-- The e-service for unsafe (and safe) physical places: reports, supporters ("jag tycker också"),
-- contact details kept apart and erased, status history, the mail outbox and Open311 api keys.
-- Positions are SWEREF 99 TM metres (EPSG:3006). The exact point is for the kommun's
-- coordinators; the public sees the blurred position (public_x, public_y) set on publishing.

create table place_report (
    id bigint generated always as identity primary key,
    kommun text not null references kommun (code),
    category text not null
        check (category in ('belysning', 'vaxtlighet', 'skadegorelse', 'nedskrapning', 'odslig', 'trafik', 'annat')),
    time_of_day text not null default 'morker' check (time_of_day in ('dag', 'kvall', 'natt', 'morker')),
    feeling text not null default 'otrygg' check (feeling in ('otrygg', 'trygg')),
    what text not null check (length(what) between 1 and 4000),
    would_help text check (length(would_help) between 1 and 4000),
    -- where, in words, for people who cannot use the map; the coordinator places the pin then
    place_text text check (length(place_text) between 1 and 300),
    x double precision,
    y double precision,
    area_id bigint references area (id) on delete set null,
    -- the blurred position and its grid cell (m); null until published, or when no cell has enough
    -- households around it
    public_x double precision,
    public_y double precision,
    public_cell integer,
    review text not null default 'pending' check (review in ('pending', 'published', 'rejected')),
    reject_reason text check (length(reject_reason) between 1 and 1000),
    -- kinds of personal data the text seemed to hold when it came in (held for the reviewer)
    personal_data text[] not null default '{}',
    status text not null default 'open'
        check (status in ('open', 'in_progress', 'action_scheduled', 'fixed', 'not_kommun_responsible', 'duplicate', 'closed')),
    status_note text check (length(status_note) between 1 and 4000),
    responsible text check (responsible in ('kommun', 'fastighetsagare', 'trafikverket', 'polis', 'annan')),
    duplicate_of bigint references place_report (id),
    source text not null check (source in ('medborgare', 'trygghetsvandring', 'open311')),
    -- the partner app (Open311 api key name) that sent it
    source_client text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    published_at timestamptz,
    -- when the report reached a handled status (fixed, not_kommun_responsible, duplicate, closed)
    handled_at timestamptz,
    check ((x is null) = (y is null)),
    check (x is not null or place_text is not null),
    check ((public_x is null) = (public_y is null)),
    check (review <> 'published' or x is not null),
    check (review <> 'rejected' or reject_reason is not null),
    check ((status = 'duplicate') = (duplicate_of is not null))
);
create index place_report_kommun on place_report (kommun, id);
create index place_report_near on place_report (kommun, category, x, y);
create index place_report_area on place_report (area_id);

-- "Jag tycker också": one row per distinct reporter and place (the reporter of the report is the
-- first). reporter_key is a sha256 of an anonymous key (the browser's random cookie, an Open311
-- device id or the partner's name); nothing in it identifies a person.
create table place_supporter (
    report_id bigint not null references place_report (id) on delete cascade,
    kommun text not null references kommun (code),
    reporter_key bytea not null,
    created_at timestamptz not null default now(),
    primary key (report_id, reporter_key)
);

-- Contact details live apart from the report and are erased when it is closed, merged away, or
-- older than the retention period (`grannsamverkan places erase-expired`).
create table place_contact (
    id bigint generated always as identity primary key,
    report_id bigint not null references place_report (id) on delete cascade,
    kommun text not null references kommun (code),
    email text not null check (length(email) between 3 and 254),
    created_at timestamptz not null default now()
);
create index place_contact_report on place_contact (report_id);
create index place_contact_created on place_contact (created_at);

create table place_status_change (
    id bigint generated always as identity primary key,
    report_id bigint not null references place_report (id) on delete cascade,
    kommun text not null references kommun (code),
    from_status text,
    to_status text not null,
    note text,
    responsible text,
    actor text not null,
    changed_at timestamptz not null default now()
);
create index place_status_change_report on place_status_change (report_id, id);

-- Mail waiting for delivery, written in the same transaction as the change it tells of. A row is
-- deleted once delivered (or given up), so no address stays behind.
create table mail_outbox (
    id bigint generated always as identity primary key,
    kommun text not null references kommun (code),
    report_id bigint references place_report (id) on delete set null,
    recipient text not null,
    subject text not null,
    body text not null,
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    created_at timestamptz not null default now()
);
create index mail_outbox_due on mail_outbox (next_attempt_at);

-- Api keys of partner apps posting through Open311 (made on the command line; only a hash kept).
create table open311_client (
    id bigint generated always as identity primary key,
    name text not null unique check (length(name) between 1 and 200),
    kommuner text[] not null check (cardinality(kommuner) > 0),
    key_hash bytea not null unique,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
);
