"""Near-repeat alerts (issue 19): a burglary 390 m from a group's area tells its contact persons
once, by mail through the outbox to a real SMTP server the test starts; one 410 m away does not."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import asyncpg
from litestar.testing import AsyncTestClient

from grannsamverkan.db import outbox
from grannsamverkan.services import lifecycle, mail
from tests.conftest import TokenFactory
from tests.lifecycle.world import HEIGHT, WIDTH, X0, Y0, group_with, village
from tests.places.test_mail import Inbox, body, smtp  # noqa: F401  # the SMTP server fixture

EAST = X0 + WIDTH


def burglaries_csv(rows: list[tuple[str, datetime, float, float]]) -> bytes:
    lines = ["external_ref,occurred_from,occurred_to,category,x,y"]
    lines += [f"{ref},{when.isoformat()},{(when + timedelta(hours=6)).isoformat()},villa,{x:.1f},{y:.1f}" for ref, when, x, y in rows]
    return ("\n".join(lines) + "\n").encode()


async def _import(client: AsyncTestClient, headers: dict[str, str], rows: list[tuple[str, datetime, float, float]]) -> None:
    r = await client.post(
        "/api/v1/burglaries/import?kommun=2283", content=burglaries_csv(rows), headers={**headers, "content-type": "text/csv"}
    )
    assert r.status_code == 200, r.text


async def test_390_m_alerts_once_and_410_m_does_not(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
    smtp: tuple[Inbox, mail.SmtpTarget],  # noqa: F811
) -> None:
    inbox, target = smtp
    coord = await auth("coordinator", "2283")
    area_id, hh = await village(client, coord, n=10)
    group_id = await group_with(client, coord, area_id, hh[:8], [(hh[0], "eva@example.se"), (hh[1], "per@example.se"), (hh[2], None)])
    assert (await client.post(f"/api/v1/groups/{group_id}/establish", headers=coord)).status_code == 200
    # a forming group in another block 2 km away is told nothing
    other_area, other = await village(client, coord, n=3, name="Kvarteret Eken", x0=X0 + 2000)
    await group_with(client, coord, other_area, other[:1], [(other[0], "eken@example.se")], name="Eken")
    now = datetime.now(UTC)
    await _import(
        client,
        coord,
        [
            ("near", now - timedelta(days=3), EAST + 390, Y0 + HEIGHT / 2),
            ("far", now - timedelta(days=3), EAST + 410, Y0 + HEIGHT / 2),
            ("old", now - timedelta(days=60), EAST + 100, Y0 + HEIGHT / 2),  # more than 8 weeks ago
        ],
    )
    alerts = await conn.fetch(
        "select b.external_ref, a.group_id, a.distance_m, a.recipients from near_repeat_alert a join burglary b on b.id = a.burglary_id"
    )
    assert [(r["external_ref"], r["group_id"], r["recipients"]) for r in alerts] == [("near", group_id, 2)]
    assert abs(alerts[0]["distance_m"] - 390) < 0.01
    # once per incident and group: the same import again, and the cron job, add nothing
    await _import(client, coord, [("near", now - timedelta(days=3), EAST + 390, Y0 + HEIGHT / 2)])
    assert (await lifecycle.queue_near_repeat_alerts(conn, "2283")).alerts == 0
    assert await outbox.pending(conn) == 2

    delivered = await mail.deliver_all(conn, target)
    assert delivered.sent == 2
    assert sorted(m["To"] for m in inbox.messages) == ["eva@example.se", "per@example.se"]
    for message in inbox.messages:
        assert message["Subject"] == "Inbrott nära Kvarteret Linden – grannsamverkan"
        text = body(message)
        assert "mindre än 400 meter från området Kvarteret Linden" in text
        assert "Ring 112" in text
        # no household's address: no street, postcode or coordinates
        for secret in ("Lindvägen", "881 30", "Ramsele,", f"{EAST + 390:.0f}", str(int(Y0))):
            assert secret not in text
    assert await outbox.pending(conn) == 0


async def test_a_lapsed_group_is_not_alerted(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    coord = await auth("coordinator", "2283")
    area_id, hh = await village(client, coord, n=10)
    group_id = await group_with(client, coord, area_id, hh[:8], [(hh[0], "eva@example.se")])
    await client.post(f"/api/v1/groups/{group_id}/establish", headers=coord)
    await client.post(f"/api/v1/groups/{group_id}/lapse", headers=coord)
    await _import(client, coord, [("inside", datetime.now(UTC) - timedelta(days=1), X0 + 50, Y0 + 50)])
    assert await conn.fetchval("select count(*) from near_repeat_alert") == 0
    # re-activated: the cron job tells them of the burglary inside the area, once
    await client.post(f"/api/v1/groups/{group_id}/reactivate", headers=coord)
    queued = await lifecycle.queue_near_repeat_alerts(conn, "2283")
    assert (queued.alerts, queued.mails) == (1, 1)
    mail_body = await conn.fetchval("select body from mail_outbox")
    assert "inne i området" in mail_body


async def test_cli_lapse_and_alerts(database_url: str, conn: asyncpg.Connection) -> None:
    from tests.factories import area, group

    area_id = await area(conn)
    group_id = await group(conn, area_id)
    await conn.execute("update watch_group set status = 'active', established_on = '2025-01-10' where id = $1", group_id)
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "grannsamverkan", "lifecycle", *args], env=env, capture_output=True, text=True, timeout=120
        )

    done = run("lapse", "--kommun", "2283", "--as-of", "2026-12-01")
    assert done.returncode == 0, done.stderr
    assert f"grupp {group_id}" in done.stdout and "vilande" in done.stdout and "ingen kontaktperson" in done.stdout
    assert await conn.fetchval("select status from watch_group where id = $1", group_id) == "lapsed"
    assert "0 grupper blev vilande" in run("lapse", "--as-of", "2026-12-01").stdout
    done = run("alerts", "--kommun", "2283")
    assert done.returncode == 0 and "2283: 0 varningar" in done.stdout, done.stderr
    assert run("lapse", "--kommun", "9999").returncode == 2
