"""Rules of the personal accounts: what a name and a password may be, and how names compare.

No I/O: the use cases (``services/accounts.py``) hash and store; these functions only say yes or
no, in Swedish, naming the field.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from grannsamverkan import messages
from grannsamverkan.domain import glossary
from grannsamverkan.domain.access import ROLES, Role
from grannsamverkan.errors import FieldError, InvalidInput

MIN_PASSWORD_LENGTH: Final = 12
# Long enough for any pass phrase or manager's password, short enough that nobody makes the
# server hash a megabyte.
MAX_PASSWORD_LENGTH: Final = 256
MIN_NAME_LENGTH: Final = 2
MAX_NAME_LENGTH: Final = 254  # the longest e-mail address
# Letters (å, ä, ö and the others), digits and what e-mail addresses and short names use.
NAME_PATTERN: Final = re.compile(r"[\w.@+'-]+")


def checked_name(raw: str | None) -> str:
    """The account's name as it is stored (trimmed, NFC), or 422 naming the field ``name``."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise InvalidInput("account.name_missing", [FieldError.of("name", "account.name_missing_short")])
    if not MIN_NAME_LENGTH <= len(name) <= MAX_NAME_LENGTH:
        raise InvalidInput.at("name", "account.name_length", min=MIN_NAME_LENGTH, max=MAX_NAME_LENGTH)
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidInput.at("name", "account.name_characters")
    return name


def name_key(name: str) -> str:
    """What two names are compared by: 'Åsa@Kommun.se' and 'åsa@kommun.se' are the same account."""
    return unicodedata.normalize("NFKC", name.strip()).casefold()


def checked_password(raw: str) -> str:
    """The password as it is hashed (NFC, so that 'å' typed either way is the same), or 422 naming
    the field ``password``. Never part of a message."""
    password = unicodedata.normalize("NFC", raw)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.at("password", "account.password_too_short", min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput.at("password", "account.password_too_long", max=MAX_PASSWORD_LENGTH)
    return password


def sign_in_password(raw: str) -> str | None:
    """A password typed at sign-in, normalised like ``checked_password``; None when it cannot be
    anyone's (too long to hash), so the attempt fails without hashing it."""
    password = unicodedata.normalize("NFC", raw)
    return password if len(password) <= MAX_PASSWORD_LENGTH else None


def checked_scope(role: str, kommuner: list[str]) -> tuple[Role, list[str]]:
    """The same role and kommun rules as an API token: an admin sees every kommun, a coordinator
    or police account needs at least one."""
    if role not in ROLES:
        roles = messages.choices(glossary.ROLES, ROLES)
        raise InvalidInput("account.role_unknown", [FieldError.of("role", "account.role_one_of", roles=roles)], role=repr(role))
    if role != "admin" and not kommuner:
        raise InvalidInput.at("kommun", "account.kommun_needed")
    return role, sorted(set(kommuner))
