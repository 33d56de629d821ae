"""A contact person's (kontaktombud's) details: what the registry accepts, with no I/O.

The same check for the API, the pages and anything else that stores a contact person, so a phone
number "abc" or an e-mail address "inte-en-epost" is refused on the server, with a message in
Swedish that names the field.
"""

from __future__ import annotations

import re
import unicodedata

import msgspec

from grannsamverkan.errors import FieldError, InvalidInput

NAME_MAX = 200
PHONE_MAX = 40
EMAIL_MAX = 254

# What people write between the digits of a phone number: 070-123 45 67, 08/123 456, (0)70 ...
_PHONE_SEPARATORS = re.compile(r"[\s\-/.()]")
# A Swedish number: 0 and 6-9 digits more (area code and subscriber number, mobile numbers have
# 9), or the same without the 0 after +46 / 0046. Foreign numbers: + and 7-15 digits (E.164).
_SWEDISH_NATIONAL = re.compile(r"^0[1-9][0-9]{5,8}$")
_SWEDISH_INTERNATIONAL = re.compile(r"^(?:\+46|0046)[1-9][0-9]{5,8}$")
_FOREIGN = re.compile(r"^\+(?!46)[1-9][0-9]{6,14}$")
# Local part and domain as mail systems accept them in practice: no spaces, one @, a domain with a
# dot and no empty labels.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


class ContactDetails(msgspec.Struct, frozen=True, kw_only=True):
    """Checked and trimmed: name, and phone and e-mail when given."""

    name: str
    phone: str | None
    email: str | None


def _has_control(value: str) -> bool:
    return any(unicodedata.category(c).startswith("C") for c in value)


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def phone_problem(phone: str) -> str | None:
    """The message code saying why ``phone`` is not a phone number, or None when it is one."""
    if len(phone) > PHONE_MAX:
        return "contact.phone_too_long"
    digits = _PHONE_SEPARATORS.sub("", phone.replace("(0)", ""))
    if not (_SWEDISH_NATIONAL.match(digits) or _SWEDISH_INTERNATIONAL.match(digits) or _FOREIGN.match(digits)):
        return "contact.phone_invalid"
    return None


def email_problem(email: str) -> str | None:
    """The message code saying why ``email`` is not an e-mail address, or None when it is one."""
    if len(email) > EMAIL_MAX:
        return "contact.email_too_long"
    local = email.split("@", 1)[0]
    if not _EMAIL.match(email) or len(local) > 64 or ".." in email or local.startswith(".") or local.endswith("."):
        return "contact.email_invalid"
    return None


def check_contact_details(name: str | None, phone: str | None, email: str | None) -> ContactDetails:
    """The details trimmed, or InvalidInput (422) naming every field that is wrong."""
    errors: list[FieldError] = []
    name = _blank_to_none(name)
    phone = _blank_to_none(phone)
    email = _blank_to_none(email)
    if name is None:
        errors.append(FieldError.of("name", "contact.name_missing"))
    elif len(name) > NAME_MAX:
        errors.append(FieldError.of("name", "contact.name_too_long", max=NAME_MAX))
    elif _has_control(name):
        errors.append(FieldError.of("name", "contact.name_control"))
    if phone is not None and (problem := phone_problem(phone)):
        errors.append(FieldError.of("phone", problem, max=PHONE_MAX))
    if email is not None and (problem := email_problem(email)):
        errors.append(FieldError.of("email", problem, max=EMAIL_MAX))
    if errors:
        detail = " ".join(e.message for e in errors)  # each message names its field in Swedish
        raise InvalidInput("contact.invalid", errors, problems=detail)
    assert name is not None
    return ContactDetails(name=name, phone=phone, email=email)
