"""The kommun's advisory lock, one helper instead of the same SQL in every writer.

Writers that decide which area a household or burglary belongs to (drawing or reshaping areas, the
imports) take it exclusively, so two of them cannot both pass the overlap check or assign against
a stale map; single household writes and erasures take it shared, before any row lock, so they run
side by side but never between an area change's check and its commit. Transaction-scoped: it is
released at commit or rollback.
"""

from __future__ import annotations

import asyncpg

LOCK_KOMMUN = "select pg_advisory_xact_lock(hashtext('area:' || $1))"
LOCK_KOMMUN_SHARED = "select pg_advisory_xact_lock_shared(hashtext('area:' || $1))"


async def lock_kommun(conn: asyncpg.Connection, kommun: str, *, shared: bool = False) -> None:
    """Take the kommun's lock for the rest of the transaction (exclusive unless ``shared``)."""
    await conn.execute(LOCK_KOMMUN_SHARED if shared else LOCK_KOMMUN, kommun)
