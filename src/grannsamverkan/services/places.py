"""Use cases of the e-service for unsafe places, shared by the public page, the API, Open311 and the CLI.

Each checks the domain rule, opens the transaction, calls ``db/places.py`` and writes the audit
event. Contact addresses go into ``place_contact`` and the outbox, never into the audit trail or an
answer; they are erased when the report is closed or rejected, and after RETENTION_DAYS.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import asyncpg
import msgspec
import shapely

from grannsamverkan import messages
from grannsamverkan.db import audit, kommuner, outbox
from grannsamverkan.db import places as db
from grannsamverkan.db.places import PlaceFilter, PlaceRecord
from grannsamverkan.domain import places as rules
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.calendar import STOCKHOLM, check_days
from grannsamverkan.errors import Conflict, FieldError, InvalidInput, NotFound
from grannsamverkan.geo import boundaries
from grannsamverkan.geo.geojson import from_wkb, point_to_geojson_wgs84
from grannsamverkan.settings import Settings


def retention_days() -> int:
    """Days a reporter's e-mail address is kept at most (also when the report is never closed)."""
    return Settings.from_env().places_retention_days


PUBLIC: Final = Principal(token_id=0, name="medborgare (webb)", role="police")


class NewPlace(msgspec.Struct, kw_only=True):
    """A report as it comes in; ``x``/``y`` in SWEREF 99 TM (or none, with ``place_text``)."""

    kommun: str
    category: str
    time_of_day: str = "morker"
    feeling: str = "otrygg"
    what: str
    would_help: str | None = None
    place_text: str | None = None
    x: float | None = None
    y: float | None = None
    email: str | None = None
    source: str = "medborgare"
    source_client: str | None = None


#: A report's fields with a list of values, by the words the report's pages use.
CHOICE_FIELDS: Final = {"category": "kategori", "time_of_day": "tid på dygnet", "feeling": "upplevelse", "source": "källa"}


def _check_choice(value: str, choices: dict[str, str], field: str) -> None:
    if value not in choices:
        listed = messages.choices(choices)
        raise InvalidInput(
            "place.choice_unknown",
            [FieldError.of(field, "place.status_one_of", statuses=listed)],
            value=repr(value),
            field=f"{CHOICE_FIELDS.get(field, field)} ({field})",
            choices=listed,
        )


def validated(data: NewPlace) -> NewPlace:
    """The report with cleaned texts, or 422 naming the field."""
    _check_choice(data.category, rules.CATEGORIES, "category")
    _check_choice(data.time_of_day, rules.TIMES_OF_DAY, "time_of_day")
    _check_choice(data.feeling, rules.FEELINGS, "feeling")
    _check_choice(data.source, rules.SOURCES, "source")
    what = rules.clean_text(data.what, "what", required=True)
    would_help = rules.clean_text(data.would_help, "would_help", required=False)
    place_text = rules.clean_text(data.place_text, "place_text", required=False, max_length=rules.MAX_PLACE_TEXT)
    if data.x is None and not place_text:
        raise InvalidInput("place.position_needed", [FieldError.of("position", "place.missing")])
    if data.x is not None and data.y is not None:
        boundaries.require_inside(data.kommun, data.x, data.y)
    return msgspec.structs.replace(data, what=what, would_help=would_help, place_text=place_text, email=rules.clean_email(data.email))


async def area_at(conn: asyncpg.Connection, kommun: str, x: float | None, y: float | None) -> int | None:
    if x is None or y is None:
        return None
    for row in await db.area_candidates(conn, kommun, x, y):
        if shapely.intersects_xy(from_wkb(row["geom_wkb"]), x, y):
            return int(row["id"])
    return None


def _audit_values(r: PlaceRecord | NewPlace, **extra: Any) -> dict[str, Any]:
    """What the trail keeps of a report: never the e-mail address, only whether there is one."""
    values = {k: getattr(r, k) for k in ("category", "time_of_day", "feeling", "source") if hasattr(r, k)}
    for k in ("status", "review", "responsible", "status_note", "reject_reason", "duplicate_of"):
        if hasattr(r, k):
            values[k] = getattr(r, k)
    values.update(extra)
    return values


async def submit(conn: asyncpg.Connection, data: NewPlace, reporter: str, actor: Principal = PUBLIC) -> PlaceRecord:
    """Store a new report (pending review), count its reporter as the first supporter and keep the
    e-mail address apart. Text that looks like personal data is flagged for the reviewer."""
    await kommuner.require_known(conn, [data.kommun])
    data = validated(data)
    personal = rules.personal_data_found(data.what, data.would_help, data.place_text)
    async with conn.transaction():
        area_id = await area_at(conn, data.kommun, data.x, data.y)
        report_id = await db.insert_report(
            conn,
            {
                "kommun": data.kommun,
                "category": data.category,
                "time_of_day": data.time_of_day,
                "feeling": data.feeling,
                "what": data.what,
                "would_help": data.would_help,
                "place_text": data.place_text,
                "x": data.x,
                "y": data.y,
                "area_id": area_id,
                "personal_data": personal,
                "source": data.source,
                "source_client": data.source_client,
            },
        )
        await db.add_supporter(conn, report_id, data.kommun, db.reporter_key(reporter))
        if data.email:
            await db.add_contact(conn, report_id, data.kommun, data.email)
        await audit.record(
            conn,
            actor,
            kommun=data.kommun,
            table="place_report",
            row_id=report_id,
            action="insert",
            after=_audit_values(data, has_contact=bool(data.email), personal_data=personal),
        )
        return await db.get_report(conn, report_id, None)


class WalkFinding(msgspec.Struct, kw_only=True):
    """A point found on a trygghetsvandring, as the protocol has it; ``x``/``y`` in SWEREF 99 TM."""

    kommun: str
    place: str
    problem: str
    action: str = ""
    responsible: str = ""
    status: rules.Status = "open"
    x: float | None = None
    y: float | None = None


async def from_walk(conn: asyncpg.Connection, actor: Principal, finding: WalkFinding) -> PlaceRecord:
    """The report of a point found on a trygghetsvandring. The kommun made it: published at once
    (a point described only in words waits for its pin, as any such report), with no reporter, no
    contact address and no personal-data hold. The protocol's responsible body becomes the closest
    allowed value (or 'annan', the words kept in the status note); a status other than open is set
    through the workflow (``set_status``), so the history shows it."""
    data = validated(
        NewPlace(
            kommun=finding.kommun,
            category="annat",
            what=finding.problem,
            would_help=finding.action or None,
            place_text=finding.place,
            x=finding.x,
            y=finding.y,
            source="trygghetsvandring",
            source_client=actor.name,
        )
    )
    responsible, note = rules.responsible_from_text(finding.responsible)
    async with conn.transaction():
        report_id = await db.insert_report(
            conn,
            {
                **msgspec.structs.asdict(data),
                "area_id": await area_at(conn, data.kommun, data.x, data.y),
                "personal_data": [],
            },
        )
        if responsible is not None:
            await db.update_report(conn, report_id, {"responsible": responsible, "status_note": note})
        await audit.record(
            conn,
            actor,
            kommun=data.kommun,
            table="place_report",
            row_id=report_id,
            action="insert",
            after=_audit_values(data, has_contact=False, personal_data=[], responsible=responsible, status_note=note),
        )
        if data.x is not None:
            await publish(conn, actor, report_id)
        if finding.status != "open":
            await set_status(conn, actor, report_id, StatusUpdate(status=finding.status, note=note, responsible=responsible))
        return await db.get_report(conn, report_id, None)


async def support(conn: asyncpg.Connection, report_id: int, kommun: str | None, reporter: str) -> tuple[PlaceRecord, bool]:
    """ "Jag tycker också": count the reporter once for a published, open place. Answers the report
    and whether this reporter was new."""
    async with conn.transaction():
        report = await db.get_report(conn, report_id, [kommun] if kommun else None)
        if report.review != "published" or report.status in ("duplicate", "closed"):
            raise Conflict("place.support_closed", [FieldError.of("id", "place.not_open")])
        added = await db.add_supporter(conn, report.id, report.kommun, db.reporter_key(reporter))
        return await db.get_report(conn, report.id, None), added


async def nearby(conn: asyncpg.Connection, kommun: str, category: str, x: float, y: float) -> list[PlaceRecord]:
    """Published, open reports of the same category within 250 m: offered before a new report."""
    _check_choice(category, rules.CATEGORIES, "category")
    return await db.nearby(conn, kommun, category, x, y, rules.NEARBY_METRES)


# --- review --------------------------------------------------------------------------------------


async def _locked(conn: asyncpg.Connection, principal: Principal, report_id: int) -> PlaceRecord:
    return await db.get_report(conn, report_id, principal.scope, for_update=True)


async def publish(conn: asyncpg.Connection, principal: Principal, report_id: int) -> PlaceRecord:
    """Show the report on the public map at its blurred position (see domain.places.choose_blur)."""
    async with conn.transaction():
        report = await _locked(conn, principal, report_id)
        if report.review == "published":
            return report
        if report.review == "rejected":
            raise Conflict("place.publish_rejected", [FieldError.of("review", "place.rejected")])
        if report.x is None or report.y is None:
            raise Conflict("place.publish_position", [FieldError.of("position", "place.missing")])
        if report.personal_data:
            raise Conflict(
                "place.publish_personal_data",
                [FieldError.of("what", "place.personal_data_short")],
                found=", ".join(report.personal_data),
            )
        counts = await db.households_in_cells(conn, report.kommun, report.x, report.y)
        blurred = rules.choose_blur(report.x, report.y, counts)
        public_x, public_y, cell = blurred if blurred else (None, None, None)
        await db.update_report(
            conn,
            report.id,
            {
                "review": "published",
                "public_x": public_x,
                "public_y": public_y,
                "public_cell": cell,
                "published_at": datetime.now().astimezone(),
            },
        )
        await audit.record(
            conn,
            principal,
            kommun=report.kommun,
            table="place_report",
            row_id=report.id,
            action="update",
            before={"review": report.review},
            after={"review": "published", "public_cell": cell},
        )
        return await db.get_report(conn, report.id, None)


async def reject(conn: asyncpg.Connection, principal: Principal, report_id: int, reason: str) -> PlaceRecord:
    """Keep the report off the public map, with a reason; the case is closed and the address erased
    (after telling the reporter)."""
    text = rules.clean_text(reason, "reason", required=True, max_length=1000)
    async with conn.transaction():
        report = await _locked(conn, principal, report_id)
        if report.review != "pending":
            review = rules.REVIEWS[report.review].lower()
            raise Conflict("place.review_done", [FieldError.of("review", "place.merge_done_short", status=review)], status=review)
        await db.update_report(
            conn, report.id, {"review": "rejected", "reject_reason": text, "status": "closed", "handled_at": datetime.now().astimezone()}
        )
        await db.record_status(conn, report, "closed", text, None, principal.name)
        await _tell_reporters(conn, report, "Din rapport publiceras inte", f"Din rapport publiceras inte på kartan. Skäl: {text}")
        await db.erase_contacts(conn, [report.id])
        await audit.record(
            conn,
            principal,
            kommun=report.kommun,
            table="place_report",
            row_id=report.id,
            action="update",
            before={"review": report.review, "status": report.status},
            after={"review": "rejected", "reject_reason": text, "status": "closed"},
        )
        return await db.get_report(conn, report.id, None)


class Correction(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The reviewer's changes: texts without personal data, or the pin of a report described in words.
    With no texts given, everything that looks like personal data is replaced by [borttaget]."""

    what: str | None = None
    would_help: str | None = None
    x: float | None = None
    y: float | None = None


async def correct(conn: asyncpg.Connection, principal: Principal, report_id: int, data: Correction) -> PlaceRecord:
    """Mark personal details (remove them from the texts) and/or place the pin, before publishing."""
    async with conn.transaction():
        report = await _locked(conn, principal, report_id)
        if report.review == "rejected":
            raise Conflict("place.is_rejected", [FieldError.of("review", "place.rejected")])
        changes: dict[str, Any] = {}
        if data.what is None and data.would_help is None:
            changes["what"] = rules.redact(report.what)
            changes["would_help"] = rules.redact(report.would_help)
        else:
            changes["what"] = rules.clean_text(data.what if data.what is not None else report.what, "what", required=True)
            changes["would_help"] = rules.clean_text(
                data.would_help if data.would_help is not None else report.would_help, "would_help", required=False
            )
        changes["personal_data"] = rules.personal_data_found(changes["what"], changes["would_help"], report.place_text)
        if data.x is not None or data.y is not None:
            if data.x is None or data.y is None:
                raise InvalidInput("place.x_and_y", [FieldError.of("position", "place.x_and_y_short")])
            if report.review == "published":
                raise Conflict("place.moved_after_publishing", [FieldError.of("position", "place.published")])
            boundaries.require_inside(report.kommun, data.x, data.y)
            changes.update(x=data.x, y=data.y, area_id=await area_at(conn, report.kommun, data.x, data.y))
        await db.update_report(conn, report.id, changes)
        await audit.record(
            conn,
            principal,
            kommun=report.kommun,
            table="place_report",
            row_id=report.id,
            action="update",
            before={"personal_data": report.personal_data},
            after={"personal_data": changes["personal_data"], "texts_changed": True, "position_changed": "x" in changes},
        )
        return await db.get_report(conn, report.id, None)


# --- the status workflow -----------------------------------------------------------------------


class StatusUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    status: rules.Status
    note: str | None = None
    responsible: rules.Responsible | None = None


def _message(report: PlaceRecord, status: str, note: str | None, responsible: str | None) -> str:
    lines = [
        "Hej!",
        "",
        f"Din rapport om en plats ({rules.CATEGORIES[report.category].lower()}) har fått status: {rules.STATUSES[status]}.",
    ]
    if responsible:
        lines.append(f"Ansvarig: {rules.RESPONSIBLES[responsible]}.")
    if note:
        lines += ["", note]
    if status in rules.ERASE_CONTACT_ON:
        lines += ["", "Ärendet är avslutat och din e-postadress är nu raderad hos oss."]
    lines += ["", f"Rapportens nummer: {report.id}.", "", "Det här meddelandet går inte att svara på."]
    return "\n".join(lines)


async def _tell_reporters(conn: asyncpg.Connection, report: PlaceRecord, subject: str, body: str) -> int:
    """Queue a mail to everyone who left an address for the report (same transaction as the change)."""
    emails = await db.contact_emails(conn, report.id)
    for email in emails:
        await outbox.enqueue(
            conn, kommun=report.kommun, report_id=report.id, recipient=email, subject=f"{subject} (rapport {report.id})", body=body
        )
    return len(emails)


async def set_status(conn: asyncpg.Connection, principal: Principal, report_id: int, data: StatusUpdate) -> PlaceRecord:
    note = rules.clean_text(data.note, "note", required=False)
    async with conn.transaction():
        report = await _locked(conn, principal, report_id)
        rules.check_transition(report.status, data.status)
        responsible = data.responsible or report.responsible
        if data.status == "not_kommun_responsible" and responsible in (None, "kommun"):
            raise InvalidInput("place.responsible", [FieldError.of("responsible", "place.responsible_short")])
        handled = data.status in rules.HANDLED
        await db.update_report(
            conn,
            report.id,
            {
                "status": data.status,
                "status_note": note,
                "responsible": responsible,
                "handled_at": (report.handled_at or datetime.now().astimezone()) if handled else None,
            },
        )
        await db.record_status(conn, report, data.status, note, responsible, principal.name)
        await _tell_reporters(conn, report, f"Ny status: {rules.STATUSES[data.status]}", _message(report, data.status, note, responsible))
        if data.status in rules.ERASE_CONTACT_ON:
            await db.erase_contacts(conn, [report.id])
        await audit.record(
            conn,
            principal,
            kommun=report.kommun,
            table="place_report",
            row_id=report.id,
            action="update",
            before={"status": report.status, "responsible": report.responsible},
            after={"status": data.status, "responsible": responsible, "status_note": note},
        )
        return await db.get_report(conn, report.id, None)


async def merge(conn: asyncpg.Connection, principal: Principal, report_id: int, into: int) -> PlaceRecord:
    """Mark ``report_id`` a duplicate of ``into``: its supporters count for ``into`` and its reporters
    hear about ``into`` from now on. Answers the report that stays."""
    async with conn.transaction():
        first, second = sorted((report_id, into))
        locked = {first: await _locked(conn, principal, first)}
        if second != first:
            locked[second] = await _locked(conn, principal, second)
        source, target = locked[report_id], locked[into]
        rules.check_merge(source.status, target.status, report_id == into, source.kommun == target.kommun)
        await db.move_supporters(conn, source.id, target.id)
        note = f"Samma plats som rapport {target.id}; den hanteras vidare där."
        await _tell_reporters(conn, source, "Din rapport har slagits ihop", _message(source, "duplicate", note, None))
        await db.move_contacts(conn, source.id, target.id)
        await db.update_report(
            conn,
            source.id,
            {"status": "duplicate", "duplicate_of": target.id, "status_note": note, "handled_at": datetime.now().astimezone()},
        )
        await db.record_status(conn, source, "duplicate", note, None, principal.name)
        await audit.record(
            conn,
            principal,
            kommun=source.kommun,
            table="place_report",
            row_id=source.id,
            action="update",
            before={"status": source.status},
            after={"status": "duplicate", "duplicate_of": target.id},
        )
        return await db.get_report(conn, target.id, None)


# --- retention ---------------------------------------------------------------------------------


class ErasureSummary(msgspec.Struct, kw_only=True):
    contacts_erased: int
    mails_dropped: int
    retention_days: int


async def erase_expired(conn: asyncpg.Connection, actor: Principal, days: int | None = None) -> ErasureSummary:
    """Erase contact addresses (and undelivered mail) older than the retention period."""
    days = days or retention_days()
    async with conn.transaction():
        erased = await db.erase_expired_contacts(conn, days)
        dropped = await outbox.purge_older_than(conn, days)
        for kommun in sorted({r["kommun"] for r in erased}):
            ids = sorted({r["report_id"] for r in erased if r["kommun"] == kommun})
            await audit.record(
                conn,
                actor,
                kommun=kommun,
                table="place_contact",
                row_id=None,
                action="erase",
                after={"reports": ids, "reason": f"äldre än {days} dagar"},
            )
    return ErasureSummary(contacts_erased=len(erased), mails_dropped=dropped, retention_days=days)


# --- views by role -----------------------------------------------------------------------------


class PlaceView(msgspec.Struct, kw_only=True, omit_defaults=False):
    """A report as the caller may see it. ``location`` (the exact point) only for the kommun's
    coordinators; ``public_location`` is the blurred point shown to everyone once published.
    The e-mail address is never part of it."""

    id: int
    kommun: str
    category: str
    category_name: str
    time_of_day: str
    feeling: str
    what: str
    would_help: str | None
    status: str
    status_name: str
    status_note: str | None
    responsible: str | None
    review: str
    supporters: int
    public_location: dict[str, Any] | None
    public_cell_m: int | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    handled_at: datetime | None
    duplicate_of: int | None
    source: str
    source_name: str
    # coordinators of the kommun only
    location: dict[str, Any] | None = None
    place_text: str | None = None
    area_id: int | None = None
    area_name: str | None = None
    personal_data: list[str] | None = None
    reject_reason: str | None = None
    has_contact: bool | None = None


def sees_exact(principal: Principal, kommun: str) -> bool:
    return principal.can("write") and principal.sees(kommun)


def view(report: PlaceRecord, principal: Principal | None) -> PlaceView:
    """The report for ``principal`` (None: the public). Texts outside the kommun's coordinators are
    shown with anything that looks like personal data replaced."""
    exact = principal is not None and sees_exact(principal, report.kommun)
    base = PlaceView(
        id=report.id,
        kommun=report.kommun,
        category=report.category,
        category_name=rules.CATEGORIES[report.category],
        time_of_day=report.time_of_day,
        feeling=report.feeling,
        what=report.what if exact else rules.redact(report.what) or "",
        would_help=report.would_help if exact else rules.redact(report.would_help),
        status=report.status,
        status_name=rules.STATUSES[report.status],
        status_note=report.status_note,
        responsible=report.responsible,
        review=report.review,
        supporters=report.supporters,
        public_location=point_to_geojson_wgs84(report.public_x, report.public_y),
        public_cell_m=report.public_cell,
        created_at=report.created_at,
        updated_at=report.updated_at,
        published_at=report.published_at,
        handled_at=report.handled_at,
        duplicate_of=report.duplicate_of,
        source=report.source,
        source_name=rules.SOURCES[report.source],
    )
    if exact:
        base.location = point_to_geojson_wgs84(report.x, report.y)
        base.place_text = report.place_text
        base.area_id = report.area_id
        base.area_name = report.area_name
        base.personal_data = report.personal_data
        base.reject_reason = report.reject_reason
        base.has_contact = report.has_contact
    return base


def view_public(report: PlaceRecord) -> PlaceView:
    return view(report, None)


def visible_filter(principal: Principal, f: PlaceFilter) -> PlaceFilter:
    """Narrow a filter to what the caller may list: police (no write) see published reports only."""
    in_kommuner = principal.visible_kommuner(f.kommuner)
    review = f.review if principal.can("write") else "published"
    if not principal.can("write") and f.review not in (None, "published"):
        in_kommuner = []
    return msgspec.structs.replace(f, kommuner=in_kommuner, review=review)


async def list_for(
    conn: asyncpg.Connection, principal: Principal, f: PlaceFilter, *, limit: int, offset: int
) -> tuple[list[PlaceView], int]:
    items, total = await db.list_reports(conn, visible_filter(principal, f), limit=limit, offset=offset)
    return [view(r, principal) for r in items], total


async def get_for(conn: asyncpg.Connection, principal: Principal, report_id: int) -> PlaceView:
    report = await db.get_report(conn, report_id, principal.scope)
    if report.review != "published" and not principal.can("write"):
        raise NotFound("place.not_found", report_id=report_id)
    return view(report, principal)


# --- lists and exports (the API and the pages) -----------------------------------------------------

#: At most this many reports in one export.
EXPORT_LIMIT: Final = 100_000


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), STOCKHOLM) if day else None


async def place_filter(
    db_conn: Any,
    kommun: list[str] | None,
    category: str | None,
    status: str | None,
    review: str | None,
    feeling: str | None,
    area_id: int | None,
    source: str | None,
    from_: date | None,
    to: date | None,
) -> PlaceFilter:
    if kommun:
        await kommuner.require_known(db_conn, kommun)
    check_days(from_=from_, to=to)
    if from_ and to and to < from_:
        raise InvalidInput("place.to_before_from", [FieldError.of("to", "place.before_from")])
    return PlaceFilter(
        kommuner=kommun or None,
        category=category,
        status=status,
        review=review,
        feeling=feeling,
        area_id=area_id,
        source=source,
        created_from=_start(from_),
        created_to=_start(to + timedelta(days=1)) if to else None,
    )


async def exported(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: list[str] | None,
    category: str | None,
    status: str | None,
    review: str | None,
    feeling: str | None,
    area_id: int | None,
    from_: date | None,
    to: date | None,
    source: str | None = None,
) -> list[PlaceView]:
    """The reports an export holds (at most ``EXPORT_LIMIT``), as the caller may see them: one
    place for the API's and the pages' CSV and GeoJSON routes."""
    f = await place_filter(conn, kommun, category, status, review, feeling, area_id, source, from_, to)
    items, _ = await list_for(conn, actor, f, limit=EXPORT_LIMIT, offset=0)
    return items


CSV_COLUMNS = (
    "id",
    "kommun",
    "category",
    "category_name",
    "feeling",
    "time_of_day",
    "status",
    "status_name",
    "responsible",
    "review",
    "supporters",
    "lon",
    "lat",
    "precision_m",
    "area_id",
    "area_name",
    "created_at",
    "handled_at",
    "what",
    "would_help",
    "status_note",
    "source",
    "source_name",
)


def csv_text(items: list[PlaceView]) -> str:
    """CSV (comma, UTF-8, header row) for a GIS or a spreadsheet; the exact point where the caller
    may see it, else the blurred one (precision_m says which: 0 for exact)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in items:
        point, precision = (p.location, 0) if p.location else (p.public_location, p.public_cell_m)
        lon, lat = point["coordinates"] if point else ("", "")
        writer.writerow(
            [
                p.id,
                p.kommun,
                p.category,
                p.category_name,
                p.feeling,
                p.time_of_day,
                p.status,
                p.status_name,
                p.responsible or "",
                p.review,
                p.supporters,
                lon,
                lat,
                "" if precision is None else precision,
                p.area_id or "",
                p.area_name or "",
                p.created_at.isoformat(),
                p.handled_at.isoformat() if p.handled_at else "",
                p.what,
                p.would_help or "",
                p.status_note or "",
                p.source,
                p.source_name,
            ]
        )
    return out.getvalue()


def feature_collection(items: list[PlaceView]) -> dict[str, Any]:
    features = []
    for p in items:
        props = msgspec.to_builtins(p)
        geometry = props.pop("location") or props.get("public_location")
        props["precision_m"] = 0 if p.location else p.public_cell_m
        props.pop("public_location")
        features.append({"type": "Feature", "id": p.id, "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}
