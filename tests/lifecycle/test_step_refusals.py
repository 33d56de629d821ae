"""A step of a group's life that the caller's role may not take is refused in Swedish words: the
role and the step by name, with the codes an API user sends."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest

from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import Forbidden
from grannsamverkan.services import lifecycle


@pytest.mark.parametrize(
    ("role", "step", "detail"),
    [
        ("police", "review", "Rollen polis (police) får inte granska gruppen (review): det gör kommunens samordnare."),
        ("police", "lapse", "Rollen polis (police) får inte förklara gruppen vilande (lapse): det gör kommunens samordnare."),
        ("coordinator", "approve", "Rollen samordnare (coordinator) får inte godkänna gruppen (approve): det gör polisen."),
    ],
)
async def test_a_step_the_role_may_not_take_is_named_in_swedish(conn: asyncpg.Connection, role: str, step: str, detail: str) -> None:
    actor = Principal(token_id=1, name="test", role=role, kommuner=("2283",))  # type: ignore[arg-type]
    with pytest.raises(Forbidden) as refused:
        await lifecycle.take_step(conn, actor, 1, step, date(2026, 4, 1))  # type: ignore[arg-type]
    assert refused.value.detail == detail
