-- A trygghetsvandring's points are place reports (source 'trygghetsvandring'): one workflow for a
-- dark path found on a walk and one reported by a citizen. The walk point keeps the protocol as
-- written (place, problem, action, responsible, deadline, position); its status is the report's
-- (the column `walk_point.status` goes, the protocol reads the report's status).
--
-- Existing points get their report here. The kommun made them, so they are published at once
-- (at the blurred position, as services/places.publish does: the centre of the smallest of the
-- 100, 200, 500 and 1000 m cells holding at least five households), with no reporter contact and
-- no personal-data hold. A point without a position gets a report described in words
-- (`place_text`), left for review: the coordinator places the pin and publishes it (a published
-- report needs a position). The category is 'annat' (the problem text is free); the responsible
-- text becomes the closest allowed value (as domain.places.responsible_from_text), or 'annan'
-- with the text kept in the status note. Area: none (the exact polygon test is shapely's, at
-- logging time).

alter table walk_point add column place_report_id bigint references place_report (id);

do $$
declare
    wp record;
    report_id bigint;
    who text;
    note text;
    cell integer;
    new_status text;
begin
    for wp in select * from walk_point order by id loop
        who := case
            when wp.responsible = '' then null
            when lower(wp.responsible) ~ 'trafikverket' then 'trafikverket'
            when lower(wp.responsible) ~ 'polis' then 'polis'
            when lower(wp.responsible) ~ 'fastighet|bostad|bostäder|hyresvärd' then 'fastighetsagare'
            when lower(wp.responsible) ~ 'kommun|förvaltning|gatu|teknisk|park' then 'kommun'
            else 'annan'
        end;
        note := case when who = 'annan' then 'Ansvarig enligt trygghetsvandringen: ' || wp.responsible end;
        new_status := case wp.status when 'pagar' then 'in_progress' when 'atgardad' then 'fixed' else 'open' end;
        cell := null;
        if wp.point_x is not null then
            select c.size into cell
            from unnest(array[100, 200, 500, 1000]) as c (size)
            where (
                select count(*) from household h
                where h.kommun = wp.kommun
                  and h.x >= floor(wp.point_x / c.size) * c.size and h.x < floor(wp.point_x / c.size) * c.size + c.size
                  and h.y >= floor(wp.point_y / c.size) * c.size and h.y < floor(wp.point_y / c.size) * c.size + c.size
            ) >= 5
            order by c.size
            limit 1;
        end if;
        insert into place_report (
            kommun, category, what, would_help, place_text, x, y, public_x, public_y, public_cell,
            review, personal_data, status, status_note, responsible, source,
            created_at, updated_at, published_at, handled_at
        )
        values (
            wp.kommun, 'annat', wp.problem, nullif(wp.action, ''), wp.place, wp.point_x, wp.point_y,
            floor(wp.point_x / cell) * cell + cell / 2.0, floor(wp.point_y / cell) * cell + cell / 2.0, cell,
            case when wp.point_x is null then 'pending' else 'published' end, '{}', new_status, note, who,
            'trygghetsvandring',
            wp.created_at, wp.updated_at, case when wp.point_x is not null then wp.created_at end,
            case when new_status = 'fixed' then wp.updated_at end
        )
        returning id into report_id;
        if new_status <> 'open' then
            insert into place_status_change (report_id, kommun, from_status, to_status, note, responsible, actor, changed_at)
            values (report_id, wp.kommun, 'open', new_status, note, who, 'trygghetsvandring (protokoll)', wp.updated_at);
        end if;
        update walk_point set place_report_id = report_id where id = wp.id;
    end loop;
end;
$$;

alter table walk_point alter column place_report_id set not null;
alter table walk_point add constraint walk_point_one_report unique (place_report_id);
-- The report holds the status from now on (the index on (kommun, status) goes with the column).
alter table walk_point drop column status;
create index walk_point_kommun on walk_point (kommun);
