"""Load on the public submission route ``POST /trygghet/{kommun}`` (the form a citizen sends).

    python benchmarks/bench_places_submit.py [--seconds 10] [--clients 16] [--workers N]

Uses DATABASE_URL when set (a server's admin database), else an embedded PostgreSQL in a temporary
folder. Starts the app in uvicorn (as ``grannsamverkan serve`` does) with the per-client limit
raised (every client here comes from 127.0.0.1), then runs ``--clients`` browsers-like clients:
each loads the page once (CSRF and reporter cookies) and then posts reports of random categories at
random points around Ramsele as fast as it can. Prints requests/s, p50 and p99 of the accepted
submissions (303), then checks that the database holds exactly as many reports as were accepted.
A second, short phase runs with the default limit and reports how fast refusals (429) are answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hot_path import fresh_database, running

CSRF = re.compile(r'name="_csrf_token" value="([0-9a-f]+)"')
CATEGORIES = ["belysning", "vaxtlighet", "skadegorelse", "nedskrapning", "odslig", "trafik", "annat"]
# Ramsele, Sollefteå (2283), SWEREF 99 TM
X0, Y0 = 573_834.0, 7_046_056.0


async def client_loop(base: str, deadline: float, rng: random.Random, latencies: list[float], codes: dict[int, int]) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=10, follow_redirects=False) as client:
        page = await client.get("/trygghet/2283")
        token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        while time.monotonic() < deadline:
            form = {
                "_csrf_token": token,
                "kategori": rng.choice(CATEGORIES),
                "tid": "morker",
                "upplevelse": "otrygg",
                "beskrivning": "Mörk gångväg mellan skolan och affären, lamporna är trasiga " * rng.randint(1, 8),
                "forslag": "Laga belysningen",
                "epost": rng.choice(["", "", "person@example.se"]),
                "plats": "",
                "webbplats": "",
                "ny_anda": "1",
                "x": f"{X0 + rng.uniform(-1500, 1500):.1f}",
                "y": f"{Y0 + rng.uniform(-1500, 1500):.1f}",
            }
            started = time.perf_counter()
            try:
                response = await client.post("/trygghet/2283", data=form)
                codes[response.status_code] = codes.get(response.status_code, 0) + 1
                if response.status_code == 303:
                    latencies.append(time.perf_counter() - started)
            except httpx.HTTPError:
                codes[0] = codes.get(0, 0) + 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def load(base: str, seconds: float, clients: int) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    codes: dict[int, int] = {}
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(client_loop(base, deadline, random.Random(i), latencies, codes) for i in range(clients)))
    return latencies, codes, time.monotonic() - started


async def stored(url: str) -> int:
    from grannsamverkan.db.pool import connect

    conn = await connect(url)
    try:
        return int(await conn.fetchval("select count(*) from place_report"))
    finally:
        await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(
        f"POST /trygghet/2283: {args.clients} clients, {args.seconds:.0f} s, {args.workers} uvicorn workers, {os.cpu_count()} cores",
        flush=True,
    )
    with fresh_database() as url:
        os.environ["GRANNSAMVERKAN_PLACES_SUBMISSIONS_PER_HOUR"] = "100000000"
        with running("uvicorn", "app", url, args.workers) as base:
            latencies, codes, elapsed = asyncio.run(load(base, args.seconds, args.clients))
        accepted = codes.get(303, 0)
        print(
            f"accepted: {accepted / elapsed:.0f} requests/s, p50 {percentile(latencies, 0.5):.1f} ms, "
            f"p99 {percentile(latencies, 0.99):.1f} ms; answers {dict(sorted(codes.items()))}"
        )
        in_database = asyncio.run(stored(url))
        ok = in_database == accepted and set(codes) == {303}
        print(f"reports stored {in_database}, accepted {accepted}: {'OK' if ok else 'MISMATCH'}")
        os.environ.pop("GRANNSAMVERKAN_PLACES_SUBMISSIONS_PER_HOUR")
        with running("uvicorn", "app", url, args.workers) as base:
            _, limited, elapsed = asyncio.run(load(base, min(args.seconds, 5.0), args.clients))
        print(
            f"default limit (20 an hour per client, all clients on 127.0.0.1): {sum(limited.values()) / elapsed:.0f} "
            f"answers/s; {dict(sorted(limited.items()))}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
