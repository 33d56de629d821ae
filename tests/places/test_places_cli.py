"""``places api-key-create``, ``places erase-expired`` and ``places send-mail`` on the command line."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from grannsamverkan.cli import main
from grannsamverkan.db import places as place_db
from grannsamverkan.services import places
from tests.places.test_mail import Inbox
from tests.places.world import COORDINATOR, report
from tests.servers import free_port


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)

    async def run(*argv: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


async def test_api_key_is_printed_once_and_works(conn: asyncpg.Connection, cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = await cli("places", "api-key-create", "--name", "Appen", "--kommun", "2283")
    assert code == 0
    key = out.strip().splitlines()[-1]
    client = await place_db.find_client(conn, key)
    assert client is not None and client["name"] == "Appen" and list(client["kommuner"]) == ["2283"]
    assert key.encode() not in (await conn.fetchval("select key_hash from open311_client"))
    code, _, err = await cli("places", "api-key-create", "--name", "Appen", "--kommun", "2283")
    assert code == 2 and "finns redan" in err
    code, _, err = await cli("places", "api-key-create", "--name", "X", "--kommun", "9999")
    assert code == 2


async def test_erase_expired_for_cron(conn: asyncpg.Connection, cli) -> None:  # type: ignore[no-untyped-def]
    r = await report(conn, email="old@example.se")
    await conn.execute("update place_contact set created_at = now() - interval '31 days'")
    code, out, _ = await cli("places", "erase-expired", "--days", "30")
    assert code == 0 and "raderade 1 e-postadress och 0 ej levererade brev äldre än 30 dagar" in out
    assert not (await place_db.get_report(conn, r.id, None)).has_contact


async def test_send_mail(conn: asyncpg.Connection, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        r = await report(conn, email="x@example.se")
        await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status="in_progress"))
        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
        code, out, _ = await cli("places", "send-mail")
        assert code == 0 and "skickade 1" in out and len(inbox.messages) == 1
    finally:
        controller.stop()
    monkeypatch.setenv("SMTP_URL", "")
    code, _, err = await cli("places", "send-mail")
    assert code == 2 and "SMTP_URL" in err
