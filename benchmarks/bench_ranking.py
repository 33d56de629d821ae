"""Timing and forecast skill of the priority-area rankings on the synthetic kommun.

    python benchmarks/bench_ranking.py [--seed 2283] [--runs 7]

Prints (1) the median time of each method on 2,000 areas and ~20,000 burglaries, in ms and as a
ratio to a fixed numpy baseline run in the same process, (2) the time of a 5-fold rolling yearly
backtest, and (3) the household PAI at 10 % coverage per fold (train year t, test year t + 1)
next to the true-risk ceiling and the naive last-year-count baseline, and (4) the same PAI for
the 14 days after 26 cuts four weeks apart, the horizon near-repeat scores are made for.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta

import numpy as np
from synthetic_burglaries import generate

from grannsamverkan.domain.backtest import backtest, backtest_scores, rolling_backtest, yearly_folds
from grannsamverkan.domain.ranking import AreaTable, IncidentTable, rank_areas

FOLDS = 5
COVERAGE = 0.1


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2283)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    data = generate(args.seed, years=FOLDS + 1)
    areas, incidents = data.areas, data.incidents
    print(f"{len(areas)} areas, {sum(a.households for a in areas)} households, {len(incidents)} burglaries")

    rng = np.random.default_rng(0)
    noise = rng.random(200_000)
    baseline = median_ms(lambda: np.sort(noise), args.runs)
    print(f"\nbaseline (np.sort of 200,000 floats): {baseline:.2f} ms")

    table = AreaTable(areas)
    inc_table = IncidentTable.build(incidents, table)
    period_to = data.start.replace(year=data.start.year + FOLDS)
    period_from = period_to - timedelta(days=365)
    build = median_ms(lambda: IncidentTable.build(incidents, AreaTable(areas)), args.runs)
    print(f"building the incident table from Incident structs: {build:.1f} ms ({build / baseline:.1f}x baseline)")
    print("\n| method | rank_areas from structs (ms) | from a prebuilt table (ms) | ×baseline | 5-fold backtest (ms) |")
    print("|---|---:|---:|---:|---:|")
    total_backtest = 0.0
    for method in ("rate", "eb", "near_repeat", "naive"):
        if method != "naive":
            structs = median_ms(lambda m=method: rank_areas(m, areas, incidents, period_from, period_to), args.runs)
            prebuilt = median_ms(lambda m=method: rank_areas(m, areas, inc_table, period_from, period_to), args.runs)
        bt = median_ms(
            lambda m=method: rolling_backtest(m, areas, incidents, data.start, FOLDS, COVERAGE),
            args.runs,
        )
        total_backtest += bt
        if method == "naive":
            print(f"| naive | – | – | – | {bt:.1f} |")
        else:
            print(f"| {method} | {structs:.1f} | {prebuilt:.1f} | {structs / baseline:.1f} | {bt:.1f} |")
    print(f"all four 5-fold backtests together: {total_backtest:.0f} ms")

    print(f"\nHousehold PAI at {COVERAGE:.0%} coverage, train year t → test year t + 1 ({FOLDS} folds)")
    rows: list[tuple[str, list[float], list[float]]] = []
    folds = yearly_folds(data.start, FOLDS)
    truth = [backtest_scores(data.true_risk, table, inc_table, f.test_from, f.test_to, COVERAGE) for f in folds]
    rows.append(("true risk (ceiling)", [r.pai for r in truth], [r.hit_rate for r in truth]))
    variants: list[tuple[str, str, dict[str, float]]] = [
        ("rate", "rate", {}),
        ("eb", "eb", {}),
        ("near_repeat (400 m, 56 d)", "near_repeat", {}),
        ("near_repeat (400 m, 365 d)", "near_repeat", {"time_window_days": 365.0}),
        ("naive (last year's count)", "naive", {}),
    ]
    for label, method, kwargs in variants:
        res = rolling_backtest(method, table, inc_table, data.start, FOLDS, COVERAGE, **kwargs)  # type: ignore[arg-type]
        rows.append((label, [r.pai for r in res], [r.hit_rate for r in res]))
    years = [f.test_from.year for f in folds]
    print("\n| method | mean PAI | " + " | ".join(f"PAI {y}" for y in years) + " | mean hit rate |")
    print("|---|---:|" + "---:|" * len(years) + "---:|")
    for label, pai, hit in rows:
        cells = " | ".join(f"{p:.2f}" for p in pai)
        print(f"| {label} | {statistics.mean(pai):.2f} | {cells} | {statistics.mean(hit):.1%} |")

    # Short horizon: where near repeats matter. Every 4 weeks over the last two years, rank at the
    # cut (training = the year before it) and test on the next 14 days.
    cuts = [period_to - timedelta(weeks=4 * i) for i in range(26, 0, -1)]
    print(f"\nShort horizon: household PAI at {COVERAGE:.0%} coverage for the 14 days after each of {len(cuts)} cuts")
    print("\n| method | mean PAI | mean hit rate |")
    print("|---|---:|---:|")
    short_truth = [backtest_scores(data.true_risk, table, inc_table, cut, cut + timedelta(days=14), COVERAGE) for cut in cuts]
    print(
        f"| true risk (ceiling) | {statistics.mean(r.pai for r in short_truth):.2f} "
        f"| {statistics.mean(r.hit_rate for r in short_truth):.1%} |"
    )
    for label, method, kwargs in variants:
        res = [
            backtest(
                method,  # type: ignore[arg-type]
                table,
                inc_table,
                cut - timedelta(days=365),
                cut,
                cut,
                cut + timedelta(days=14),
                COVERAGE,
                **kwargs,  # type: ignore[arg-type]
            )
            for cut in cuts
        ]
        print(f"| {label} | {statistics.mean(r.pai for r in res):.2f} | {statistics.mean(r.hit_rate for r in res):.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
