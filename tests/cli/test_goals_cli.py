"""``goals check`` exit codes and lines for cron, and ``report`` to a file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from grannsamverkan.cli import main
from tests.db.test_goals_db import established, insert_area, insert_group


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


async def _goals(conn: asyncpg.Connection) -> None:
    await conn.execute(
        "insert into goal (kommun, year, target_new_groups, target_info_meetings) values ('2283', 2026, 10, null), ('2505', 2026, 2, 1)"
    )
    for i in range(3):
        await established(conn, "2283", date(2026, 2, 1 + i), f"Sollefteå {i}")
    await established(conn, "2505", date(2026, 3, 1), "Arvidsjaur 1")
    await conn.execute(
        "insert into info_meeting (kommun, held_on, locality, topic, attendees) values ('2505', '2026-04-01', 'Glommersträsk', 'byavakt', 20)"
    )


async def test_exit_codes(conn: asyncpg.Connection, cli) -> None:  # type: ignore[no-untyped-def]
    await _goals(conn)

    # 23 November: Sollefteå 3 of 10 (8.96 expected) is behind; Arvidsjaur 1 of 2 (1.79) is on track
    code, out, _ = await _run(cli, "goals", "check", "--year", "2026", "--as-of", "2026-11-23")
    assert code == 1
    assert out.splitlines() == [
        "2283 Sollefteå 2026: 3 av 10 nya grupper, väntat 8,9 vid 2026-11-23 – efter plan",
        "2505 Arvidsjaur 2026: 1 av 2 nya grupper, väntat 1,7; 1 av 1 informationsmöten, väntat 0,8 vid 2026-11-23 – i fas",
    ]
    code, out, _ = await _run(cli, "goals", "check", "--year", "2026", "--kommun", "2505", "--as-of", "2026-11-23")
    assert code == 0 and len(out.splitlines()) == 1
    # 1 April: 10 × 91 / 365 = 2.49, three groups are on track
    code, out, _ = await _run(cli, "goals", "check", "--year", "2026", "--kommun", "2283", "--as-of", "2026-04-01")
    assert code == 0 and out.endswith("– i fas\n")
    # before the year: not started, nothing is behind
    code, _, _ = await _run(cli, "goals", "check", "--year", "2026", "--as-of", "2025-12-31")
    assert code == 0

    code, out, _ = await _run(cli, "goals", "check", "--year", "2026", "--as-of", "2026-11-23", "--json")
    assert code == 1
    body = json.loads(out)
    assert (body["ok"], body["exit_code"]) == (False, 1)
    assert [(g["kommun"], g["status"], g["new_groups"]) for g in body["goals"]] == [("2283", "behind", 3), ("2505", "on_track", 1)]


async def test_errors_exit_2(conn: asyncpg.Connection, cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = await _run(cli, "goals", "check", "--year", "2026")
    assert (code, out) == (2, "") and "Ingen kommun har ett mål för 2026" in err
    await _goals(conn)
    code, _, err = await _run(cli, "goals", "check", "--year", "2026", "--kommun", "9999")
    assert code == 2 and "Okänd kommunkod '9999'" in err
    code, _, err = await _run(cli, "goals", "check", "--year", "2026", "--kommun", "0180")
    assert code == 2 and "Inget mål är satt för 2026 i kommun 0180" in err
    code, _, err = await _run(cli, "goals", "check", "--year", "1999")
    assert code == 2 and "ligger utanför" in err
    with pytest.raises(SystemExit) as exc:
        await _run(cli, "goals", "check", "--year", "2026", "--as-of", "23/11")
    assert exc.value.code == 2


async def test_database_unreachable_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code = await _in_thread(main, ["goals", "check", "--year", "2026"])
    assert code == 2 and "databasen går inte att nå" in capsys.readouterr().err


async def test_report_to_file(conn: asyncpg.Connection, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await _goals(conn)
    area = await insert_area(conn, "2283", "Helgum", households=8)
    await insert_group(conn, area, name="Helgum bildas", status="forming", signed_up=5)
    target = tmp_path / "solleftea-2026.html"
    code, out, err = await _run(cli, "report", "--kommun", "2283", "--year", "2026", "--as-of", "2026-11-23", "--output", str(target))
    assert code == 0 and out == "" and "skrev" in err
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert "3 av 10 nya grupper" in html and "Helgum bildas" in html and "5 av 8 hushåll (62,5 %)" in html

    code, out, _ = await _run(cli, "report", "--kommun", "2505", "--year", "2026", "--as-of", "2026-11-23")
    assert code == 0 and out.startswith("# Uppföljning av medborgarlöfte – Arvidsjaur 2026")
    assert "**1 av 2 nya grupper**" in out and "| 2026-04-01 | Glommersträsk | byavakt | 20 |" in out

    code, _, err = await _run(cli, "report", "--kommun", "2283", "--year", "2025")
    assert code == 2 and "Inget mål är satt för kommun 2283 år 2025" in err


async def _in_thread(func, *args):  # type: ignore[no-untyped-def]
    """The CLI runs its own event loop (asyncio.run), so call it off the test's loop."""
    import asyncio

    return await asyncio.to_thread(func, *args)


async def _run(cli, *argv: str):  # type: ignore[no-untyped-def]
    return await _in_thread(cli, *argv)
