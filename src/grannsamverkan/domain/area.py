"""An area: the polygon of a planned or existing grannsamverkan or byavakt, and its properties."""

from __future__ import annotations

import re
from typing import Any, Final, Literal, get_args

import msgspec

from grannsamverkan.domain.text import one_line
from grannsamverkan.errors import FieldError, InvalidInput

AreaKind = Literal["villa", "radhus", "flerbostadshus", "by", "fritidshus", "blandat"]
AREA_KINDS: Final[tuple[AreaKind, ...]] = get_args(AreaKind)
KOMMUN_CODE: Final = re.compile(r"[0-9]{4}")  # fullmatch: "$" would let "2283\n" through
MAX_TEXT: Final = 200


class AreaProperties(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    kommun: str
    kind: AreaKind = "blandat"
    external_ref: str | None = None


def area_properties(props: dict[str, Any], *, feature: int | None = None, prefix: str = "properties.") -> AreaProperties:
    """Validate a Feature's properties; errors name the feature index and the field."""
    errors: list[FieldError] = []
    where = f"feature {feature}: " if feature is not None else ""

    def fail(field: str, message: str) -> None:
        errors.append(FieldError(field=prefix + field, message=where + message, feature=feature))

    name = props.get("name")
    if isinstance(name, str):
        name = one_line(name)
    if not isinstance(name, str) or not name:
        fail("name", "'name' is required (text)")
    elif len(name) > MAX_TEXT:
        fail("name", f"'name' is longer than {MAX_TEXT} characters")
    kommun = props.get("kommun")
    if isinstance(kommun, int) and not isinstance(kommun, bool):
        kommun = f"{kommun:04d}"
    if not isinstance(kommun, str) or not KOMMUN_CODE.fullmatch(kommun):
        fail("kommun", "'kommun' is required: SCB's four-digit code as text, e.g. \"2283\"")
    kind: AreaKind = props.get("kind", "blandat") or "blandat"
    if kind not in AREA_KINDS:
        fail("kind", f"'kind' must be one of {', '.join(AREA_KINDS)}; got {kind!r}")
    external_ref = props.get("external_ref")
    if external_ref is not None and (not isinstance(external_ref, str | int) or isinstance(external_ref, bool)):
        fail("external_ref", "'external_ref' must be text")
    elif external_ref is not None and not (1 <= len(str(external_ref)) <= MAX_TEXT):
        fail("external_ref", f"'external_ref' must be 1 to {MAX_TEXT} characters")
    if errors:
        raise InvalidInput(errors[0].message, errors)
    return AreaProperties(
        name=str(name),
        kommun=str(kommun),
        kind=kind,
        external_ref=None if external_ref is None else str(external_ref),
    )
