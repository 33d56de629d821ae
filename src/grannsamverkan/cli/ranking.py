"""``import burglaries``, ``priority`` and ``backtest``.

``import`` is a sub-command group shared with ``import areas`` and ``import households``
(``cli/registry.py`` creates it and leaves its sub-parsers in ``cli.IMPORT_SUBPARSERS``); this
module adds ``burglaries`` to it, or creates the group when it is missing.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import msgspec

from grannsamverkan import cli
from grannsamverkan.cli import (
    EXIT_OK,
    JSON_HELP,
    KOMMUN_HELP,
    cli_actor,
    command,
    decimal_number,
    iso_date,
    print_json,
    progress_bar,
    run_with_connection,
    whole_number,
)
from grannsamverkan.cli.point_files import point_file_options, read_point_file
from grannsamverkan.cli.summaries import burglary_counts
from grannsamverkan.db import burglaries, kommuner
from grannsamverkan.domain import numbers
from grannsamverkan.domain.backtest import BACKTEST_METHODS, BacktestMethod, BacktestResult, rolling_backtest, yearly_folds
from grannsamverkan.domain.calendar import period_ending
from grannsamverkan.domain.ranking import DEFAULT_BANDWIDTH_M, DEFAULT_TIME_WINDOW_DAYS, METHODS, RankedArea
from grannsamverkan.errors import InvalidInput
from grannsamverkan.geo.gis_points import PointFields
from grannsamverkan.services import burglaries as burglary_cases
from grannsamverkan.services.lifecycle import queue_near_repeat_alerts as near_repeat_alerts

# --- helpers ----------------------------------------------------------------------------------------


def _fmt(value: float, decimals: int = 1) -> str:
    """A figure in a table, with a decimal comma: ``500,0``."""
    return numbers.decimal(value, decimals)


#: What kind of file ``import burglaries`` read (services.burglaries' ``kind``), in words.
FILE_KINDS = {"csv": "CSV", "police": "polisens händelser", "gis": "GIS-fil"}


# --- import burglaries ------------------------------------------------------------------------------


@command("import burglaries")
def import_burglaries(args: argparse.Namespace, settings: Any) -> int:
    content_type = "application/json" if args.file.suffix.lower() == ".json" else None
    fields = PointFields.of(
        external_ref=args.ref_field,
        occurred_from=args.occurred_from_field,
        occurred_to=args.occurred_to_field,
        category=args.category_field,
        area_external_ref=args.area_ref_field,
    )
    file = burglary_cases.read_burglary_file(
        read_point_file(args.file), args.kommun, source=args.source, content_type=content_type, fields=fields, crs=args.crs
    )
    parsed = file.parsed

    async def work(conn: Any) -> int:
        with progress_bar(total=len(parsed.records), unit=" inbrott", desc=f"inbrott {args.file.name}") as bar:

            def progress(done: int, total: int) -> None:
                bar.update(done - bar.n)

            result = await burglary_cases.import_burglary_file(conn, cli_actor(), args.kommun, file, on_progress=progress)
        await near_repeat_alerts(conn, args.kommun)  # contact persons of active groups within 400 m (issue 19)
        if args.json:
            print_json(result)
        else:
            kind = FILE_KINDS.get(file.kind, file.kind)
            print(f"inbrott {args.file.name} ({kind}, källa {parsed.source!r}) till {args.kommun}: {burglary_counts(result)}")
        return EXIT_OK

    return run_with_connection(settings, work)


# --- priority ---------------------------------------------------------------------------------------


class PriorityAnswer(msgspec.Struct, kw_only=True):
    """``priority --json``: the API's page plus what was asked."""

    kommun: str
    method: str
    from_: date = msgspec.field(name="from")
    to: date
    items: list[RankedArea]
    total: int


def priority_table(items: list[RankedArea]) -> str:
    """A fixed-width table of ranked areas, one line each."""
    head = (
        f"{'plats':>5}  {'område':>6}  {'namn':<24} {'hushåll':>10} {'inbrott':>10} "
        f"{'per 1 000 (95 % KI)':>24} {'EB/1 000':>8} {'närhet':>9} {'grupp':>5}  {'poäng':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in items:
        ci = f"{_fmt(r.rate_per_1000)} ({_fmt(r.rate_ci_low)}–{_fmt(r.rate_ci_high)})"
        name = r.name if len(r.name) <= 24 else r.name[:23] + "…"
        lines.append(
            f"{r.rank:>5}  {r.area_id:>6}  {name:<24} {numbers.count(r.households):>10} {numbers.tally(r.burglaries):>10} {ci:>24} "
            f"{_fmt(r.eb_rate_per_1000):>8} {_fmt(r.near_repeat_score, 2):>9} {'ja' if r.has_active_group else '':>5}  "
            f"{_fmt(r.score, 3):>9}"
        )
    return "\n".join(lines)


@command("priority")
def priority(args: argparse.Namespace, settings: Any) -> int:
    first, last = period_ending(args.to, args.from_)

    async def work(conn: Any) -> int:
        await kommuner.require_known(conn, [args.kommun])
        name = (await kommuner.get_kommun(conn, args.kommun)).name
        print(f"rangordnar {args.kommun} {name} med metoden {args.method}, {first} – {last}", file=sys.stderr)
        ranked = await burglaries.priority_areas(
            conn,
            args.kommun,
            first,
            last,
            args.method,
            include_covered=args.include_covered,
            bandwidth_m=args.bandwidth,
            time_window_days=args.window_days,
        )
        items = ranked[: args.limit]
        if args.json:
            print_json(PriorityAnswer(kommun=args.kommun, method=args.method, from_=first, to=last, items=items, total=len(ranked)))
            return EXIT_OK
        print(
            f"Prioriterade områden i {args.kommun} {name}, {first} – {last}, metod {args.method}"
            f"{' (också områden med en aktiv grupp)' if args.include_covered else ''}: "
            f"{numbers.count(len(items))} av {numbers.count(len(ranked))} områden"
        )
        if items:
            print(priority_table(items))
        return EXIT_OK

    return run_with_connection(settings, work)


# --- backtest ---------------------------------------------------------------------------------------


class SingleBacktest(msgspec.Struct, kw_only=True):
    kommun: str
    train_from: date
    train_to: date
    test_from: date
    test_to: date
    results: list[BacktestResult]


class RollingFold(msgspec.Struct, kw_only=True):
    train_year: int
    test_year: int
    results: list[BacktestResult]


class RollingBacktest(msgspec.Struct, kw_only=True):
    kommun: str
    coverage: float
    folds: list[RollingFold]
    mean_pai: dict[str, float]
    mean_hit_rate: dict[str, float]


def _methods(arg: BacktestMethod | None) -> list[BacktestMethod]:
    """The asked method, always with the naive baseline; all of them when none is asked."""
    if arg is None:
        return list(BACKTEST_METHODS)
    return [arg] if arg == "naive" else [arg, "naive"]


def _result_table(rows: list[tuple[str, BacktestResult]]) -> str:
    head = f"{'':<12} {'metod':<12} {'träffandel':>10} {'hushåll':>11} {'PAI':>6} {'inbrott i testet':>16}"
    lines = [head, "-" * len(head)]
    for label, r in rows:
        lines.append(
            f"{label:<12} {r.method:<12} {_fmt(r.hit_rate, 3):>10} {_fmt(r.households_share, 3):>11} {_fmt(r.pai, 2):>6} "
            f"{_fmt(r.burglaries_test):>16}"
        )
    return "\n".join(lines)


def _rolling_span(span: tuple[date, date] | None, kommun: str) -> tuple[int, int]:
    """``(first year, folds)``: calendar years with data; a last year whose data end before
    December is left out as partial."""
    if span is None:
        raise InvalidInput.at("kommun", "backtest.no_burglaries", kommun=kommun)
    first, last = span
    last_year = last.year if last >= date(last.year, 12, 1) else last.year - 1
    folds = last_year - first.year
    if folds < 1:
        raise InvalidInput.at("kommun", "backtest.two_years", kommun=kommun, first=first, last=last)
    return first.year, folds


@command("backtest")
def backtest(args: argparse.Namespace, settings: Any) -> int:
    explicit = [args.train_from, args.train_to, args.test_from, args.test_to]
    if any(v is not None for v in explicit) and not all(v is not None for v in explicit):
        raise InvalidInput.at("train_from", "backtest.all_periods")
    methods = _methods(args.method)

    async def work(conn: Any) -> int:
        await kommuner.require_known(conn, [args.kommun])
        if all(v is not None for v in explicit):
            results = await burglaries.backtest_kommun(
                conn,
                args.kommun,
                (args.train_from, args.train_to),
                (args.test_from, args.test_to),
                methods,
                args.coverage,
                bandwidth_m=args.bandwidth,
                time_window_days=args.window_days,
            )
            if args.json:
                print_json(
                    SingleBacktest(
                        kommun=args.kommun,
                        train_from=args.train_from,
                        train_to=args.train_to,
                        test_from=args.test_from,
                        test_to=args.test_to,
                        results=results,
                    )
                )
            else:
                print(
                    f"Efterhandstest {args.kommun}: byggd på {args.train_from} – {args.train_to}, prövad på {args.test_from} – "
                    f"{args.test_to}, {numbers.share(args.coverage)} av hushållen utpekade"
                )
                print(_result_table([("", r) for r in results]))
            return EXIT_OK
        return await _rolling(conn, args, methods)

    return run_with_connection(settings, work)


async def _rolling(conn: Any, args: argparse.Namespace, methods: list[BacktestMethod]) -> int:
    start_year, folds = _rolling_span(await burglaries.data_span(conn, args.kommun), args.kommun)
    start = burglaries.day_start(date(start_year, 1, 1))
    fold_list = yearly_folds(start, folds)
    print(f"läser in {args.kommun}: {start_year}–{start_year + folds}", file=sys.stderr)
    data = await burglaries.ranking_data(conn, args.kommun, start - timedelta(days=args.window_days), fold_list[-1].test_to)
    if not data.areas:
        raise InvalidInput.at("kommun", "ranking.no_areas", kommun=args.kommun)
    per_method: dict[str, list[BacktestResult]] = {}
    with progress_bar(total=len(methods), desc="efterhandstest", unit=" metod") as bar:
        for method in methods:
            per_method[method] = rolling_backtest(
                method,
                data.area_table,
                data.incidents,
                start,
                folds,
                args.coverage,
                bandwidth_m=args.bandwidth,
                time_window_days=args.window_days,
            )
            bar.update(1)
    answer = RollingBacktest(
        kommun=args.kommun,
        coverage=args.coverage,
        folds=[
            RollingFold(train_year=start_year + t, test_year=start_year + t + 1, results=[per_method[m][t] for m in methods])
            for t in range(folds)
        ],
        mean_pai={m: sum(r.pai for r in rs) / len(rs) for m, rs in per_method.items()},
        mean_hit_rate={m: sum(r.hit_rate for r in rs) / len(rs) for m, rs in per_method.items()},
    )
    if args.json:
        print_json(answer)
        return EXIT_OK
    print(
        f"Efterhandstest år för år {args.kommun}: PAI när {numbers.share(args.coverage)} av hushållen pekas ut "
        "(byggd på år t, prövad på år t + 1)"
    )
    head = f"{'år t → t + 1':<14}" + "".join(f"{m:>13}" for m in methods) + f"{'inbrott':>12}"
    print(head)
    print("-" * len(head))
    for fold in answer.folds:
        print(
            f"{fold.train_year} → {fold.test_year:<6}"
            + "".join(f"{_fmt(r.pai, 2):>13}" for r in fold.results)
            + f"{_fmt(fold.results[0].burglaries_test):>12}"
        )
    print(f"{'medel':<14}" + "".join(f"{_fmt(answer.mean_pai[m], 2):>13}" for m in methods))
    return EXIT_OK


# --- parser -----------------------------------------------------------------------------------------


def _import_subparsers(sub: Any) -> Any:
    """The ``import`` group's sub-parsers: the shared one when it belongs to this parser, else made here."""
    shared = getattr(cli, "IMPORT_SUBPARSERS", None)
    existing = sub.choices.get("import")
    if existing is not None:
        if shared is not None and any(a is shared for a in existing._actions):
            return shared
        for action in existing._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action
    imports = sub.add_parser("import", help=cli.command_help("import")).add_subparsers(dest="import_command", required=True, metavar="VAD")
    cli.IMPORT_SUBPARSERS = imports
    return imports


def _ranking_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--bandwidth",
        type=decimal_number,
        default=DEFAULT_BANDWIDTH_M,
        metavar="METER",
        help=f"near_repeat: avståndet där ett inbrott inte längre väger något (standard {numbers.tally(DEFAULT_BANDWIDTH_M)})",
    )
    p.add_argument(
        "--window-days",
        type=decimal_number,
        default=DEFAULT_TIME_WINDOW_DAYS,
        metavar="DAGAR",
        help=f"near_repeat: åldern då ett inbrott inte längre väger något (standard {numbers.tally(DEFAULT_TIME_WINDOW_DAYS)})",
    )
    p.add_argument("--json", action="store_true", help="skriv ut JSON i stället för en tabell")


def extend_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = _import_subparsers(sub).add_parser(
        "burglaries",
        parents=[common],
        help="inbrott från en CSV-fil eller polisens händelser som JSON-lista (allt eller inget; "
        "ett inbrott känns igen på källa och external_ref)",
    )
    p.add_argument(
        "file",
        type=Path,
        metavar="FIL",
        help="CSV (.csv), polisens händelser (.json, eller en fil som börjar med '['), "
        "eller punkterna i en .gpkg, .shp, .zip eller .geojson",
    )
    p.add_argument("--kommun", required=True, help=KOMMUN_HELP)
    p.add_argument(
        "--source",
        metavar="KÄLLA",
        help="vem som rapporterat inbrotten (standard 'csv' för en CSV- eller GIS-fil, 'polisen' för polisens flöde)",
    )
    point_file_options(p, household_fields=False)
    p.add_argument("--json", action="store_true", help=JSON_HELP)

    p = sub.add_parser("priority", parents=[common], help=cli.command_help("priority"))
    p.add_argument("--kommun", required=True, help=KOMMUN_HELP)
    p.add_argument("--from", dest="from_", type=iso_date, metavar="ÅÅÅÅ-MM-DD", help="första dagen (standard: 365 dagar före --to)")
    p.add_argument("--to", type=iso_date, metavar="ÅÅÅÅ-MM-DD", help="sista dagen, som räknas med (standard: i dag)")
    p.add_argument("--method", choices=METHODS, default="eb", help="rate, eb (standard) eller near_repeat")
    p.add_argument("--limit", type=whole_number, default=20, metavar="ANTAL", help="antal områden att visa (standard 20)")
    p.add_argument("--include-covered", action="store_true", help="visa också områden som redan har en aktiv grupp")
    _ranking_options(p)

    p = sub.add_parser("backtest", parents=[common], help=cli.command_help("backtest"))
    p.add_argument("--kommun", required=True, help=KOMMUN_HELP)
    p.add_argument("--train-from", type=iso_date, metavar="ÅÅÅÅ-MM-DD", help="första dagen som rangordningen byggs på")
    p.add_argument("--train-to", type=iso_date, metavar="ÅÅÅÅ-MM-DD", help="sista dagen som rangordningen byggs på, som räknas med")
    p.add_argument("--test-from", type=iso_date, metavar="ÅÅÅÅ-MM-DD", help="första dagen som den prövas på")
    p.add_argument("--test-to", type=iso_date, metavar="ÅÅÅÅ-MM-DD", help="sista dagen som den prövas på, som räknas med")
    p.add_argument(
        "--method",
        choices=BACKTEST_METHODS,
        default=None,
        help="en metod (jämförs med naive); standard: alla metoder. Utan perioder prövas varje kalenderår med data mot året efter",
    )
    p.add_argument("--coverage", type=decimal_number, default=0.1, metavar="ANDEL", help="andelen av hushållen som pekas ut (standard 0,1)")
    _ranking_options(p)


cli.PARSER_EXTENSIONS.append(extend_parser)
