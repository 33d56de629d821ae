"""Backtests for priority-area rankings: how many later burglaries would the flagged areas catch?

Rank every area on a training period, flag areas best first until the flagged households reach
``coverage`` of all households, and count the test-period burglaries (aoristic, area-assigned)
that fall in flagged areas:

* ``hit_rate = flagged test burglaries / all test burglaries``
* ``households_share = flagged households / all households``
* ``pai = hit_rate / households_share`` (Chainey's Predictive Accuracy Index, per household
  instead of per km²; 1.0 is what flagging at random achieves).

The area that crosses the coverage line is flagged whole (an area cannot be half-flagged), so
``households_share`` may exceed ``coverage`` a little; the PAI divides by the real share, which
keeps methods comparable. Areas without households are never flagged. With no test burglaries,
``hit_rate`` and ``pai`` are 0.0.

By default all areas take part, covered ones too: the backtest judges the forecast, not the
shortlist. ``method="naive"`` ranks by last period's raw (aoristic) count and is the baseline to
beat; :func:`backtest_scores` takes an explicit score per area (e.g. the true risk in a
simulation, the ceiling).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Final, Literal, get_args

import msgspec
import numpy as np
import numpy.typing as npt

from grannsamverkan import messages
from grannsamverkan.domain.ranking import (
    DEFAULT_BANDWIDTH_M,
    DEFAULT_TIME_WINDOW_DAYS,
    METHOD_WORDS,
    AreaTable,
    Incident,
    IncidentTable,
    RankingArea,
    area_counts,
    order,
    score_areas,
)
from grannsamverkan.errors import FieldError, InvalidInput

__all__ = [
    "BACKTEST_METHODS",
    "BACKTEST_METHOD_WORDS",
    "BacktestMethod",
    "BacktestResult",
    "Fold",
    "backtest",
    "backtest_scores",
    "rolling_backtest",
    "training_scores",
    "yearly_folds",
]

BacktestMethod = Literal["rate", "eb", "near_repeat", "naive"]
BACKTEST_METHODS: Final[tuple[BacktestMethod, ...]] = get_args(BacktestMethod)
#: The methods in words; the baseline ranks by the training period's own count.
BACKTEST_METHOD_WORDS: Final[dict[str, str]] = {**METHOD_WORDS, "naive": "förra periodens antal inbrott"}


class BacktestResult(msgspec.Struct, frozen=True, kw_only=True):
    """The answer of ``GET /api/v1/priority-areas/backtest``."""

    method: str
    coverage: float
    hit_rate: float
    pai: float
    households_share: float
    burglaries_test: float


class Fold(msgspec.Struct, frozen=True, kw_only=True):
    train_from: datetime
    train_to: datetime
    test_from: datetime
    test_to: datetime


def _period_errors(prefix: str, start: datetime, end: datetime) -> list[FieldError]:
    if start.utcoffset() is None or end.utcoffset() is None:
        return [FieldError.of(f"{prefix}_from", "ranking.tz_aware")]
    if not start < end:
        return [FieldError.of(f"{prefix}_to", "ranking.after", start=f"{prefix}_from")]
    return []


def _check_coverage(coverage: float) -> list[FieldError]:
    if not (math.isfinite(coverage) and 0 < coverage <= 1):
        return [FieldError.of("coverage", "backtest.coverage")]
    return []


def _tables(areas: Sequence[RankingArea] | AreaTable, incidents: Sequence[Incident] | IncidentTable) -> tuple[AreaTable, IncidentTable]:
    table = areas if isinstance(areas, AreaTable) else AreaTable(areas)
    if isinstance(incidents, IncidentTable):
        if not np.array_equal(incidents.area_ids, table.area_id):
            raise InvalidInput.at("incidents", "ranking.incidents_other_areas")
        return table, incidents
    return table, IncidentTable.build(incidents, table)


def training_scores(
    method: BacktestMethod,
    areas: AreaTable,
    incidents: IncidentTable,
    train_from: datetime,
    train_to: datetime,
    *,
    bandwidth_m: float = DEFAULT_BANDWIDTH_M,
    time_window_days: float = DEFAULT_TIME_WINDOW_DAYS,
) -> npt.NDArray[np.float64]:
    """The score each area gets from the training period (near_repeat: at ``train_to``)."""
    if method not in BACKTEST_METHODS:
        raise InvalidInput.at("method", "ranking.method_unknown", methods=messages.choices(BACKTEST_METHOD_WORDS, BACKTEST_METHODS))
    errors = _period_errors("train", train_from, train_to)
    if errors:
        raise InvalidInput("backtest.training_period", errors)
    if method == "naive":
        return area_counts(areas, incidents, train_from.timestamp(), train_to.timestamp())
    s = score_areas(
        method,
        areas,
        incidents,
        train_from,
        train_to,
        bandwidth_m=bandwidth_m,
        time_window_days=time_window_days,
    )
    return s.score


def backtest_scores(
    scores: npt.ArrayLike,
    areas: Sequence[RankingArea] | AreaTable,
    incidents: Sequence[Incident] | IncidentTable,
    test_from: datetime,
    test_to: datetime,
    coverage: float = 0.1,
    *,
    method: str = "scores",
    include_covered: bool = True,
) -> BacktestResult:
    """Judge an explicit score per area (aligned with ``areas``) against the test period."""
    errors = _period_errors("test", test_from, test_to) + _check_coverage(coverage)
    area_table, inc = _tables(areas, incidents)
    score = np.asarray(scores, np.float64)
    if score.shape != (len(area_table),):
        errors.append(FieldError.of("scores", "backtest.scores"))
    if errors:
        raise InvalidInput("backtest.invalid", errors)
    eligible = np.ones(len(area_table), bool) if include_covered else ~area_table.covered
    n = area_table.households
    total_n = float(n[eligible].sum())
    if total_n <= 0:
        raise InvalidInput("backtest.no_households", [FieldError.of("areas", "backtest.no_households_in_areas")])
    k = area_counts(area_table, inc, test_from.timestamp(), test_to.timestamp())
    idx = order(score, n, area_table.area_id)
    idx = idx[eligible[idx]]
    before = np.cumsum(n[idx]) - n[idx]
    flagged = idx[(before < coverage * total_n) & (n[idx] > 0)]
    share = float(n[flagged].sum()) / total_n
    total_k = float(k[eligible].sum())
    hit = float(k[flagged].sum()) / total_k if total_k > 0 else 0.0
    return BacktestResult(
        method=method,
        coverage=coverage,
        hit_rate=hit,
        pai=hit / share if share > 0 else 0.0,
        households_share=share,
        burglaries_test=total_k,
    )


def backtest(
    method: BacktestMethod,
    areas: Sequence[RankingArea] | AreaTable,
    incidents: Sequence[Incident] | IncidentTable,
    train_from: datetime,
    train_to: datetime,
    test_from: datetime,
    test_to: datetime,
    coverage: float = 0.1,
    *,
    include_covered: bool = True,
    bandwidth_m: float = DEFAULT_BANDWIDTH_M,
    time_window_days: float = DEFAULT_TIME_WINDOW_DAYS,
) -> BacktestResult:
    """Rank on ``[train_from, train_to)``, flag ``coverage`` of households, judge on the test."""
    errors = _check_coverage(coverage) + _period_errors("test", test_from, test_to)
    if errors:
        raise InvalidInput("backtest.invalid", errors)
    area_table, inc = _tables(areas, incidents)
    score = training_scores(
        method,
        area_table,
        inc,
        train_from,
        train_to,
        bandwidth_m=bandwidth_m,
        time_window_days=time_window_days,
    )
    return backtest_scores(
        score,
        area_table,
        inc,
        test_from,
        test_to,
        coverage,
        method=method,
        include_covered=include_covered,
    )


def _add_years(when: datetime, years: int) -> datetime:
    try:
        return when.replace(year=when.year + years)
    except ValueError:  # 29 February
        return when.replace(year=when.year + years, day=28)


def yearly_folds(start: datetime, folds: int) -> list[Fold]:
    """Fold t trains on year t after ``start`` and tests on year t + 1."""
    if folds < 1:
        raise InvalidInput("backtest.folds", [FieldError.of("folds", "ranking.at_least_one")])
    return [
        Fold(
            train_from=_add_years(start, t),
            train_to=_add_years(start, t + 1),
            test_from=_add_years(start, t + 1),
            test_to=_add_years(start, t + 2),
        )
        for t in range(folds)
    ]


def rolling_backtest(
    method: BacktestMethod,
    areas: Sequence[RankingArea] | AreaTable,
    incidents: Sequence[Incident] | IncidentTable,
    start: datetime,
    folds: int = 5,
    coverage: float = 0.1,
    *,
    include_covered: bool = True,
    bandwidth_m: float = DEFAULT_BANDWIDTH_M,
    time_window_days: float = DEFAULT_TIME_WINDOW_DAYS,
) -> list[BacktestResult]:
    """Yearly folds from ``start`` (train year t, test year t + 1); one result per fold."""
    area_table, inc = _tables(areas, incidents)
    return [
        backtest(
            method,
            area_table,
            inc,
            f.train_from,
            f.train_to,
            f.test_from,
            f.test_to,
            coverage,
            include_covered=include_covered,
            bandwidth_m=bandwidth_m,
            time_window_days=time_window_days,
        )
        for f in yearly_folds(start, folds)
    ]
