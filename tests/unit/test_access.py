"""Roles, capabilities and kommun scope, without a database.

The database-backed matrix in ``tests/api`` checks that every route asks; these check what the
answer is, for every role and capability.
"""

from __future__ import annotations

from typing import get_args

import pytest

from grannsamverkan.domain.access import (
    POLICY,
    ROLES,
    SYSTEM,
    Capability,
    Principal,
    Role,
)
from grannsamverkan.errors import Forbidden

CAPABILITIES: tuple[Capability, ...] = get_args(Capability)

# Who may do what, spelled out once more by hand (the README's table of roles); a new capability
# fails the tests below until it is written here too.
MAY: dict[Role, set[Capability]] = {
    "admin": {"read", "read_households", "write", "admin", "log", "approve"},
    "coordinator": {"read", "read_households", "write", "log"},
    "police": {"read", "log", "approve"},
}
# A refusal names the role in Swedish, with the code the token carries.
ROLE_WORDS: dict[Role, str] = {"admin": "administratör (admin)", "coordinator": "samordnare (coordinator)", "police": "polis (police)"}
# ... and what it may not do, in Swedish words (spelled out by hand, as the glossary has them).
DOING: dict[Capability, str] = {
    "read": "läsa registret",
    "read_households": "se hushållens adresser",
    "write": "ändra registret",
    "admin": "administrera konton och nycklar",
    "log": "logga aktiviteter för medborgarlöften",
    "approve": "godkänna grupper",
}


def principal(role: Role, *kommuner: str) -> Principal:
    return Principal(token_id=7, name=f"{role} token", role=role, kommuner=kommuner)


def test_every_role_has_a_policy() -> None:
    assert set(ROLES) == set(POLICY) == set(MAY)
    assert set(CAPABILITIES) == {"read", "read_households", "write", "admin", "log", "approve"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("capability", CAPABILITIES)
def test_a_role_may_do_exactly_what_the_table_says(role: Role, capability: Capability) -> None:
    caller = principal(role, "2283")
    allowed = capability in MAY[role]
    assert caller.can(capability) is allowed
    if allowed:
        caller.require(capability)
    else:
        with pytest.raises(Forbidden) as info:
            caller.require(capability)
        assert info.value.status == 403
        assert info.value.detail == f"Rollen {ROLE_WORDS[role]} får inte {DOING[capability]} ({capability})."


def test_the_police_read_and_log_but_never_see_household_addresses_nor_write() -> None:
    police = principal("police", "2283")
    assert police.can("read")
    assert police.can("log")
    assert not police.can("read_households")
    assert not police.can("write")
    assert not police.can("admin")


@pytest.mark.parametrize("role", ["coordinator", "police"])
def test_a_scoped_token_sees_its_own_kommuner_only(role: Role) -> None:
    caller = principal(role, "2283", "2284")
    assert caller.sees("2283")
    assert caller.sees("2284")
    assert not caller.sees("0180")
    assert caller.scope == ["2283", "2284"]
    caller.require_kommun("2284")
    with pytest.raises(Forbidden) as info:
        caller.require_kommun("0180")
    assert info.value.status == 403
    assert info.value.detail == "Din behörighet gäller inte kommun 0180."


def test_a_token_without_kommuner_sees_none() -> None:
    lonely = principal("coordinator")
    assert lonely.scope == []
    assert not lonely.sees("2283")
    with pytest.raises(Forbidden):
        lonely.require_kommun("2283")
    assert lonely.visible_kommuner(None) == []
    assert lonely.visible_kommuner(["2283"]) == []


def test_admin_sees_every_kommun_whatever_its_list_says() -> None:
    admin = principal("admin", "2283")
    assert admin.scope is None
    assert admin.sees("0180")
    admin.require_kommun("0180")
    assert admin.visible_kommuner(None) is None
    assert admin.visible_kommuner([]) is None
    assert admin.visible_kommuner(["0180", "2283"]) == ["0180", "2283"]


def test_a_kommun_filter_is_narrowed_to_the_scope() -> None:
    coordinator = principal("coordinator", "2283", "2284")
    # no filter asked: the whole scope
    assert coordinator.visible_kommuner(None) == ["2283", "2284"]
    assert coordinator.visible_kommuner([]) == ["2283", "2284"]
    # a filter: only what is in scope, in the order asked
    assert coordinator.visible_kommuner(["2284", "0180", "2283"]) == ["2284", "2283"]
    # a filter with nothing in scope gives nothing, not the whole scope
    assert coordinator.visible_kommuner(["0180"]) == []


def test_the_system_principal_is_an_unscoped_admin() -> None:
    assert SYSTEM.role == "admin"
    assert SYSTEM.scope is None
    assert all(SYSTEM.can(c) for c in CAPABILITIES)
