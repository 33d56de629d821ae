"""An area's properties from a GeoJSON Feature: what is accepted, and errors naming feature and field."""

from __future__ import annotations

from typing import Any

import pytest

from grannsamverkan.domain.area import AREA_KINDS, MAX_TEXT, AreaProperties, area_properties
from grannsamverkan.errors import FieldError, InvalidInput


def refused(props: dict[str, Any], **kwargs: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        area_properties(props, **kwargs)
    return info.value


def test_a_plain_area() -> None:
    assert area_properties({"name": "Björkvägen", "kommun": "2283"}) == AreaProperties(
        name="Björkvägen", kommun="2283", kind="blandat", external_ref=None
    )


def test_values_are_cleaned() -> None:
    # a name is one line without control characters (terminal escapes, bidi overrides), trimmed
    props = {"name": "  Björk\x07vägen\u202e\n ", "kommun": 180, "kind": "villa", "external_ref": 17}
    assert area_properties(props) == AreaProperties(name="Björkvägen", kommun="0180", kind="villa", external_ref="17")


@pytest.mark.parametrize("kind", [None, ""])
def test_no_kind_is_blandat(kind: str | None) -> None:
    assert area_properties({"name": "A", "kommun": "2283", "kind": kind}).kind == "blandat"


@pytest.mark.parametrize("kind", AREA_KINDS)
def test_every_kind_is_accepted(kind: str) -> None:
    assert area_properties({"name": "A", "kommun": "2283", "kind": kind}).kind == kind


def test_the_longest_texts_are_accepted() -> None:
    props = {"name": "n" * MAX_TEXT, "kommun": "2283", "external_ref": "r" * MAX_TEXT}
    area = area_properties(props)
    assert (len(area.name), len(area.external_ref or "")) == (MAX_TEXT, MAX_TEXT)
    assert area_properties({"name": "A", "kommun": "2283", "external_ref": "r"}).external_ref == "r"


NAME_REQUIRED = "'name' krävs (text)."
KOMMUN_REQUIRED = "'kommun' krävs: SCB:s fyrsiffriga kod som text, t.ex. \"2283\"."


@pytest.mark.parametrize(
    ("props", "field", "message"),
    [
        ({"kommun": "2283"}, "name", NAME_REQUIRED),
        ({"name": "   ", "kommun": "2283"}, "name", NAME_REQUIRED),
        ({"name": "\x1b\x07\u202e", "kommun": "2283"}, "name", NAME_REQUIRED),
        ({"name": 5, "kommun": "2283"}, "name", NAME_REQUIRED),
        ({"name": "n" * (MAX_TEXT + 1), "kommun": "2283"}, "name", "'name' är längre än 200 tecken."),
        ({"name": "A"}, "kommun", KOMMUN_REQUIRED),
        ({"name": "A", "kommun": "228"}, "kommun", KOMMUN_REQUIRED),
        ({"name": "A", "kommun": "22830"}, "kommun", KOMMUN_REQUIRED),
        ({"name": "A", "kommun": True}, "kommun", KOMMUN_REQUIRED),
        ({"name": "A", "kommun": 22830}, "kommun", KOMMUN_REQUIRED),
        (
            {"name": "A", "kommun": "2283", "kind": "slott"},
            "kind",
            (
                "Områdets typ ('kind') ska vara en av: villaområde (villa), radhusområde (radhus), flerbostadshus, by, "
                "fritidshusområde (fritidshus), blandat; fick 'slott'."
            ),
        ),
        ({"name": "A", "kommun": "2283", "external_ref": True}, "external_ref", "'external_ref' ska vara text."),
        ({"name": "A", "kommun": "2283", "external_ref": 1.5}, "external_ref", "'external_ref' ska vara text."),
        (
            {"name": "A", "kommun": "2283", "external_ref": ""},
            "external_ref",
            "'external_ref' ska vara 1 till 200 tecken.",
        ),
        (
            {"name": "A", "kommun": "2283", "external_ref": "r" * (MAX_TEXT + 1)},
            "external_ref",
            "'external_ref' ska vara 1 till 200 tecken.",
        ),
    ],
)
def test_a_bad_property_is_refused_naming_the_field(props: dict[str, Any], field: str, message: str) -> None:
    error = refused(props)
    assert error.detail == "Områdets egenskaper är inte giltiga: " + message
    assert [(e.field, e.message) for e in error.errors] == [(f"properties.{field}", message)]


def test_errors_name_the_feature_and_every_field_at_once() -> None:
    error = refused({"kind": "slott", "external_ref": False}, feature=3, prefix="features[3].properties.")
    assert [(e.field, e.feature) for e in error.errors] == [
        ("features[3].properties.name", 3),
        ("features[3].properties.kommun", 3),
        ("features[3].properties.kind", 3),
        ("features[3].properties.external_ref", 3),
    ]
    assert all(e.message.startswith("objekt 3: ") for e in error.errors)
    assert error.detail == "Områdets egenskaper är inte giltiga: objekt 3: " + NAME_REQUIRED


def test_feature_0_is_named_too() -> None:
    error = refused({"kommun": "2283"}, feature=0)
    assert error.errors == [FieldError(field="properties.name", message="objekt 0: " + NAME_REQUIRED, feature=0, code="area.name_required")]


@pytest.mark.parametrize("kommun", ["2283\n", " 2283", "22833", "228", "22a3"])
def test_a_kommun_code_is_exactly_four_digits(kommun: str) -> None:
    assert refused({"name": "Björkvägen", "kommun": kommun}).errors[0].field == "properties.kommun"
