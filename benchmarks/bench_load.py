"""Load: 32 concurrent clients mixing sign-ups, withdrawals, eligibility reads and priority queries;
afterwards every count in the database must equal what the clients saw.

    python benchmarks/bench_load.py [--seconds 60] [--clients 32] [--workers N] [--server uvicorn|granian]

Uses DATABASE_URL when set (a server's admin database), else an embedded PostgreSQL in a temporary
folder. Seeds 4 areas of 250 households in kommun 2283, a forming group in each and 300 burglaries,
starts ``--workers N`` (default: the cores) worker processes of the app, and runs the clients from
this process. Each client owns a disjoint share of the households, so every write it makes should
succeed: a sign-up (201) or a withdrawal (204) of one of its own households, an eligibility read,
or a priority-area query. Any other answer, or a transport error, is an error.

Afterwards, per group: the group's counter, its sign-up rows, the audit trail (inserts - deletes)
and the eligibility answer all equal the sum of the successful writes the clients saw. Prints
requests/s per kind, p50/p99, errors, and OK or the mismatches; exit 1 on any error or mismatch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hot_path import KOMMUN, fresh_database, running, seed


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    net: Counter[int] = field(default_factory=Counter)  # group -> successful sign-ups - withdrawals


async def seed_burglaries(url: str, n: int = 300) -> None:
    from grannsamverkan.db import burglaries
    from grannsamverkan.db.pool import connect
    from grannsamverkan.domain.access import SYSTEM

    rng = random.Random(2283)
    today = date.today()
    lines = ["external_ref,occurred_from,occurred_to,category,lon,lat"]
    for i in range(n):
        day = today - timedelta(days=rng.randint(1, 300))
        lines.append(f"lb{i},{day.isoformat()},,villa,{16.485 + rng.uniform(-0.01, 0.085):.6f},{63.535 + rng.uniform(-0.01, 0.01):.6f}")
    conn = await connect(url)
    try:
        await burglaries.import_file(conn, SYSTEM, KOMMUN, ("\n".join(lines) + "\n").encode(), source=None, content_type="text/csv")
    finally:
        await conn.close()


async def client(
    http: object, tally: Tally, headers: dict[str, str], mine: list[tuple[int, int]], group_ids: list[int], end: float, rng: random.Random
) -> None:
    import httpx

    assert isinstance(http, httpx.AsyncClient)
    signed: set[tuple[int, int]] = set()
    while time.monotonic() < end:
        roll = rng.random()
        if roll < 0.35:
            kind = "signup"
            candidates = [m for m in mine if m not in signed]
            if not candidates:
                continue
            group_id, household_id = rng.choice(candidates)
            request = http.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_id}, headers=headers)
            expected = 201
        elif roll < 0.55:
            kind = "withdraw"
            if not signed:
                continue
            group_id, household_id = rng.choice(sorted(signed))
            request = http.delete(f"/api/v1/groups/{group_id}/signups/{household_id}", headers=headers)
            expected = 204
        elif roll < 0.92:
            kind = "eligibility"
            request = http.get(f"/api/v1/groups/{rng.choice(group_ids)}/eligibility", headers=headers)
            expected = 200
        else:
            kind = "priority"
            request = http.get(
                f"/api/v1/priority-areas?kommun={KOMMUN}&method={rng.choice(['eb', 'rate', 'near_repeat'])}", headers=headers
            )
            expected = 200
        started = time.perf_counter()
        try:
            response = await request
        except httpx.HTTPError as exc:
            tally.errors[kind] += 1
            tally.error_samples.append(f"{kind}: {type(exc).__name__} {exc}")
            continue
        tally.latencies[kind].append(time.perf_counter() - started)
        if response.status_code != expected:
            tally.errors[kind] += 1
            if len(tally.error_samples) < 20:
                tally.error_samples.append(f"{kind}: {response.status_code} {response.text[:200]}")
            continue
        if kind == "signup":
            signed.add((group_id, household_id))
            tally.net[group_id] += 1
        elif kind == "withdraw":
            signed.discard((group_id, household_id))
            tally.net[group_id] -= 1


async def run_clients(base: str, token: str, worlds: list, clients: int, seconds: float) -> Tally:
    import httpx

    tally = Tally()
    headers = {"Authorization": f"Bearer {token}"}
    pairs = [(w.group_id, h) for w in worlds for h in w.household_ids]
    random.Random(1).shuffle(pairs)
    group_ids = [w.group_id for w in worlds]
    end = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        await asyncio.gather(*(client(http, tally, headers, pairs[i::clients], group_ids, end, random.Random(i)) for i in range(clients)))
    return tally


async def verify(url: str, base: str, token: str, worlds: list, tally: Tally) -> list[str]:
    import httpx

    from grannsamverkan.db.pool import connect

    problems = []
    conn = await connect(url)
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            for w in worlds:
                counter = await conn.fetchval("select households_signed_up from watch_group where id = $1", w.group_id)
                rows = await conn.fetchval("select count(*) from signup where group_id = $1", w.group_id)
                audit = await conn.fetchval(
                    "select count(*) filter (where action = 'insert') - count(*) filter (where action = 'delete') "
                    "from audit_event where table_name = 'signup' and row_id = $1",
                    w.group_id,
                )
                answer = (await http.get(f"/api/v1/groups/{w.group_id}/eligibility", headers={"Authorization": f"Bearer {token}"})).json()[
                    "households_signed_up"
                ]
                seen = tally.net[w.group_id]
                if not counter == rows == audit == answer == seen:
                    problems.append(
                        f"group {w.group_id}: clients saw {seen}, counter {counter}, rows {rows}, audit {audit}, eligibility {answer}"
                    )
    finally:
        await conn.close()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--server", default="uvicorn", choices=["uvicorn", "granian"])
    args = parser.parse_args()

    with fresh_database() as url:
        worlds = asyncio.run(seed(url, households=250, signups=0, groups=4))
        asyncio.run(seed_burglaries(url))
        token = worlds[0].token
        with running(args.server, "app", url, args.workers) as base:
            print(f"load: {args.clients} clients for {args.seconds:.0f} s against {args.server} with {args.workers} worker(s)", flush=True)
            started = time.monotonic()
            tally = asyncio.run(run_clients(base, token, worlds, args.clients, args.seconds))
            elapsed = time.monotonic() - started
            problems = asyncio.run(verify(url, base, token, worlds, tally))

    total = sum(len(v) for v in tally.latencies.values())
    print(f"{total} requests in {elapsed:.1f} s = {total / elapsed:.0f} req/s; errors {sum(tally.errors.values())}")
    for kind in ("signup", "withdraw", "eligibility", "priority"):
        lat = sorted(tally.latencies.get(kind, []))
        if lat:
            print(
                f"  {kind:<12} {len(lat):>7} ok  {len(lat) / elapsed:>7.0f} req/s  p50 {lat[len(lat) // 2] * 1000:6.1f} ms  "
                f"p99 {lat[int(len(lat) * 0.99)] * 1000:6.1f} ms  errors {tally.errors[kind]}"
            )
    for sample in tally.error_samples[:10]:
        print("  error:", sample)
    net = sum(tally.net.values())
    if problems:
        print("COUNTS DIFFER:")
        for p in problems:
            print("  " + p)
    else:
        print(f"counts OK: every group's counter, rows, audit trail and eligibility equal the clients' {net} net sign-ups")
    return 1 if problems or tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())
