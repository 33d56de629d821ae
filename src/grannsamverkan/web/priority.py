"""The priority page: the kommun's areas ranked by burglary risk, on the map and in a table."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any, Final, Literal
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from grannsamverkan.db import areas, burglaries
from grannsamverkan.domain.calendar import FIRST_DAY, LAST_DAY, check_days, period_ending
from grannsamverkan.domain.ranking import DEFAULT_BANDWIDTH_M, DEFAULT_TIME_WINDOW_DAYS, RankedArea
from grannsamverkan.errors import InvalidInput
from grannsamverkan.http.common import Caller, Db
from grannsamverkan.web.context import default_kommun, kommun_choices, page, visible_kommun
from grannsamverkan.web.maps import AreaOnMap, draw
from grannsamverkan.web.paging import ROWS, paginate
from grannsamverkan.web.registry import MANY
from grannsamverkan.web.wording import METHOD_PHRASES, METHODS, number

Method = Literal["eb", "rate", "near_repeat"]


#: The form's names of the period's days (the rule names them from/to).
PERIOD_FIELDS: Final = {"from": "fran", "to": "till"}
#: The areas the page marks on its maps with their place in the list.
TOP: Final = 5


class Ranking(msgspec.Struct, frozen=True, kw_only=True):
    """The kommun's areas as the page ranks them: without an active group in the page's order
    (``rank_of``: area id -> place and score), and those with one apart."""

    open_areas: list[RankedArea]
    covered: list[RankedArea]
    rank_of: dict[int, tuple[int, float]]


def chosen_period(fran: date | None, till: date | None) -> tuple[date, date]:
    """The page's period (both days included): ``till`` (else today) and ``fran`` (else a year before)."""
    return period_ending(till if till and FIRST_DAY <= till <= LAST_DAY else None, fran)


def check_period(fran: date | None, till: date | None, first: date, last: date) -> None:
    """422 for a day out of range or a reversed period, named by the form's fields."""
    check_days(fran=fran, till=till)
    burglaries.period(first, last, field="fran")


# The page and its map's layer (fetched right after the page) need the same ranking: a server
# process keeps its last few for a short while, keyed by what was asked (kommun, days, method) and
# by the fingerprint of what the ranking read (``burglaries.ranking_inputs``: the kommun's areas,
# groups and the span's burglaries). Fingerprint and ranking are read in one snapshot, so a stored
# ranking is exactly that of its fingerprint, and any committed change (an import, a new or
# dissolved group, a reshaped area) gives a new fingerprint: a ranking is reused only while its
# inputs are unchanged, never stale. The TTL and the size bound only limit the memory held.
RECENT_RANKINGS: Final = 8
RECENT_SECONDS: Final = 60.0

RankingKey = tuple[str, date, date, str, tuple[int, ...]]


class RecentRankings:
    """At most ``size`` rankings, each for ``seconds`` after it was computed (least recently used out first)."""

    def __init__(self, size: int = RECENT_RANKINGS, seconds: float = RECENT_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.seconds, self.clock = size, seconds, clock
        self.entries: OrderedDict[RankingKey, tuple[float, Ranking]] = OrderedDict()

    def get(self, key: RankingKey) -> Ranking | None:
        found = self.entries.get(key)
        if found is None or found[0] <= self.clock():
            return None
        self.entries.move_to_end(key)
        return found[1]

    def put(self, key: RankingKey, ranking: Ranking) -> None:
        now = self.clock()
        for old in [k for k, (until, _) in self.entries.items() if until <= now]:
            del self.entries[old]
        self.entries[key] = (now + self.seconds, ranking)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


def recent_rankings(request: Request[Any, Any, Any]) -> RecentRankings:
    """The app's (this process's) recent rankings, made on first use."""
    state = request.app.state
    found = getattr(state, "recent_rankings", None)
    if found is None:
        found = state.recent_rankings = RecentRankings()
    return found


async def rank_areas(request: Request[Any, Any, Any], db: Any, kommun: str, first: date, last: date, method: Method) -> Ranking:
    """The same order as the API's default list (covered areas left out), and the covered apart.
    Ranks are read from the order. Computed once while the kommun's ranking inputs stay the same."""
    recent = recent_rankings(request)
    async with db.transaction(isolation="repeatable_read", readonly=True):
        key = (kommun, first, last, method, await burglaries.ranking_inputs(db, kommun, first, last))
        ranking = recent.get(key)
        if ranking is None:
            ranked_all = await burglaries.priority_areas(db, kommun, first, last, method, include_covered=True)
            open_areas = [r for r in ranked_all if not r.has_active_group]
            ranking = Ranking(
                open_areas=open_areas,
                covered=[r for r in ranked_all if r.has_active_group],
                rank_of={r.area_id: (i, r.score) for i, r in enumerate(open_areas, start=1)},
            )
            recent.put(key, ranking)
    return ranking


def is_top(place: int, score: float) -> bool:
    return place <= TOP and score > 0


def rank_text(r: RankedArea, place: int, method: str) -> str:
    """The area's place and the figure it is ranked by, in the table's words and precision:
    "1. Nipan – 12 inbrott per 1 000 hushåll"."""
    if method == "near_repeat":
        figure = f"{number(r.near_repeat_score, 2)} nära i tid och rum"
    elif method == "eb":
        figure = f"{number(r.eb_rate_per_1000, 0)} inbrott per 1 000 hushåll, EB"
    else:
        figure = f"{number(r.rate_per_1000, 0)} inbrott per 1 000 hushåll"
    return f"{place}. {r.name} – {figure}"


def eb_collapsed(ranked: list[RankedArea]) -> float | None:
    """The kommun's mean rate per 1 000 when empirical Bayes gives every area with households the
    same value (too few areas, or too little spread between them, to estimate how much the areas
    differ): the method cannot separate the areas then. None when it can."""
    values = {round(r.eb_rate_per_1000, 6) for r in ranked if r.households > 0}
    if len(values) != 1 or sum(1 for r in ranked if r.households > 0) < 2:
        return None
    return values.pop()


def priority_class(rank: int, count: int, score: float) -> str:
    """Five classes by rank among the areas without a group; no burglaries at all is its own class."""
    if score <= 0:
        return "prio-0"
    fifth = (rank - 1) * 5 // max(count, 1)
    return f"prio-{5 - fifth}"


class PriorityPages(Controller):
    path = "/prioritering"
    include_in_schema = False

    @get("/", opt={"capability": "read"})
    async def index(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        kommun: FromQuery[str | None] = None,
        metod: FromQuery[Method] = "eb",
        fran: FromQuery[date | None] = None,
        till: FromQuery[date | None] = None,
        sida: FromQuery[int] = 1,
    ) -> Template:
        """The map shows every area; the ranked table a page of them (``?sida=``), the areas with an
        active group the first page's worth and how many more."""
        code = kommun or default_kommun(principal)
        first, last = chosen_period(fran, till)
        context = _empty_context(await kommun_choices(db, principal), code, metod, first, last)
        if code is None:
            return page(request, "priority.html.j2", **context)
        context["kommun"] = await visible_kommun(db, principal, code)
        try:
            check_period(fran, till, first, last)
        except InvalidInput as exc:  # reversed or impossible dates: said at the field, the form kept
            context["field_errors"] = {PERIOD_FIELDS.get(e.field, e.field): e.message for e in exc.errors}
            return page(request, "priority.html.j2", status_code=422, **context)
        ranking = await rank_areas(request, db, code, first, last, metod)
        open_areas, covered, rank_of = ranking.open_areas, ranking.covered, ranking.rank_of
        records, _ = await areas.list_areas(db, [code], limit=MANY, offset=0)
        shapes = [self.shape(a, rank_of.get(a.id), len(open_areas)) for a in records]
        shown, pages = paginate(
            open_areas,
            sida,
            "/prioritering",
            {"kommun": code, "metod": metod, "fran": fran.isoformat() if fran else None, "till": till.isoformat() if till else None},
        )
        shown = [msgspec.structs.replace(r, rank=rank_of[r.area_id][0]) for r in shown]
        context.update(
            ranked=shown,
            pages=pages,
            covered=covered[:ROWS],
            covered_total=len(covered),
            map=draw(shapes) if shapes else None,
            collapsed=eb_collapsed(open_areas + covered) if metod == "eb" else None,
            near_repeat_shown=any(r.near_repeat_score > 0 for r in open_areas + covered),
            map_query=urlencode({"kommun": code, "metod": metod, "fran": first.isoformat(), "till": last.isoformat()}),
        )
        return page(request, "priority.html.j2", **context)

    @staticmethod
    def shape(a: areas.AreaRecord, rank: tuple[int, float] | None, count: int) -> AreaOnMap:
        """An area on the map: its priority class and, for the top five, its place by the marker."""
        if rank is None:
            return AreaOnMap(area_id=a.id, name=a.name, geometry=a.geometry, css_class="covered", label=f"{a.name}: har aktiv grupp")
        place, score = rank
        return AreaOnMap(
            area_id=a.id,
            name=a.name,
            geometry=a.geometry,
            css_class=priority_class(place, count, score),
            label=f"{a.name}: plats {place} av {count}",
            short=f"{place}" if is_top(place, score) else "",
        )


def _empty_context(choices: Any, code: str | None, method: str, first: date, last: date) -> dict[str, Any]:
    """The priority page before any ranking: the form, its choices and the method's words."""
    return {
        "choices": choices,
        "method": method,
        "methods": METHODS,
        "method_phrases": METHOD_PHRASES,
        "first": first,
        "last": last,
        "kommun_code": code,
        "kommun": None,
        "ranked": [],
        "covered": [],
        "map": None,
        "pages": None,
        "covered_total": 0,
        "field_errors": {},
        "collapsed": None,
        "near_repeat_shown": True,
        "window_days": round(DEFAULT_TIME_WINDOW_DAYS),
        "bandwidth_m": round(DEFAULT_BANDWIDTH_M),
    }
