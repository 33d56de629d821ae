"""``import burglaries``, ``priority`` and ``backtest`` on the command line, in-process."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
import pytest

from grannsamverkan.cli import main
from tests.db.test_burglaries_db import POLICE_FEED, X0, Y0, insert_area


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)

    async def run(*argv: str) -> tuple[int, str, str]:
        # The CLI runs its own event loop (asyncio.run), so call it off the test's loop.
        code = await asyncio.to_thread(main, list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
async def areas(conn: asyncpg.Connection) -> dict[str, int]:
    """A town of 100 households, a village of 50 and a hamlet of 2, 1 km apart."""
    return {
        "town": await insert_area(conn, "town", X0, Y0, households=100),
        "village": await insert_area(conn, "village", X0 + 1_000, Y0, households=50),
        "hamlet": await insert_area(conn, "hamlet", X0 + 2_000, Y0, households=2),
    }


def write_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["external_ref;occurred_from;occurred_to;category;area_external_ref"]
    lines += [f"{ref};{day};;villa;{area}" for ref, day, area in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# 2024: town 5, village 1, hamlet 1.
ROWS_2024 = [(f"t{i}", f"2024-0{i + 1}-10", "town") for i in range(5)] + [("v0", "2024-06-01", "village"), ("h0", "2024-07-01", "hamlet")]


async def test_import_burglaries_prints_a_summary_and_is_idempotent(
    cli,
    areas: dict[str, int],
    conn: asyncpg.Connection,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    path = write_csv(tmp_path / "inbrott.csv", ROWS_2024)
    code, out, err = await cli("import", "burglaries", str(path), "--kommun", "2283")
    assert code == 0, err
    assert out.strip() == (
        "inbrott inbrott.csv (CSV, källa 'csv') till 2283: 7 nya, 0 ändrade, 0 oförändrade, 0 överhoppade; 7 i ett område, 0 utan område"
    )
    code, out, err = await cli("import", "burglaries", str(path), "--kommun", "2283", "--source", "csv", "--json")
    assert code == 0, err
    assert json.loads(out) == {"inserted": 0, "updated": 0, "unchanged": 7, "skipped": 0, "assigned": 7, "unassigned": 0}
    assert await conn.fetchval("select count(*) from burglary") == 7
    actors = await conn.fetch("select actor, action from audit_event where table_name = 'burglary'")
    assert len(actors) == 2 and all(a["actor"].startswith("cli:") and a["action"] == "import" for a in actors)


async def test_import_error_exits_2_and_writes_nothing(
    cli,
    areas: dict[str, int],
    conn: asyncpg.Connection,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    path = write_csv(tmp_path / "inbrott.csv", [*ROWS_2024, ("x", "2024-08-01", "by-som-inte-finns")])
    code, out, err = await cli("import", "burglaries", str(path), "--kommun", "2283")
    assert (code, out) == (2, "")
    assert "rad 9" in err and "by-som-inte-finns" in err
    assert await conn.fetchval("select count(*) from burglary") == 0
    code, _, err = await cli("import", "burglaries", str(tmp_path / "saknas.csv"), "--kommun", "2283")
    assert code == 2 and "saknas.csv" in err
    code, _, err = await cli("import", "burglaries", str(path), "--kommun", "9999")
    assert code == 2 and "9999" in err


async def test_import_police_feed(cli, areas: dict[str, int], conn: asyncpg.Connection, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(POLICE_FEED, ensure_ascii=False), encoding="utf-8")
    code, out, err = await cli("import", "burglaries", str(path), "--kommun", "2283")
    assert code == 0, err
    assert "(polisens händelser, källa 'polisen')" in out and "3 nya" in out and "4 överhoppade" in out
    assert await conn.fetchval("select count(*) from burglary where area_id is null") == 3


async def test_priority_table_and_json(cli, areas: dict[str, int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await cli("import", "burglaries", str(write_csv(tmp_path / "b.csv", ROWS_2024)), "--kommun", "2283")
    code, out, err = await cli("priority", "--kommun", "2283", "--from", "2024-01-01", "--to", "2024-12-31", "--method", "rate")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Prioriterade områden i 2283 Sollefteå, 2024-01-01 – 2024-12-31, metod rate: 3 av 3 områden"
    assert "plats" in lines[1] and "hushåll" in lines[1]
    # the hamlet: 1 of 2 households = 500 per 1,000; the town 50, the village 20
    assert lines[3].split()[:6] == ["1", str(areas["hamlet"]), "Område", "hamlet", "2", "1"]
    assert "500,0 (12,7–2\u00a0785,8)" in lines[3]
    assert [line.split()[3] for line in lines[3:]] == ["hamlet", "town", "village"]

    code, out, err = await cli("priority", "--kommun", "2283", "--from", "2024-01-01", "--to", "2024-12-31", "--json", "--limit", "2")
    assert code == 0, err
    body = json.loads(out)
    assert (body["method"], body["from"], body["to"], body["total"]) == ("eb", "2024-01-01", "2024-12-31", 3)
    # With only three areas the hamlet's rate inflates the between-area variance, so EB shrinks
    # it little (83.0 vs the town's 49.3 per 1,000); the API test shows the shrinkage with more areas.
    assert [i["area_id"] for i in body["items"]] == [areas["hamlet"], areas["town"]]
    assert body["items"][0]["eb_rate_per_1000"] == pytest.approx(83.0, abs=0.1)
    assert body["items"][0]["score"] == body["items"][0]["eb_rate_per_1000"]

    code, out, err = await cli("priority", "--kommun", "9999")
    assert code == 2 and "9999" in err


async def test_backtest_explicit_and_rolling(cli, areas: dict[str, int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # 2023: town 3, hamlet 1; 2024 (through December): town 5, village 1, hamlet 1, and one in December
    rows = [
        ("a0", "2023-02-01", "town"),
        ("a1", "2023-05-01", "town"),
        ("a2", "2023-09-01", "town"),
        ("a3", "2023-03-01", "hamlet"),
        *ROWS_2024,
        ("z0", "2024-12-05", "village"),
    ]
    await cli("import", "burglaries", str(write_csv(tmp_path / "b.csv", rows)), "--kommun", "2283")
    code, out, err = await cli(
        "backtest",
        "--kommun",
        "2283",
        "--train-from",
        "2023-01-01",
        "--train-to",
        "2023-12-31",
        "--test-from",
        "2024-01-01",
        "--test-to",
        "2024-12-31",
        "--method",
        "rate",
        "--coverage",
        "0.5",
        "--json",
    )
    assert code == 0, err
    body = json.loads(out)
    rate, naive = body["results"]
    assert (rate["method"], naive["method"]) == ("rate", "naive")
    # rate flags the hamlet (500) then the town (30): 102 of 152 households; 6 of 8 test burglaries
    assert rate["burglaries_test"] == 8.0 and rate["hit_rate"] == 0.75
    assert rate["households_share"] == pytest.approx(102 / 152)
    # naive flags the town (3): 100 of 152 households; 5 of 8
    assert naive["hit_rate"] == 0.625 and naive["pai"] == pytest.approx(0.625 / (100 / 152))

    code, out, err = await cli("backtest", "--kommun", "2283", "--train-from", "2023-01-01")
    assert code == 2 and "--test-to" in err

    code, out, err = await cli("backtest", "--kommun", "2283", "--coverage", "0.5")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Efterhandstest år för år 2283: PAI när 50 % av hushållen pekas ut")
    assert lines[1].split()[:8] == ["år", "t", "→", "t", "+", "1", "rate", "eb"]
    assert lines[3].startswith("2023 → 2024")
    code, out, err = await cli("backtest", "--kommun", "2283", "--coverage", "0.5", "--json", "--method", "rate")
    body = json.loads(out)
    assert [(f["train_year"], f["test_year"]) for f in body["folds"]] == [(2023, 2024)]
    assert body["mean_pai"]["rate"] == pytest.approx(0.75 / (102 / 152))

    code, out, err = await cli("backtest", "--kommun", "2505")
    assert code == 2 and "inga inbrott" in err
