"""Long tables on pages, a page of rows at a time (``?sida=N``): a kommun of 2,000 areas would
otherwise send every row on every visit. The map still shows every area."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, TypeVar
from urllib.parse import urlencode

import msgspec

ROWS: Final = 200  # rows per page: enough to scan, small enough to send
T = TypeVar("T")


class Pages(msgspec.Struct, kw_only=True):
    """Where the shown rows lie among all, and the links to the other pages."""

    number: int  # the page shown, from 1
    count: int
    total: int  # rows in all
    first: int  # the first and last row shown, from 1 (0 and 0 when there are none)
    last: int
    links: list[tuple[int, str]]  # (page number, href) of every page

    @property
    def previous(self) -> str | None:
        return self.links[self.number - 2][1] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.links[self.number][1] if self.number < self.count else None


def paginate(
    rows: Sequence[T], number: int, path: str, query: Mapping[str, str | None] | None = None, *, size: int = ROWS
) -> tuple[list[T], Pages]:
    """The rows of page ``number`` (out of range: the nearest page) and the pager. Links keep
    ``query``'s other parameters (those that are not None)."""
    count = max(1, -(-len(rows) // size))
    number = min(max(number, 1), count)
    start = (number - 1) * size
    shown = list(rows[start : start + size])
    kept = {k: v for k, v in (query or {}).items() if v is not None and k != "sida"}

    def href(n: int) -> str:
        params = {**kept, "sida": str(n)} if n > 1 else kept
        return f"{path}?{urlencode(params)}" if params else path

    return shown, Pages(
        number=number,
        count=count,
        total=len(rows),
        first=start + 1 if shown else 0,
        last=start + len(shown),
        links=[(n, href(n)) for n in range(1, count + 1)],
    )
