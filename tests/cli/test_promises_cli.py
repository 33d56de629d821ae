"""``promises check`` for cron: one Swedish line per promise, the summary due, exit 0/1/2; and the
demo's medborgarlöften (both seeds in full)."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from grannsamverkan.cli import main
from grannsamverkan.domain.access import SYSTEM
from grannsamverkan.report.render import escape_markdown
from grannsamverkan.services import promises

GEODATA = Path(__file__).resolve().parents[2] / "geodata"


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)

    async def run(*argv: str) -> tuple[int, str, str]:
        # The CLI runs its own event loop (asyncio.run), so call it off the test's loop.
        code = await asyncio.to_thread(main, list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


async def _ramsele(conn: asyncpg.Connection, months: tuple[int, ...]) -> int:
    promise = await promises.create_promise(
        conn,
        SYSTEM,
        promises.PromiseInput(
            kommun="2283",
            year=2017,
            promisor="polisen",
            title="Polis på plats i Ramsele",
            measure="schedule",
            rhythm="monthly",
            except_months=[6, 7, 8],
            activity_kind="polis_pa_plats",
        ),
    )
    for month in months:
        await promises.log_activity(
            conn, SYSTEM, promises.ActivityInput(promise_id=promise.id, held_on=date(2017, month, 14), place="Medborgarkontoret Ramsele")
        )
    return promise.id


async def test_check_exits_1_for_the_missed_ramsele_month(conn: asyncpg.Connection, cli) -> None:  # type: ignore[no-untyped-def]
    await _ramsele(conn, (1, 2, 3, 4, 5, 9, 11, 12))
    code, out, _ = await cli("promises", "check", "--year", "2017", "--as-of", "2017-12-31")
    assert code == 1
    assert out.strip() == ("2283 Sollefteå 2017 · Polis i Ramsele: 8 av 9 tillfällen, missat: oktober 2017 – efter plan").replace(
        "Polis i Ramsele", "Polis på plats i Ramsele"
    )
    # Before October was over nothing was missed.
    code, out, _ = await cli("promises", "check", "--year", "2017", "--kommun", "2283", "--as-of", "2017-10-30")
    assert code == 0 and out.strip().endswith("6 av 6 tillfällen hittills (av 9 under perioden) – i fas")
    code, out, _ = await cli("promises", "check", "--year", "2017", "--as-of", "2018-02-01", "--json")
    body = json.loads(out)
    assert code == 1 and body["ok"] is False
    assert body["lines"][0]["state"]["progress"]["missed_months"] == ["oktober 2017"]
    assert body["lines"][0]["state"]["progress"]["status"] == "missed"


async def test_check_met_schedule_and_summary_warning(conn: asyncpg.Connection, cli) -> None:  # type: ignore[no-untyped-def]
    await _ramsele(conn, (1, 2, 3, 4, 5, 9, 10, 11, 12))
    await promises.set_council_meeting(conn, SYSTEM, "2283", 2017, date(2017, 12, 18))
    code, out, _ = await cli("promises", "check", "--year", "2017", "--as-of", "2017-11-10")
    assert code == 0
    assert out.splitlines()[-1] == ("2283 Sollefteå: skriftlig sammanfattning till fullmäktiges sista möte 2017-12-18 (om 38 dagar)")
    code, out, _ = await cli("promises", "check", "--year", "2017", "--as-of", "2017-11-18")
    assert out.splitlines()[-1] == ("OBS: 2283 Sollefteå: skriftlig sammanfattning till fullmäktiges sista möte 2017-12-18 (om 30 dagar)")
    code, out, _ = await cli("promises", "check", "--year", "2017", "--as-of", "2018-01-02")
    assert code == 0 and "9 av 9 tillfällen" in out and "uppfyllt" in out


async def test_check_errors_exit_2(conn: asyncpg.Connection, cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = await cli("promises", "check", "--year", "2017")
    assert code == 2 and "Ingen kommun har medborgarlöften för 2017" in err
    await _ramsele(conn, (1,))
    code, _, err = await cli("promises", "check", "--year", "2017", "--kommun", "2505")
    assert code == 2 and "2505" in err
    code, _, err = await cli("promises", "check", "--year", "2017", "--kommun", "9999")
    assert code == 2
    code, _, err = await cli("promises", "check", "--year", "1999")
    assert code == 2


async def test_demo_promises_check_and_report(cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = await cli("demo", "--no-serve")
    assert code == 0, err
    code, out, err = await cli("promises", "check", "--year", "2017", "--kommun", "2283", "--as-of", "2018-01-10")
    lines = out.splitlines()
    assert code == 1, err
    statuses = {line.split(" · ")[1].split(":")[0]: line.rsplit(" – ", 1)[1] for line in lines if " · " in line}
    assert statuses == {
        "Ungdomspoliser i kommunen": "uppfyllt",
        "Polis på plats i Ramsele": "ej uppfyllt",
        "Informationsträffar i byarna och 10 nya grupper": "ej uppfyllt",
        "Samverkan ungdomspolis, socialtjänst och skola": "i fas",
        "Trygghetsvandring i centrum": "uppfyllt",
        "Vuxna på stan": "i fas",
    }
    assert "missat: oktober 2017" in out and "2 av 10 nya grupper" in out
    code, out, err = await cli("promises", "check", "--year", "2025", "--kommun", "2505", "--as-of", "2025-12-31")
    assert code == 0, out + err
    assert len([line for line in out.splitlines() if " · " in line]) == 5
    # The report of each seed's year names every promise of the seed, with its status.
    for kommun, year in (("2283", 2017), ("2505", 2025)):
        seed = json.loads((GEODATA / f"demo-promises-{kommun}.json").read_text(encoding="utf-8"))
        titles = [e.get("promise", e.get("goal_promise"))["title"] for e in seed["promises"]]
        code, report, err = await cli("report", "--kommun", kommun, "--year", str(year), "--format", "md", "--as-of", f"{year + 1}-01-10")
        assert code == 0, err
        for title in titles:
            assert f"| {escape_markdown(title)} |" in report, title
    solleftea = (await cli("report", "--kommun", "2283", "--year", "2017", "--as-of", "2018-01-10"))[1]
    assert "| Polis på plats i Ramsele | Polisen | återkommande | 8 av 9 tillfällen, missat: oktober 2017 | **ej uppfyllt** |" in solleftea
    assert "Protokoll från trygghetsvandringen 19 september 2017" in solleftea and "Gångtunneln under järnvägen" in solleftea
    # each point of the protocol links the place report that follows it up, with its status
    assert re.search(r"\| Kommunens gatuenhet \| 2017-11-30 \| åtgärdad \| \[(\d+)\]\(/platser/\1\) \(åtgärdad\) \|", solleftea)
    assert "**2 av 10 nya grupper**" in solleftea and "fullmäktiges sista möte 18 december 2017" in solleftea
    arvidsjaur = (await cli("report", "--kommun", "2505", "--year", "2025", "--as-of", "2026-01-10"))[1]
    assert "| Glommersträsk | 2025-03-12 | möte | 1 | Byavakt Glommersträsk (bildad 2025-09-15) |" in arvidsjaur
    assert "| Moskosel | 2025-04-07 | brev | 2 | ingen ännu |" in arvidsjaur
    # Loading again changes nothing.
    code, _, err = await cli("demo", "--no-serve")
    assert code == 0 and "medborgarlöften 2283: 0 löften, 0 aktiviteter" in err
