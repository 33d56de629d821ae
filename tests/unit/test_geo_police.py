"""The Swedish Police events feed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from grannsamverkan.errors import InvalidInput, MalformedInput
from grannsamverkan.geo.police import (
    category_from_summary,
    is_burglary_type,
    is_json_array,
    parse_event_time,
    parse_police_events,
)

SOLLEFTEA_GPS = "63.165407,17.277135"


def event(
    id_: int, kind: str, summary: str = "", when: str = "2023-07-27 9:07:45 +02:00", gps: str | None = SOLLEFTEA_GPS
) -> dict[str, Any]:
    return {
        "id": id_,
        "datetime": when,
        "name": f"27 juli 08:41, {kind.strip()}, Sollefteå",
        "summary": summary,
        "url": f"/aktuellt/handelser/2023/juli/27/{id_}/",
        "type": kind,
        "location": {"name": "Sollefteå", "gps": gps},
    }


FEED = [
    event(1, "Inbrott", "Inbrott i sommarstuga öster om Sollefteå."),
    event(2, "Trafikolycka", "Trafikolycka på länsväg 335."),
    event(3, "Inbrott, försök ", "Försök till inbrott i lägenhet i centrala Sollefteå."),
    event(4, "Stöld/inbrott", "Bostadsinbrott i centrala Arvidsjaur.", gps="65.592077,19.180283"),
    event(5, "Stöld", "Misstänkt ringa stöld i matbutik."),
    event(6, "inbrott", "Inbrott i ett garage, villa intill.", gps="58.345364000000004,11.9"),
    event(1, "Inbrott", "Inbrott i sommarstuga öster om Sollefteå (uppdaterad)."),
]


def test_keeps_burglaries_only() -> None:
    result = parse_police_events(json.dumps(FEED).encode())
    assert [r.external_ref for r in result.records] == ["1", "3", "4", "6"]
    assert (result.events, result.kept, result.skipped, result.duplicates) == (7, 4, 2, 1)
    assert result.skipped_types == {"Trafikolycka": 1, "Stöld": 1}
    first = result.records[0]
    assert first.summary is not None and first.summary.endswith("(uppdaterad).")
    assert first.category == "fritidshus"
    assert first.occurred_from == first.occurred_to
    assert first.occurred_from.isoformat() == "2023-07-27T09:07:45+02:00"
    assert first.source == "polisen"
    assert first.place == "Sollefteå"
    assert [r.category for r in result.records] == ["fritidshus", "lagenhet", "ovrigt", "forrad"]


def test_locations_are_centroids_by_default() -> None:
    result = parse_police_events(FEED)
    assert all(r.location_is_centroid for r in result.records)
    x, y = result.records[0].x_sweref, result.records[0].y_sweref
    assert x is not None and y is not None
    assert 600_000 < x < 630_000
    assert 6_990_000 < y < 7_020_000


def test_known_centroids_passed_by_caller() -> None:
    result = parse_police_events(FEED, centroids=[(17.277135, 63.165407)])
    flags = {r.external_ref: r.location_is_centroid for r in result.records}
    assert flags == {"1": True, "3": True, "4": False, "6": False}


def test_event_time_formats() -> None:
    assert parse_event_time("2023-03-23 16:37:32 +01:00").isoformat() == "2023-03-23T16:37:32+01:00"
    assert parse_event_time("2023-07-27 9:07:45 +02:00").hour == 9
    # A UTC offset is converted to Stockholm time.
    assert parse_event_time("2023-07-27 07:07:45 +00:00").isoformat() == "2023-07-27T09:07:45+02:00"
    with pytest.raises(ValueError):
        parse_event_time("27 juli 08:41")


def test_types_and_categories() -> None:
    assert is_burglary_type("Inbrott ")
    assert is_burglary_type("INBROTT,  FÖRSÖK")
    assert is_burglary_type("stöld/inbrott")
    assert not is_burglary_type("Stöld")
    assert not is_burglary_type(None)
    assert category_from_summary("Villainbrott i Långsele.") == "villa"
    assert category_from_summary("Inbrott i förråd tillhörande villa") == "forrad"
    assert category_from_summary("Inbrott i källarförråd") == "forrad"
    assert category_from_summary("Inbrott i radhus") == "villa"
    assert category_from_summary("Inbrott hos en äldre kvinna") == "ovrigt"
    assert category_from_summary(None) == "ovrigt"


def test_bad_burglary_events_are_errors_with_index() -> None:
    bad = [
        event(1, "Inbrott", when="igår"),
        event(2, "Inbrott", gps="17.27,63.17"),
        event(3, "Trafikolycka", when="igår"),
        {"type": "Inbrott", "datetime": "2023-01-01 1:00:00 +01:00"},
    ]
    with pytest.raises(InvalidInput) as exc:
        parse_police_events(bad)
    errors = exc.value.errors
    assert [(e.feature, e.field) for e in errors] == [(0, "[0].datetime"), (1, "[1].location.gps"), (3, "[3].id")]
    assert "ser ut som lng,lat" in errors[1].message


def test_missing_gps_gives_no_location() -> None:
    [rec] = parse_police_events([event(9, "Inbrott", gps=None)]).records
    assert rec.x_sweref is None
    assert not rec.location_is_centroid


def test_not_an_array() -> None:
    with pytest.raises(MalformedInput):
        parse_police_events(b"[{")
    with pytest.raises(InvalidInput, match="JSON-lista"):
        parse_police_events(b'{"events": []}')
    assert is_json_array(b"\xef\xbb\xbf  [ {}]")
    assert not is_json_array(b"external_ref,occurred_from\n")
