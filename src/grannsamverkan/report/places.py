"""The yearly report's section "Trygga fysiska platser": reports of the year by category and status,
handled within the year, a map of the published places (blurred positions) and the places reported
by the most people. ``services/report.py`` adds it to the report as a section
(``templates/sections/places.*.j2``); :func:`render_places` renders it alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import asyncpg
import jinja2
import msgspec
import shapely

from grannsamverkan.db import places as place_db
from grannsamverkan.domain import places as rules
from grannsamverkan.domain.calendar import STOCKHOLM
from grannsamverkan.geo.boundaries import boundary
from grannsamverkan.report.render import escape_markdown, format_number

TOP: Final = 5


class CategoryRow(msgspec.Struct, kw_only=True):
    category: str
    name: str
    total: int
    by_status: dict[str, int]  # Swedish status label -> reports
    handled: int


class TopPlace(msgspec.Struct, kw_only=True):
    id: int
    category: str
    supporters: int
    status: str
    area_name: str | None
    what: str


class PlacesSection(msgspec.Struct, kw_only=True):
    kommun: str
    year: int
    rows: list[CategoryRow]
    total: int
    safe: int
    handled: int
    top: list[TopPlace]
    points: list[tuple[float, float, str]]  # blurred SWEREF 99 TM positions and the feeling
    map_svg: str = ""  # the kommun's outline with the points (HTML only)


async def places_section(conn: asyncpg.Connection, kommun: str, year: int) -> PlacesSection:
    start, end = datetime(year, 1, 1, tzinfo=STOCKHOLM), datetime(year + 1, 1, 1, tzinfo=STOCKHOLM)
    counts = await place_db.year_counts(conn, kommun, start, end)
    rows = []
    for code, name in rules.CATEGORIES.items():
        mine = [c for c in counts if c["category"] == code]
        if not mine:
            continue
        by_status = {s: sum(c["n"] for c in mine if c["status"] == s) for s in rules.STATUSES}
        rows.append(
            CategoryRow(
                category=code,
                name=name,
                total=sum(c["n"] for c in mine),
                by_status={rules.STATUSES[k]: v for k, v in by_status.items() if v},
                handled=sum(c["handled"] for c in mine),
            )
        )
    top = await place_db.most_supported(conn, kommun, start, end, TOP)
    published, _ = await place_db.list_reports(
        conn, place_db.PlaceFilter(kommuner=[kommun], review="published", created_to=end), limit=5000, offset=0
    )
    section = PlacesSection(
        kommun=kommun,
        year=year,
        rows=rows,
        total=sum(r.total for r in rows),
        safe=sum(c["n"] for c in counts if c["feeling"] == "trygg"),
        handled=sum(r.handled for r in rows),
        top=[
            TopPlace(
                id=p.id,
                category=rules.CATEGORIES[p.category],
                supporters=p.supporters,
                status=rules.STATUSES[p.status],
                area_name=p.area_name,
                what=rules.redact(p.what) or "",
            )
            for p in top
        ],
        points=[
            (p.public_x, p.public_y, p.feeling)
            for p in published
            if p.public_x is not None and p.public_y is not None and p.status != "duplicate"
        ],
    )
    section.map_svg = map_svg(section)
    return section


def map_svg(section: PlacesSection, width: float = 600.0) -> str:
    """The kommun's outline with the published places (blurred), as a small inline SVG."""
    outline = boundary(section.kommun)
    if outline is None:
        return ""
    minx, miny, maxx, maxy = (float(v) for v in shapely.bounds(outline))
    scale = width / (maxx - minx)
    height = (maxy - miny) * scale

    def xy(x: float, y: float) -> tuple[float, float]:
        return (x - minx) * scale, (maxy - y) * scale

    parts = []
    for polygon in getattr(outline, "geoms", [outline]):
        coords = shapely.get_coordinates(polygon.exterior)
        parts.append("M" + " ".join(f"{a:.1f},{b:.1f}" for a, b in (xy(x, y) for x, y in coords)) + "Z")
    dots = "".join(
        f'<circle cx="{a:.1f}" cy="{b:.1f}" r="4" fill="{"#1e7b34" if f == "trygg" else "#b35c00"}"/>'
        for a, b, f in ((*xy(x, y), feeling) for x, y, feeling in section.points)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'role="img" aria-label="Publicerade platser (ungefärliga lägen)"><path d="{"".join(parts)}" fill="#f4f6f1" '
        f'stroke="#56624f" stroke-width="1"/>{dots}</svg>'
    )


def _environment(*, html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("grannsamverkan.report", "templates"),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(num=format_number, md=escape_markdown)
    return env


_MARKDOWN, _HTML = _environment(html=False), _environment(html=True)


def render_places(section: PlacesSection, fmt: str) -> str:
    """The section alone, as the yearly report includes it."""
    return (_MARKDOWN if fmt == "md" else _HTML).get_template(f"places.{fmt}.j2").render(s=section)
