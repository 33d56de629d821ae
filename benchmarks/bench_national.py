"""National scale: kommuner with their real boundaries, areas, households and burglaries imported
through the HTTP API of a real server, then the reads a coordinator, the police and cron make.

    python benchmarks/bench_national.py [--seed 14] [--kommuner 20] [--areas 2000]
                                        [--households 150000] [--burglaries N] [--stockholm] [--full]

Default: 20 kommuner drawn by the seed, 2,000 areas, 150,000 households (about 2 minutes on 2
cores). ``--full``: all 290 kommuner, 29,000 areas, 4.84 million households, 45,000 burglaries
(the size of the issue's measurement; needs about 1.5 GB of disk and a quiet machine).
``--stockholm`` adds Stockholm (0180) as a kommun of 2,000 areas and 480,000 households, the size
at which the kommun page and the priority page must stay usable.

Everything is drawn from ``random.Random(seed)`` and NumPy generators seeded from it, so a run
with the same arguments imports the same files. Kommun boundaries come from the shared data's
``kommuner.geojson`` (``--boundaries``; its ``geo_point_2d`` is [lat, lon] and is not used).
Areas are irregular polygons of 8-40 vertices, each in its own cell of a grid laid inside the
kommun 300 m from its border, clustered around a town centre; households lie inside the areas;
most burglaries lie in areas (weighted by households and a per-area risk), the rest elsewhere in
the kommun. About 8 % of areas have a group from earlier years, 2 % one established this year, 5 %
a forming group with sign-ups and a contact person; every kommun has a goal for this year.

The server is the app in uvicorn (one worker, in a child process, so that its peak RSS is its
own) on DATABASE_URL's server when set (a fresh database is made there and dropped), else on an
embedded PostgreSQL in a temporary folder. It prints:

  import      per kind, the summed request times of the API imports (one request per kommun), and
              the ratio against a plain COPY of the same rows (the same CSV; for areas, their
              GeoJSON geometry as text) into an unindexed table, each COPY right after its import
  reads       priority areas (three methods), a backtest, eligibility p50/p99 (sequential
              requests over the forming groups), `goals check` of every kommun and a report
              (the CLI, as cron runs them), database size, the server's peak RSS
  pages       the kommun page and the priority page of the biggest kommun: time to the last
              byte at a local client (median of 5 after a warm-up) and bytes sent, against the
              budget: under 300 ms and 1 MB each

The exit status is 1 when a page misses its budget.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import shapely
import shapely.geometry
from bench_hot_path import free_port, fresh_database

from grannsamverkan.geo.crs import WGS84, to_sweref

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BOUNDARY_CANDIDATES = (ROOT.parent / "shared/data/kommuner.geojson", ROOT.parents[1] / "shared/data/kommuner.geojson")
STOCKHOLM = "0180"
PAGE_BUDGET_MS = 300.0
PAGE_BUDGET_BYTES = 1_000_000
AREA_KINDS = ("villa", "radhus", "flerbostadshus", "by", "fritidshus", "blandat")
CATEGORIES = ("villa", "lagenhet", "fritidshus", "forrad", "ovrigt")
NAME_FIRST = ("Björk", "Ek", "Gran", "Tall", "Sjö", "Berg", "Äng", "Lind", "Rönn", "Sol", "Hassel", "Lärk")
NAME_LAST = ("backen", "dalen", "hagen", "gården", "udden", "skogen", "torp", "viken", "ängen", "lund", "höjden")
STREETS = ("Storgatan", "Kyrkvägen", "Skolgatan", "Parkvägen", "Sjövägen", "Björkvägen", "Ringvägen", "Åsvägen")
FULL = {"kommuner": 290, "areas": 29_000, "households": 4_840_000, "burglaries": 45_000}
STOCKHOLM_SIZE = {"areas": 2_000, "households": 480_000}


# --- the data ---------------------------------------------------------------------------------------


@dataclass
class Kommun:
    code: str
    name: str
    boundary: shapely.Geometry  # SWEREF 99 TM
    areas: int
    households: int
    burglaries: int
    cells: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))  # area centres
    cell: float = 0.0  # cell side (m)
    household_counts: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


def load_boundaries(path: Path) -> dict[str, tuple[str, shapely.Geometry]]:
    """Code -> (name, boundary in SWEREF 99 TM)."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for feature in collection["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        sweref = shapely.transform(geom, lambda xs, ys: to_sweref(xs, ys, WGS84), interleaved=False)
        out[feature["properties"]["id"]] = (feature["properties"]["kom_namn"], sweref)
    return out


def split(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """``total`` split in proportion to ``weights``, each part at least ``minimum``."""
    spare = total - minimum * len(weights)
    parts = np.floor(weights / weights.sum() * spare).astype(np.int64) + minimum
    parts[np.argmax(weights)] += total - parts.sum()
    return parts


def plan(
    rng: random.Random,
    boundaries: dict[str, tuple[str, shapely.Geometry]],
    n_kommuner: int,
    n_areas: int,
    n_households: int,
    n_burglaries: int,
    stockholm: bool,
) -> list[Kommun]:
    """The kommuner drawn by ``rng`` and their shares (lognormal); with ``stockholm``, Stockholm
    is not drawn but added with STOCKHOLM_SIZE on top of the totals."""
    candidates = sorted(c for c in boundaries if not (stockholm and c == STOCKHOLM))
    chosen = sorted(rng.sample(candidates, min(n_kommuner, len(candidates))))
    np_rng = np.random.default_rng(rng.getrandbits(32))
    weights = np_rng.lognormal(0.0, 1.0, len(chosen)) if chosen else np.empty(0)
    area_parts = split(n_areas, weights, 1) if chosen else []
    household_parts = split(n_households, weights, 10) if chosen else []
    kommuner = [
        Kommun(code, boundaries[code][0], boundaries[code][1], int(a), int(h), 0)
        for code, a, h in zip(chosen, area_parts, household_parts, strict=True)
    ]
    if stockholm:
        kommuner.append(Kommun(STOCKHOLM, boundaries[STOCKHOLM][0], boundaries[STOCKHOLM][1], **STOCKHOLM_SIZE, burglaries=0))
    per_household = n_burglaries / max(n_households, 1)
    for k in kommuner:
        k.burglaries = max(1, round(k.households * per_household))
    return kommuner


def lay_cells(k: Kommun, np_rng: np.random.Generator) -> None:
    """``k.areas`` grid cells inside the kommun (300 m from its border), around a town centre."""
    inner = k.boundary.buffer(-300)
    if inner.is_empty:
        inner = k.boundary
    shapely.prepare(inner)
    side = min(600.0, max(120.0, math.sqrt(inner.area * 0.6 / k.areas)))
    while True:
        minx, miny, maxx, maxy = inner.bounds
        xs, ys = np.meshgrid(np.arange(minx + side / 2, maxx, side), np.arange(miny + side / 2, maxy, side))
        centres = np.column_stack([xs.ravel(), ys.ravel()])
        boxes = shapely.box(centres[:, 0] - side / 2, centres[:, 1] - side / 2, centres[:, 0] + side / 2, centres[:, 1] + side / 2)
        centres = centres[shapely.contains(inner, boxes)]
        if len(centres) >= k.areas:
            break
        side *= 0.8
        if side < 10:
            raise SystemExit(f"{k.code} {k.name} has no room for {k.areas} areas")
    town = inner.representative_point()
    distance = np.hypot(centres[:, 0] - town.x, centres[:, 1] - town.y) * np_rng.lognormal(0.0, 0.6, len(centres))
    k.cells, k.cell = centres[np.argsort(distance)[: k.areas]], side


def outline(np_rng: np.random.Generator, x: float, y: float, side: float) -> list[list[float]]:
    """An irregular polygon inside its cell: 8-40 vertices at 0.34-0.45 of the side from the centre."""
    n = int(np_rng.integers(8, 41))
    angles = (np.arange(n) + np_rng.uniform(-0.3, 0.3, n)) * 2 * math.pi / n
    radii = side * np_rng.uniform(0.34, 0.45, n)
    ring = [[round(x + r * math.cos(a), 1), round(y + r * math.sin(a), 1)] for a, r in zip(angles, radii, strict=True)]
    return [*ring, ring[0]]


def area_features(k: Kommun, np_rng: np.random.Generator) -> list[dict[str, Any]]:
    features = []
    for i, (x, y) in enumerate(k.cells.tolist()):
        name = f"{NAME_FIRST[i % len(NAME_FIRST)]}{NAME_LAST[(i // len(NAME_FIRST)) % len(NAME_LAST)]} {i + 1}"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [outline(np_rng, x, y, k.cell)]},
                "properties": {
                    "name": name,
                    "kommun": k.code,
                    "kind": AREA_KINDS[int(np_rng.integers(6))],
                    "external_ref": f"nat-{k.code}-{i}",
                },
            }
        )
    return features


def points_in_areas(np_rng: np.random.Generator, k: Kommun, area_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points inside the given areas: within 0.3 of the side of the centre, inside every outline."""
    r = 0.3 * k.cell * np.sqrt(np_rng.uniform(0, 1, len(area_index)))
    a = np_rng.uniform(0, 2 * math.pi, len(area_index))
    return k.cells[area_index, 0] + r * np.cos(a), k.cells[area_index, 1] + r * np.sin(a)


def households_csv(k: Kommun, np_rng: np.random.Generator) -> bytes:
    k.household_counts = split(k.households, np_rng.lognormal(0.0, 0.8, k.areas), 0)
    area_index = np.repeat(np.arange(k.areas), k.household_counts)
    xs, ys = points_in_areas(np_rng, k, area_index)
    numbers = np_rng.integers(1, 120, len(xs)).tolist()
    streets = np_rng.integers(0, len(STREETS), len(xs)).tolist()
    postcodes = np_rng.integers(10_000, 99_999, len(xs)).tolist()
    out = io.StringIO()
    out.write("external_ref,street,postcode,city,x,y\n")
    for i, (x, y, n, s, p) in enumerate(zip(xs.tolist(), ys.tolist(), numbers, streets, postcodes, strict=True)):
        out.write(f"h{k.code}-{i},{STREETS[s]} {n},{p // 100} {p % 100:02d},{k.name},{x:.1f},{y:.1f}\n")
    return out.getvalue().encode()


def burglaries_csv(k: Kommun, np_rng: np.random.Generator, today: date) -> bytes:
    """Three years of burglaries: 90 % in areas (households × a gamma risk), 10 % elsewhere."""
    risk = k.household_counts * np_rng.gamma(0.8, 1.0, k.areas)
    in_areas = round(k.burglaries * 0.9) if risk.sum() > 0 else 0
    xs, ys = points_in_areas(np_rng, k, np_rng.choice(k.areas, in_areas, p=risk / risk.sum()) if in_areas else np.empty(0, int))
    inner = k.boundary.buffer(-300)
    if inner.is_empty:
        inner = k.boundary
    minx, miny, maxx, maxy = inner.bounds
    ox: list[float] = []
    oy: list[float] = []
    while len(ox) < k.burglaries - in_areas:
        cx, cy = np_rng.uniform(minx, maxx, 256), np_rng.uniform(miny, maxy, 256)
        keep = shapely.contains_xy(inner, cx, cy)
        ox += cx[keep].tolist()
        oy += cy[keep].tolist()
    xs = np.concatenate([xs, ox[: k.burglaries - in_areas]])
    ys = np.concatenate([ys, oy[: k.burglaries - in_areas]])
    days = np_rng.integers(1, 3 * 365, len(xs)).tolist()
    spans = np_rng.integers(0, 4, len(xs)).tolist()
    categories = np_rng.integers(0, len(CATEGORIES), len(xs)).tolist()
    out = io.StringIO()
    out.write("external_ref,occurred_from,occurred_to,category,x,y\n")
    for i, (x, y, d, s, c) in enumerate(zip(xs.tolist(), ys.tolist(), days, spans, categories, strict=True)):
        start = today - timedelta(days=d)
        out.write(
            f"b{k.code}-{i},{start.isoformat()},{min(start + timedelta(days=s), today).isoformat()},{CATEGORIES[c]},{x:.1f},{y:.1f}\n"
        )
    return out.getvalue().encode()


# --- the server --------------------------------------------------------------------------------------


@contextmanager
def served(url: str) -> Iterator[tuple[str, int]]:
    """The app in uvicorn, one worker, in a child process: (base URL, pid)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "GRANNSAMVERKAN_POOL_MAX_SIZE": "4"}
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "grannsamverkan.app:create_app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"the server exited: {child.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
            try:
                httpx.get(base + "/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base, child.pid
    finally:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        child.stderr.close()  # type: ignore[union-attr]


def peak_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def sql(url: str, query: str, *args: Any) -> Any:
    import asyncpg

    async def run() -> Any:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


def make_tokens(url: str, kommun: str) -> tuple[str, str]:
    """An admin token and a coordinator token of ``kommun``."""
    from grannsamverkan.db import tokens
    from grannsamverkan.db.pool import connect

    async def run() -> tuple[str, str]:
        conn = await connect(url)
        try:
            _, admin = await tokens.create_token(conn, role="admin", kommuner=[], name="bench-national-admin")
            _, coordinator = await tokens.create_token(conn, role="coordinator", kommuner=[kommun], name="bench-national-coordinator")
            return admin, coordinator
        finally:
            await conn.close()

    return asyncio.run(run())


def timed(client: httpx.Client, method: str, path: str, **kwargs: Any) -> tuple[float, httpx.Response]:
    t = time.perf_counter()
    response = client.request(method, path, **kwargs)
    seconds = time.perf_counter() - t
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:2000]}")
    return seconds, response


def median_ms(client: httpx.Client, path: str, runs: int = 5, **kwargs: Any) -> tuple[float, httpx.Response]:
    timed(client, "GET", path, **kwargs)  # warm-up
    times, response = [], None
    for _ in range(runs):
        seconds, response = timed(client, "GET", path, **kwargs)
        times.append(seconds * 1000)
    assert response is not None
    return statistics.median(times), response


# --- the plain COPY of the same rows -----------------------------------------------------------------


class PlainCopy:
    """The baseline: the same rows COPYed (CSV) into an unindexed table of text columns, on one
    connection of its own, right after the API imported them (so both see the same load)."""

    def __init__(self, url: str) -> None:
        import asyncpg

        self.runner = asyncio.Runner()
        self.conn = self.runner.run(asyncpg.connect(url))
        self.made: set[str] = set()

    def seconds(self, kind: str, body: bytes) -> float:
        if kind not in self.made:
            header = body.split(b"\n", 1)[0].decode().split(",")
            self.runner.run(self.conn.execute(f"create table bare_{kind} ({', '.join(f'{c} text' for c in header)})"))
            self.made.add(kind)
        t = time.perf_counter()
        self.runner.run(self.conn.copy_to_table(f"bare_{kind}", source=io.BytesIO(body), format="csv", header=True))
        return time.perf_counter() - t

    def close(self) -> None:
        for kind in self.made:
            self.runner.run(self.conn.execute(f"drop table bare_{kind}"))
        self.runner.run(self.conn.close())
        self.runner.close()


def areas_as_csv(features: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    out.write("external_ref,name,kommun,kind,geometry\n")
    for f in features:
        p = f["properties"]
        geometry = json.dumps(f["geometry"], separators=(",", ":")).replace('"', '""')
        out.write(f'{p["external_ref"]},{p["name"]},{p["kommun"]},{p["kind"]},"{geometry}"\n')
    return out.getvalue().encode()


# --- the run -----------------------------------------------------------------------------------------


@dataclass
class Imported:
    seconds: dict[str, float] = field(default_factory=lambda: {"areas": 0.0, "households": 0.0, "burglaries": 0.0})
    copy_seconds: dict[str, float] = field(default_factory=lambda: {"areas": 0.0, "households": 0.0, "burglaries": 0.0})
    rows: dict[str, int] = field(default_factory=lambda: {"areas": 0, "households": 0, "burglaries": 0})


def import_all(client: httpx.Client, url: str, kommuner: list[Kommun], seed: int, today: date) -> Imported:
    """Each kommun's areas, households and burglaries through the API, one request per kind,
    each followed by the plain COPY of the same rows."""
    done, copy = Imported(), PlainCopy(url)
    for n, k in enumerate(kommuner):
        np_rng = np.random.default_rng([seed, int(k.code)])
        lay_cells(k, np_rng)
        features = area_features(k, np_rng)
        body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
        seconds, _ = timed(
            client,
            "POST",
            "/api/v1/areas/import",
            params={"crs": "EPSG:3006"},
            content=body,
            headers={"content-type": "application/geo+json"},
        )
        done.seconds["areas"] += seconds
        done.copy_seconds["areas"] += copy.seconds("areas", areas_as_csv(features))
        for kind, csv in (("households", households_csv(k, np_rng)), ("burglaries", burglaries_csv(k, np_rng, today))):
            seconds, _ = timed(
                client, "POST", f"/api/v1/{kind}/import", params={"kommun": k.code}, content=csv, headers={"content-type": "text/csv"}
            )
            done.seconds[kind] += seconds
            done.copy_seconds[kind] += copy.seconds(kind, csv)
        done.rows["areas"] += k.areas
        done.rows["households"] += k.households
        done.rows["burglaries"] += k.burglaries
        print(
            f"  {n + 1}/{len(kommuner)} {k.code} {k.name}: {k.areas} areas ({k.cell:.0f} m cells), "
            f"{k.households} households, {k.burglaries} burglaries",
            flush=True,
        )
    copy.close()
    return done


def make_groups(client: httpx.Client, url: str, kommuner: list[Kommun], rng: random.Random, today: date) -> list[int]:
    """Groups from earlier years (8 %), established this year (2 %), forming (5 %) with sign-ups
    and a contact person; a goal for this year in every kommun. Returns the forming groups' ids."""
    forming: list[int] = []
    for k in kommuner:
        ids = {r["external_ref"]: r["id"] for r in sql(url, "select id, external_ref from area where kommun = $1", k.code)}
        for i in range(k.areas):
            roll = rng.random()
            if roll >= 0.15:
                continue
            body: dict[str, Any] = {
                "area_id": ids[f"nat-{k.code}-{i}"],
                "kind": rng.choice(("grannsamverkan", "byavakt")),
                "name": f"Grannsamverkan {i + 1}",
            }
            if roll < 0.10:
                year = rng.randint(2012, today.year - 1) if roll < 0.08 else today.year
                start = date(year, 1, 1)
                body |= {
                    "status": "active",
                    "established_on": (start + timedelta(days=rng.randint(0, (min(today, date(year, 12, 31)) - start).days))).isoformat(),
                }
            _, answer = timed(client, "POST", "/api/v1/groups", json=body)
            if roll >= 0.10:
                forming.append(answer.json()["id"])
        timed(client, "PUT", f"/api/v1/goals/{k.code}/{today.year}", json={"target_new_groups": max(1, k.areas // 50)})
    # Sign-ups as set-up (not measured): a random share of each forming group's households, in one statement.
    sql(
        url,
        """insert into signup (group_id, household_id, kommun)
                select g.id, h.id, h.kommun from watch_group g join household h on h.area_id = g.area_id and h.kommun = g.kommun
                where g.status = 'forming' and (hashint4(h.id::int) % 100 + 100) % 100 < (g.id * 37) % 90""",
    )
    for group_id in forming[: max(1, len(forming) // 2)]:
        rows = sql(url, "select household_id from signup where group_id = $1 limit 1", group_id)
        if rows:
            timed(
                client,
                "POST",
                f"/api/v1/groups/{group_id}/contacts",
                json={"name": "Kontakt Person", "phone": "070-000 00 00", "household_id": rows[0]["household_id"]},
            )
    return forming


def cli_seconds(url: str, *args: str) -> tuple[float, int]:
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "grannsamverkan", *args], env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True
    )
    seconds = time.perf_counter() - t
    if done.returncode not in (0, 1):
        raise RuntimeError(f"grannsamverkan {' '.join(args)}: {done.returncode} {done.stderr[-2000:]}")
    return seconds, done.returncode


def eligibility_ms(client: httpx.Client, groups: list[int], requests: int, rng: random.Random) -> tuple[float, float]:
    for group_id in groups[:20]:
        timed(client, "GET", f"/api/v1/groups/{group_id}/eligibility")
    times = sorted(timed(client, "GET", f"/api/v1/groups/{rng.choice(groups)}/eligibility")[0] * 1000 for _ in range(requests))
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]


def page_line(name: str, ms: float, response: httpx.Response) -> tuple[str, bool]:
    size = len(response.content)
    ok = ms < PAGE_BUDGET_MS and size < PAGE_BUDGET_BYTES
    return (
        f"  {name:<15} {ms:7.0f} ms  {size / 1e6:5.2f} MB ({len(gzip.compress(response.content, 6)) / 1e6:4.2f} MB gzipped)"
        f"   {'OK' if ok else 'OVER BUDGET'} (budget < {PAGE_BUDGET_MS:.0f} ms and < {PAGE_BUDGET_BYTES / 1e6:.0f} MB)"
    ), ok


def report_reads(client: httpx.Client, url: str, biggest: Kommun, forming: list[int], rng: random.Random, today: date) -> None:
    for method in ("eb", "rate", "near_repeat"):
        ms, answer = median_ms(client, "/api/v1/priority-areas", params={"kommun": biggest.code, "method": method, "limit": 100})
        print(f"  priority areas ({method:<11}) {ms:7.1f} ms   ({len(answer.json()['items'])} items)")
    year = today.year
    ms, answer = median_ms(
        client,
        "/api/v1/priority-areas/backtest",
        runs=3,
        params={
            "kommun": biggest.code,
            "method": "eb",
            "train_from": f"{year - 3}-12-01",
            "train_to": f"{year - 1}-11-30",
            "test_from": f"{year - 1}-12-01",
            "test_to": f"{year}-11-30",
        },
    )
    print(f"  backtest (eb, 2 years -> 1)    {ms:7.1f} ms   (hit rate {answer.json()['hit_rate']:.2f})")
    if forming:
        p50, p99 = eligibility_ms(client, forming, 2000, rng)
        print(f"  eligibility, 2,000 sequential   p50 {p50:.2f} ms   p99 {p99:.2f} ms")
    seconds, status = cli_seconds(url, "goals", "check", "--year", str(year), "--json")
    print(f"  goals check, every kommun (CLI) {seconds:7.2f} s    (exit {status})")
    seconds, _ = cli_seconds(url, "report", "--kommun", biggest.code, "--year", str(year), "--format", "html", "--output", os.devnull)
    print(f"  report {biggest.code} (CLI, html)        {seconds:7.2f} s")
    ms, _ = median_ms(client, f"/api/v1/reports/{biggest.code}/{year}", runs=3)
    print(f"  report {biggest.code} (API, html)        {ms:7.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--kommuner", type=int, default=20)
    parser.add_argument("--areas", type=int, default=2_000)
    parser.add_argument("--households", type=int, default=150_000)
    parser.add_argument("--burglaries", type=int, default=None, help="default: 45,000 per 4.84 M households")
    parser.add_argument("--full", action="store_true", help="290 kommuner, 29,000 areas, 4.84 M households, 45,000 burglaries")
    parser.add_argument("--stockholm", action="store_true", help="add Stockholm (0180): 2,000 areas, 480,000 households")
    parser.add_argument("--boundaries", type=Path, default=next((p for p in BOUNDARY_CANDIDATES if p.exists()), BOUNDARY_CANDIDATES[0]))
    args = parser.parse_args()
    if args.full:
        args.kommuner, args.areas, args.households, args.burglaries = FULL.values()
    burglaries = args.burglaries if args.burglaries is not None else round(args.households * FULL["burglaries"] / FULL["households"])
    if not args.boundaries.exists():
        raise SystemExit(f"kommuner.geojson not found at {args.boundaries}; give --boundaries")

    rng = random.Random(args.seed)
    today = date.today()
    kommuner = plan(rng, load_boundaries(args.boundaries), args.kommuner, args.areas, args.households, burglaries, args.stockholm)
    biggest = max(kommuner, key=lambda k: k.households)
    print(
        f"national: seed {args.seed}, {len(kommuner)} kommuner, {sum(k.areas for k in kommuner):,} areas, "
        f"{sum(k.households for k in kommuner):,} households, {sum(k.burglaries for k in kommuner):,} burglaries; "
        f"{os.cpu_count()} cores",
        flush=True,
    )
    started = time.perf_counter()
    with fresh_database() as url:
        admin, coordinator = make_tokens(url, biggest.code)
        with served(url) as (base, pid), httpx.Client(base_url=base, timeout=3600, headers={"Authorization": f"Bearer {admin}"}) as client:
            done = import_all(client, url, kommuner, args.seed, today)
            forming = make_groups(client, url, kommuner, rng, today)
            print("import through the API (one request per kommun and kind), against a plain COPY of the same rows after each:")
            for kind in ("areas", "households", "burglaries"):
                copy = done.copy_seconds[kind]
                print(
                    f"  {kind:<11} {done.rows[kind]:>10,} rows  {done.seconds[kind]:7.2f} s   plain COPY {copy:6.2f} s   "
                    f"{done.seconds[kind] / copy:6.2f}x"
                )
            print(f"reads ({biggest.code} {biggest.name}: {biggest.areas} areas, {biggest.households:,} households):")
            report_reads(client, url, biggest, forming, rng, today)
            size = sql(url, "select pg_database_size(current_database()) as n")[0]["n"]
            print(f"  database size {size / 2**30:.2f} GiB;  server peak RSS {peak_rss_bytes(pid) / 2**30:.2f} GiB")
            print(f"pages of {biggest.code} {biggest.name} (coordinator, time to last byte at a local client, median of 5):")
            client.headers["Authorization"] = f"Bearer {coordinator}"
            lines = [
                page_line(name, *median_ms(client, path))
                for name, path in (("kommun page", f"/kommun/{biggest.code}"), ("priority page", f"/prioritering?kommun={biggest.code}"))
            ]
            for line, _ in lines:
                print(line)
            print(f"  server peak RSS after the pages {peak_rss_bytes(pid) / 2**30:.2f} GiB")
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0 if all(ok for _, ok in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
