"""Seeded synthetic burglaries for one rural kommun, for benchmarks and backtests.

A Sollefteå-like kommun (SWEREF 99 TM, around x ≈ 620 000, y ≈ 7 000 000): areas clustered in
villages of very different size plus scattered farms, households lognormal and clipped to
5–500, a heterogeneous true risk per household (gamma, with a village factor), and a
self-exciting (Hawkes-like) process: background burglaries arrive as a Poisson process per area,
and each burglary triggers ``Poisson(branching)`` offspring a few weeks later within a few hundred
metres (near repeats). About a third of the burglaries are found later and carry a time window;
a few have no area (only a point) or no point (only an area).

    python benchmarks/synthetic_burglaries.py [--seed 2283] [--areas 2000] [--years 6] [--incidents 20000] [--out data.json]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import numpy as np
from scipy import spatial

from grannsamverkan.domain.ranking import Incident, RankingArea

__all__ = ["SyntheticData", "generate"]

CENTRE_X, CENTRE_Y = 620_000.0, 7_000_000.0
_YEAR_DAYS = 365.25


@dataclass(frozen=True, slots=True)
class SyntheticData:
    areas: list[RankingArea]
    incidents: list[Incident]
    #: Background burglaries per household per year, aligned with ``areas``: the ceiling score.
    true_risk: np.ndarray
    start: datetime
    years: int


def _layout(rng: np.random.Generator, n_areas: int) -> tuple[np.ndarray, np.ndarray]:
    n_villages = max(1, n_areas // 35)
    centres = np.column_stack(
        (
            CENTRE_X + rng.uniform(-45_000, 45_000, n_villages),
            CENTRE_Y + rng.uniform(-40_000, 40_000, n_villages),
        )
    )
    size = rng.pareto(1.2, n_villages) + 1.0
    size[0] *= 8  # the town
    village_share = 0.85
    in_village = rng.random(n_areas) < village_share
    village = rng.choice(n_villages, n_areas, p=size / size.sum())
    spread = 250.0 * np.sqrt(size[village])
    xy = centres[village] + rng.normal(size=(n_areas, 2)) * spread[:, None]
    rural = ~in_village
    xy[rural] = np.column_stack(
        (
            CENTRE_X + rng.uniform(-50_000, 50_000, rural.sum()),
            CENTRE_Y + rng.uniform(-45_000, 45_000, rural.sum()),
        )
    )
    return xy, np.where(in_village, village, -1)


def generate(
    seed: int = 2283,
    n_areas: int = 2_000,
    years: int = 6,
    expected_incidents: float = 20_000,
    *,
    start: datetime = datetime(2019, 1, 1, tzinfo=UTC),
    branching: float = 0.35,
    trigger_days: float = 14.0,
    trigger_m: float = 150.0,
    kommun: str = "2283",
) -> SyntheticData:
    """A reproducible kommun; ``expected_incidents`` counts offspring too."""
    rng = np.random.default_rng(seed)
    xy, village = _layout(rng, n_areas)
    households = np.clip(np.round(rng.lognormal(np.log(40), 1.0, n_areas)), 5, 500).astype(np.int64)
    village_factor = rng.lognormal(0.0, 0.5, village.max() + 2)[village + 1]
    risk = rng.gamma(0.8, 1.0, n_areas) * village_factor
    span_days = years * _YEAR_DAYS
    # Scale so that background + offspring ≈ expected_incidents.
    risk *= expected_incidents * (1 - branching) / (float((households * risk).sum()) * years)
    mu = households * risk * years

    n_bg = rng.poisson(mu)
    area = np.repeat(np.arange(n_areas), n_bg)
    t = rng.uniform(0, span_days, len(area))
    pts = xy[area] + rng.normal(0, 120.0, (len(area), 2))
    tree = spatial.cKDTree(xy)
    all_t, all_pts, all_area = [t], [pts], [area]
    parent_t, parent_pts = t, pts
    while len(parent_t):
        n_kids = rng.poisson(branching, len(parent_t))
        kt = np.repeat(parent_t, n_kids) + rng.exponential(trigger_days, n_kids.sum())
        kp = np.repeat(parent_pts, n_kids, axis=0) + rng.normal(0, trigger_m, (n_kids.sum(), 2))
        keep = kt < span_days
        kt, kp = kt[keep], kp[keep]
        ka = tree.query(kp)[1].astype(np.int64)
        all_t.append(kt)
        all_pts.append(kp)
        all_area.append(ka)
        parent_t, parent_pts = kt, kp
    t = np.concatenate(all_t)
    pts = np.concatenate(all_pts)
    area = np.concatenate(all_area)
    sort = np.argsort(t, kind="stable")
    t, pts, area = t[sort], pts[sort], area[sort]

    m = len(t)
    windowed = rng.random(m) < 0.35
    width = np.where(windowed, rng.exponential(2.0, m) + 0.1, 0.0)
    t_from = t - rng.random(m) * width
    t_to = t_from + width
    no_area = rng.random(m) < 0.05
    no_point = ~no_area & (rng.random(m) < 0.08)

    area_ids = np.arange(1, n_areas + 1)
    covered = rng.random(n_areas) < 0.1
    areas = [
        RankingArea(
            area_id=int(area_ids[i]),
            name=f"Område {i + 1}",
            kommun=kommun,
            households=int(households[i]),
            x=float(xy[i, 0]),
            y=float(xy[i, 1]),
            has_active_group=bool(covered[i]),
        )
        for i in range(n_areas)
    ]
    day = timedelta(days=1)
    incidents = [
        Incident(
            occurred_from=start + f * day,
            occurred_to=start + e * day,
            area_id=None if na else int(area_ids[a]),
            x=None if npnt else float(p[0]),
            y=None if npnt else float(p[1]),
        )
        for f, e, a, p, na, npnt in zip(
            t_from.tolist(),
            t_to.tolist(),
            area.tolist(),
            pts,
            no_area.tolist(),
            no_point.tolist(),
            strict=True,
        )
    ]
    return SyntheticData(areas=areas, incidents=incidents, true_risk=risk, start=start, years=years)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2283)
    parser.add_argument("--areas", type=int, default=2_000)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--incidents", type=float, default=20_000)
    parser.add_argument("--out", type=Path, help="write {areas, incidents, true_risk} as JSON")
    args = parser.parse_args(argv)
    data = generate(args.seed, args.areas, args.years, args.incidents)
    per_year = np.bincount([i.occurred_to.year - data.start.year for i in data.incidents])
    windowed = sum(i.occurred_from != i.occurred_to for i in data.incidents)
    print(f"areas {len(data.areas)}, households {sum(a.households for a in data.areas)}")
    print(f"incidents {len(data.incidents)} ({windowed} with a time window), per year {per_year.tolist()}")
    if args.out:
        payload = {
            "areas": data.areas,
            "incidents": data.incidents,
            "true_risk": data.true_risk.tolist(),
        }
        args.out.write_bytes(msgspec.json.encode(payload))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
