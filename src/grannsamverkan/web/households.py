"""The door-knocking list (dörrknackningslista) of an area: a page that prints only the list, and
the same list as CSV and Excel files whose cells can never turn into formulas. Also the list of a
kommun's households that lie in no area.

Addresses are personal data: every route needs ``read_households`` (coordinators and admins; never
the police), and the answers are not cached (the pages' ``Cache-Control: no-store``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any, Final

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template
from openpyxl import Workbook
from openpyxl.styles import Font

from grannsamverkan.domain.spreadsheet import neutralised
from grannsamverkan.http.common import Caller, Db
from grannsamverkan.services.door_list import DoorList, door_list, outside_areas
from grannsamverkan.web.context import page

COLUMNS: Final = ("Adress", "Postnummer", "Ort", "Anmält", "Kontaktperson", "Knackat", "Anteckning")
CSV_TYPE: Final = "text/csv; charset=utf-8"
XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lines(listing: DoorList) -> Iterator[tuple[str, ...]]:
    """The list's rows as text cells, neutralised (no cell starts a formula)."""
    yield COLUMNS
    for r in listing.rows:
        h = r.household
        yield tuple(
            neutralised(v)
            for v in (h.street or f"Hushåll {h.id}", h.postcode, h.city, "ja" if r.signed_up else "nej", "ja" if r.contact else "", "", "")
        )


def _filename(listing: DoorList, suffix: str) -> str:
    return f"knacklista-omrade-{listing.area.id}.{suffix}"


def _download(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(content=content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def to_csv(listing: DoorList) -> bytes:
    """Semicolon-separated with a byte order mark, as Excel in Sweden opens it (å, ä, ö intact)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(_lines(listing))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(listing: DoorList) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Knacklista"
    for row in _lines(listing):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet.iter_rows(min_row=2):
        for c in cell:
            c.data_type = "s"  # text, never a formula (the values are neutralised as well)
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["C"].width = 18
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class DoorListPages(Controller):
    path = "/omraden/{area_id:int}"
    include_in_schema = False

    @get("/knacklista", opt={"capability": "read_households"})
    async def door_list_page(self, request: Request[Any, Any, Any], db: Db, principal: Caller, area_id: FromPath[int]) -> Template:
        listing = await door_list(db, principal, area_id)
        return page(
            request,
            "door_list.html.j2",
            listing=listing,
            area=listing.area,
            kommun=listing.kommun,
            kommun_code=listing.area.kommun,
            group=listing.group,
        )

    @get("/knacklista.csv", opt={"capability": "read_households"})
    async def door_list_csv(self, db: Db, principal: Caller, area_id: FromPath[int]) -> Response[bytes]:
        listing = await door_list(db, principal, area_id)
        return _download(to_csv(listing), CSV_TYPE, _filename(listing, "csv"))

    @get("/knacklista.xlsx", opt={"capability": "read_households"})
    async def door_list_xlsx(self, db: Db, principal: Caller, area_id: FromPath[int]) -> Response[bytes]:
        listing = await door_list(db, principal, area_id)
        return _download(to_xlsx(listing), XLSX_TYPE, _filename(listing, "xlsx"))


class OutsidePages(Controller):
    path = "/kommun/{kommun:str}/utanfor-omraden"
    include_in_schema = False

    @get("/", opt={"capability": "read_households"})
    async def outside(self, request: Request[Any, Any, Any], db: Db, principal: Caller, kommun: FromPath[str]) -> Template:
        """Households that lie in no area (shown nowhere else)."""
        listing = await outside_areas(db, principal, kommun)
        return page(request, "outside.html.j2", listing=listing, kommun=listing.kommun, kommun_code=kommun)
