"""Addresses in the order people read them: by street, then house number as a number, then the
letter (Granvägen 4, 4A, 4B, 7, 11, 13, 16), so a door-knocking list follows the street.

Streets compare as Swedish readers expect (å, ä, ö after z; case and accents on e, é ignored); an
address without a street comes last. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

import msgspec

from grannsamverkan.domain.text import one_line
from grannsamverkan.errors import FieldError, InvalidInput

# "Granvägen 4", "Granvägen 4A", "Granvägen 4 B", "Granvägen 4 lgh 1102", "Storgatan 12-14".
_ADDRESS: Final = re.compile(r"^(?P<street>.*?)\s*(?P<number>\d+)\s*(?P<letter>[^\W\d_]?)(?![^\W\d_])\s*(?P<rest>.*)$")
# Swedish alphabet: å, ä, ö are letters of their own after z (and æ, ø, ü read as ä, ö, y).
# A hyphen or dash between words is read as a word break, as Swedish word-by-word order does:
# Anna-Karins väg before Anna Lindhs gata ("anna karins" < "anna lindhs").
_SWEDISH_LAST: Final = {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y", "-": " ", "–": " "}

AddressKey = tuple[int, str, int, int, str, str]


def swedish_key(text: str) -> str:
    """A string that sorts like ``text`` in a Swedish dictionary (case and other accents ignored)."""
    out = []
    for char in text.casefold():
        if char in _SWEDISH_LAST:
            out.append(_SWEDISH_LAST[char])
            continue
        # é -> e, à -> a: the base letter without its accent
        base = unicodedata.normalize("NFD", char)[0]
        out.append(base)
    return " ".join("".join(out).split())


def address_key(street: str | None) -> AddressKey:
    """Sort key of a street address: (no street last, street, has number, number, letter, rest)."""
    if street is None or not street.strip():
        return (1, "", 0, 0, "", "")
    text = street.strip()
    match = _ADDRESS.match(text)
    if match is None or not match["street"].strip():
        # "Byn" or "12": no number after a street name
        return (0, swedish_key(text), 0, 0, "", "")
    return (0, swedish_key(match["street"]), 1, int(match["number"]), swedish_key(match["letter"]), swedish_key(match["rest"]))


# --- an address as a coordinator edits it -------------------------------------------------------

STREET_MAX: Final = 200
CITY_MAX: Final = 200
_POSTCODE: Final = re.compile(r"^(\d{3})\s?(\d{2})$")


class Address(msgspec.Struct, frozen=True, kw_only=True):
    """A household's address, trimmed; a blank field is None."""

    street: str | None
    postcode: str | None
    city: str | None


def check_address(street: str | None, postcode: str | None, city: str | None) -> Address:
    """The address trimmed and the postcode written "881 30", or InvalidInput (422) naming every
    field that is wrong, in Swedish."""
    errors: list[FieldError] = []
    street, postcode, city = (one_line(v) or None if v is not None else None for v in (street, postcode, city))
    if street is not None and len(street) > STREET_MAX:
        errors.append(FieldError.of("street", "address.street_too_long", max=STREET_MAX))
    if postcode is not None:
        match = _POSTCODE.match(postcode)
        if match is None:
            errors.append(FieldError.of("postcode", "address.postcode"))
        else:
            postcode = f"{match[1]} {match[2]}"
    if city is not None and len(city) > CITY_MAX:
        errors.append(FieldError.of("city", "address.city_too_long", max=CITY_MAX))
    if errors:
        raise InvalidInput("address.invalid", errors, problems=" ".join(e.message for e in errors))
    return Address(street=street, postcode=postcode, city=city)
