-- Yearly goals per kommun and the information meetings they count.

create table goal (
    kommun text not null references kommun (code),
    year integer not null check (year between 2000 and 2100),
    target_new_groups integer not null check (target_new_groups >= 0),
    target_info_meetings integer check (target_info_meetings >= 0),
    updated_at timestamptz not null default now(),
    constraint goal_pkey primary key (kommun, year)
);

create table info_meeting (
    id bigint generated always as identity primary key,
    kommun text not null references kommun (code),
    held_on date not null,
    locality text not null check (length(locality) between 1 and 200),
    topic text not null check (topic in ('grannsamverkan', 'byavakt')),
    attendees integer not null default 0 check (attendees >= 0),
    created_at timestamptz not null default now()
);
create index info_meeting_kommun_date on info_meeting (kommun, held_on);
