"""How long signing in takes when it fails: a wrong password (the baseline), an unknown name and a
disabled account should cost the same, so that the time does not tell which names exist.

    python benchmarks/bench_sign_in.py [--rounds 15]

Uses DATABASE_URL when set (a server's admin database), else an embedded PostgreSQL in a temporary
folder. Calls the use case the sign-in page calls (``services.accounts.sign_in_with_password``) on a
pool, the four kinds of attempt interleaved in each round (so the machine's other work falls on
all of them alike), and prints each kind's median against the wrong password's median, and a bare
argon2 check of the same cost. Exits 1 when an unknown name or a disabled account is outside
0.8–1.25× of a wrong password.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hot_path import fresh_database

PASSWORD = "rätt-häst-batteri"
LOW, HIGH = 0.8, 1.25


async def measure(url: str, rounds: int) -> dict[str, list[float]]:
    from grannsamverkan.db.pool import create_pool
    from grannsamverkan.domain.access import SYSTEM
    from grannsamverkan.services import accounts

    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await accounts.create_account(conn, SYSTEM, name="anna", role="coordinator", kommuner=["2283"], password=PASSWORD)
            await accounts.create_account(conn, SYSTEM, name="bertil", role="coordinator", kommuner=["2283"], password=PASSWORD)
            await accounts.disable_account(conn, SYSTEM, "bertil")
        attempts = {
            "wrong password": ("anna", "fel-lösenord-här"),
            "unknown name": ("cecilia", PASSWORD),
            "disabled account": ("bertil", PASSWORD),
            "right password": ("anna", PASSWORD),
        }
        times: dict[str, list[float]] = {kind: [] for kind in [*attempts, "bare argon2 check"]}
        for _ in range(rounds):
            for kind, (name, password) in attempts.items():
                started = time.perf_counter()
                answer = await accounts.sign_in_with_password(pool, name, password, hours=1)
                times[kind].append(time.perf_counter() - started)
                assert (answer is not None) == (kind == "right password"), kind
            started = time.perf_counter()
            await asyncio.to_thread(accounts._verify, accounts.DUMMY_HASH, PASSWORD)
            times["bare argon2 check"].append(time.perf_counter() - started)
        return times
    finally:
        await pool.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with fresh_database() as url:
        times = asyncio.run(measure(url, args.rounds))
    baseline = statistics.median(times["wrong password"])
    ok = True
    print(f"{args.rounds} rounds; median per attempt, and its ratio to a wrong password's median:")
    for kind, values in times.items():
        ratio = statistics.median(values) / baseline
        judged = kind in ("unknown name", "disabled account")
        verdict = ("ok" if LOW <= ratio <= HIGH else "MISSED") if judged else ""
        ok = ok and (not judged or LOW <= ratio <= HIGH)
        print(f"  {kind:<18} {statistics.median(values) * 1000:7.1f} ms  {ratio:5.2f}x  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
