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
from tqdm import tqdm

from grannsamverkan import cli
from grannsamverkan.cli import EXIT_OK, cli_actor, command, iso_date, print_json, run_with_connection
from grannsamverkan.cli.point_files import point_file_options, read_point_file
from grannsamverkan.db import burglaries, kommuner
from grannsamverkan.domain.backtest import BACKTEST_METHODS, BacktestMethod, BacktestResult, rolling_backtest, yearly_folds
from grannsamverkan.domain.calendar import period_ending
from grannsamverkan.domain.ranking import DEFAULT_BANDWIDTH_M, DEFAULT_TIME_WINDOW_DAYS, METHODS, RankedArea
from grannsamverkan.errors import InvalidInput
from grannsamverkan.geo.gis_points import PointFields
from grannsamverkan.services import burglaries as burglary_cases
from grannsamverkan.services.lifecycle import queue_near_repeat_alerts as near_repeat_alerts

# --- helpers ----------------------------------------------------------------------------------------


def _fmt(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}"


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
        with tqdm(
            total=len(parsed.records), unit=" burglaries", desc=f"burglaries {args.file.name}", file=sys.stderr, leave=False, disable=None
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.update(done - bar.n)

            result = await burglary_cases.import_burglary_file(conn, cli_actor(), args.kommun, file, on_progress=progress)
        await near_repeat_alerts(conn, args.kommun)  # contact persons of active groups within 400 m (issue 19)
        if args.json:
            print_json(result)
        else:
            print(
                f"burglaries {args.file.name} ({file.kind}, source {parsed.source!r}) into {args.kommun}: "
                f"{result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged, "
                f"{result.skipped} skipped; {result.assigned} assigned to an area, {result.unassigned} not"
            )
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
        f"{'rank':>4}  {'area':>6}  {'name':<24} {'households':>10} {'burglaries':>10} "
        f"{'rate/1000 (95 % CI)':>24} {'EB/1000':>8} {'near-rep.':>9} {'group':>5}  {'score':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in items:
        ci = f"{_fmt(r.rate_per_1000)} ({_fmt(r.rate_ci_low)}–{_fmt(r.rate_ci_high)})"
        name = r.name if len(r.name) <= 24 else r.name[:23] + "…"
        lines.append(
            f"{r.rank:>4}  {r.area_id:>6}  {name:<24} {r.households:>10} {_fmt(r.burglaries):>10} {ci:>24} "
            f"{_fmt(r.eb_rate_per_1000):>8} {_fmt(r.near_repeat_score, 2):>9} {'yes' if r.has_active_group else '':>5}  "
            f"{r.score:>9.3f}"
        )
    return "\n".join(lines)


@command("priority")
def priority(args: argparse.Namespace, settings: Any) -> int:
    first, last = period_ending(args.to, args.from_)

    async def work(conn: Any) -> int:
        await kommuner.require_known(conn, [args.kommun])
        name = (await kommuner.get_kommun(conn, args.kommun)).name
        print(f"ranking {args.kommun} {name} by {args.method}, {first}..{last}", file=sys.stderr)
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
            f"Priority areas in {args.kommun} {name}, {first} – {last}, method {args.method}"
            f"{' (covered areas included)' if args.include_covered else ''}: "
            f"{len(items)} of {len(ranked)} areas"
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
    head = f"{'':<12} {'method':<12} {'hit rate':>9} {'households':>11} {'PAI':>6} {'test burglaries':>16}"
    lines = [head, "-" * len(head)]
    for label, r in rows:
        lines.append(f"{label:<12} {r.method:<12} {r.hit_rate:>9.3f} {r.households_share:>11.3f} {r.pai:>6.2f} {r.burglaries_test:>16.1f}")
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
                    f"Backtest {args.kommun}: train {args.train_from} – {args.train_to}, test {args.test_from} – "
                    f"{args.test_to}, coverage {args.coverage:.0%} of households"
                )
                print(_result_table([("", r) for r in results]))
            return EXIT_OK
        return await _rolling(conn, args, methods)

    return run_with_connection(settings, work)


async def _rolling(conn: Any, args: argparse.Namespace, methods: list[BacktestMethod]) -> int:
    start_year, folds = _rolling_span(await burglaries.data_span(conn, args.kommun), args.kommun)
    start = burglaries.day_start(date(start_year, 1, 1))
    fold_list = yearly_folds(start, folds)
    print(f"loading {args.kommun}: {start_year}–{start_year + folds}", file=sys.stderr)
    data = await burglaries.ranking_data(conn, args.kommun, start - timedelta(days=args.window_days), fold_list[-1].test_to)
    if not data.areas:
        raise InvalidInput.at("kommun", "ranking.no_areas", kommun=args.kommun)
    per_method: dict[str, list[BacktestResult]] = {}
    for method in tqdm(methods, desc="backtest", unit=" method", file=sys.stderr, leave=False, disable=None):
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
    print(f"Rolling yearly backtest {args.kommun}, household PAI at {args.coverage:.0%} coverage (train year t, test year t + 1)")
    head = f"{'train → test':<14}" + "".join(f"{m:>13}" for m in methods) + f"{'burglaries':>12}"
    print(head)
    print("-" * len(head))
    for fold in answer.folds:
        print(
            f"{fold.train_year} → {fold.test_year:<6}"
            + "".join(f"{r.pai:>13.2f}" for r in fold.results)
            + f"{fold.results[0].burglaries_test:>12.1f}"
        )
    print(f"{'mean':<14}" + "".join(f"{answer.mean_pai[m]:>13.2f}" for m in methods))
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
    imports = sub.add_parser("import", help=cli.command_help("import")).add_subparsers(dest="import_command", required=True, metavar="WHAT")
    cli.IMPORT_SUBPARSERS = imports
    return imports


def _ranking_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--bandwidth",
        type=float,
        default=DEFAULT_BANDWIDTH_M,
        metavar="METRES",
        help=f"near_repeat: distance at which a burglary's weight reaches 0 (default {DEFAULT_BANDWIDTH_M:g})",
    )
    p.add_argument(
        "--window-days",
        type=float,
        default=DEFAULT_TIME_WINDOW_DAYS,
        metavar="DAYS",
        help=f"near_repeat: age at which a burglary's weight reaches 0 (default {DEFAULT_TIME_WINDOW_DAYS:g})",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def extend_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = _import_subparsers(sub).add_parser(
        "burglaries",
        parents=[common],
        help="a CSV of burglaries or a Swedish Police events JSON array (all or nothing, idempotent by source and external_ref)",
    )
    p.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="CSV (.csv), police events (.json, or any file starting with '['), or the points of a .gpkg, .shp, .zip or .geojson",
    )
    p.add_argument("--kommun", required=True, help="SCB kommun code, e.g. 2283")
    p.add_argument("--source", help="who reported them (default 'csv' for a CSV or GIS file, 'polisen' for the police feed)")
    point_file_options(p, household_fields=False)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = sub.add_parser("priority", parents=[common], help=cli.command_help("priority"))
    p.add_argument("--kommun", required=True, help="SCB kommun code, e.g. 2283")
    p.add_argument("--from", dest="from_", type=iso_date, metavar="YYYY-MM-DD", help="first day (default: --to − 365 days)")
    p.add_argument("--to", type=iso_date, metavar="YYYY-MM-DD", help="last day, included (default: today)")
    p.add_argument("--method", choices=METHODS, default="eb", help="rate, eb (default) or near_repeat")
    p.add_argument("--limit", type=int, default=20, help="areas to show (default 20)")
    p.add_argument("--include-covered", action="store_true", help="also list areas with an active group")
    _ranking_options(p)

    p = sub.add_parser("backtest", parents=[common], help=cli.command_help("backtest"))
    p.add_argument("--kommun", required=True, help="SCB kommun code, e.g. 2283")
    p.add_argument("--train-from", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--train-to", type=iso_date, metavar="YYYY-MM-DD", help="last training day, included")
    p.add_argument("--test-from", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--test-to", type=iso_date, metavar="YYYY-MM-DD", help="last test day, included")
    p.add_argument(
        "--method",
        choices=BACKTEST_METHODS,
        default=None,
        help="one method (compared with naive); default: every method. Without periods: a rolling "
        "yearly backtest over the calendar years with data",
    )
    p.add_argument("--coverage", type=float, default=0.1, help="share of households flagged (default 0.1)")
    _ranking_options(p)


cli.PARSER_EXTENSIONS.append(extend_parser)
