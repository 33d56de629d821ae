"""The plans the design relies on (PgQueuer's query-plan regression tests are the model).

The tables here are tiny, so the planner would rightly scan them; with sequential scans disabled it
must still find an index for each query, or the query has lost the index it was written for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from grannsamverkan.db.burglaries import RANKING_AREAS, RANKING_INCIDENTS
from grannsamverkan.db.groups import ELIGIBILITY


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


async def _indexes_used(conn: asyncpg.Connection, query: str, *args: object) -> set[str]:
    async with conn.transaction():
        await conn.execute("set local enable_seqscan = off")
        raw = await conn.fetchval("explain (format json) " + query, *args)
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    return {node["Index Name"] for node in _nodes(plan) if "Index Name" in node}


@pytest.mark.parametrize(
    ("query", "args", "index"),
    [
        # The hot path: one primary-key lookup of the group row.
        (ELIGIBILITY, (1,), "watch_group_pkey"),
        # The priority read: the kommun's areas, and its burglaries in the period.
        (RANKING_AREAS, ("2283",), "area_kommun"),
        (RANKING_INCIDENTS, ("2283", datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)), "burglary_kommun_time"),
    ],
)
async def test_query_uses_its_index(conn: asyncpg.Connection, query: str, args: tuple[object, ...], index: str) -> None:
    assert index in await _indexes_used(conn, query, *args)


async def test_eligibility_reads_no_other_table(conn: asyncpg.Connection) -> None:
    raw = await conn.fetchval("explain (format json) " + ELIGIBILITY, 1)
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    assert {node.get("Relation Name") for node in _nodes(plan)} - {None} == {"watch_group"}
