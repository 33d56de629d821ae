"""Who may do what: roles, capabilities and kommun scope. The one place access rules live."""

from __future__ import annotations

from typing import Literal

import msgspec

from grannsamverkan import messages
from grannsamverkan.domain import glossary
from grannsamverkan.errors import Forbidden

Role = Literal["admin", "coordinator", "police"]
ROLES: tuple[Role, ...] = ("admin", "coordinator", "police")

# read: areas, groups, contact persons, priority areas, goals, burglaries (no personal data of households)
# read_households: household addresses and sign-up lists
# write: any change to registry data in the token's kommuner
# admin: the audit trail
# log: log an activity against a medborgarlöfte and follow up a walk's points (police on the move too)
# approve: the police's step of a group's staged approval (reviewed → approved), the police's one
#   write on the registry (the kommun reviews; the two parties of the medborgarlöfte)
Capability = Literal["read", "read_households", "write", "admin", "log", "approve"]

POLICY: dict[Role, frozenset[Capability]] = {
    "admin": frozenset({"read", "read_households", "write", "admin", "log", "approve"}),
    "coordinator": frozenset({"read", "read_households", "write", "log"}),
    "police": frozenset({"read", "log", "approve"}),
}


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """The authenticated caller, from its token."""

    token_id: int
    name: str
    role: Role
    kommuner: tuple[str, ...] = ()

    @property
    def scope(self) -> list[str] | None:
        """Kommun codes this caller may see; None means every kommun (admin)."""
        return None if self.role == "admin" else list(self.kommuner)

    def can(self, capability: Capability) -> bool:
        return capability in POLICY[self.role]

    def sees(self, kommun: str) -> bool:
        return self.role == "admin" or kommun in self.kommuner

    def require(self, capability: Capability) -> None:
        if not self.can(capability):
            role, doing = messages.choices(glossary.ROLES, [self.role]), messages.choices(glossary.CAPABILITIES, [capability])
            raise Forbidden("access.capability", role=role, capability=doing)

    def require_kommun(self, kommun: str) -> None:
        """For writes naming a kommun: 403 when it is outside the token's scope."""
        if not self.sees(kommun):
            raise Forbidden("access.kommun", kommun=kommun)

    def visible_kommuner(self, requested: list[str] | None) -> list[str] | None:
        """Narrow a ``?kommun=`` filter to the scope; None means no filter (admin, none asked)."""
        if requested:
            return [k for k in requested if self.sees(k)]
        return self.scope


SYSTEM = Principal(token_id=0, name="system", role="admin")
