"""CRS names, transformations and Sweden's extent."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from grannsamverkan.errors import InvalidInput
from grannsamverkan.geo.crs import (
    SWEREF99TM,
    WGS84,
    crs_from_geojson,
    explain_outside,
    inside_sweden,
    outside_sweden,
    parse_crs,
    resolve_crs,
    sweref_to_wgs84,
    to_sweref,
    transform_geometry,
)

SOLLEFTEA = (17.27, 63.17)  # lon, lat


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("EPSG:3006", 3006),
        ("epsg:3006", 3006),
        ("3006", 3006),
        (" EPSG:4326 ", 4326),
        ("urn:ogc:def:crs:EPSG::3006", 3006),
        ("urn:ogc:def:crs:EPSG:6.6:3006", 3006),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", 4326),
        ("CRS84", 4326),
        ("OGC:CRS84", 4326),
        ("http://www.opengis.net/def/crs/EPSG/0/3006", 3006),
        (None, 4326),
        ("", 4326),
        (3006, 3006),
    ],
)
def test_parse_crs_accepts_known_names(text: str | int | None, code: int) -> None:
    assert parse_crs(text) == code


@pytest.mark.parametrize("text", ["EPSG:3857", "3021", "WGS84-ish", "urn:ogc:def:crs:EPSG::3857", True])
def test_parse_crs_refuses_others(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_crs(text)
    assert "stöds inte" in exc.value.detail and exc.value.code == "crs.unsupported"
    assert "EPSG:3006" in exc.value.detail
    assert exc.value.errors[0].field == "crs"


def test_geojson_crs_member_qgis_style() -> None:
    member = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}
    assert crs_from_geojson(member) == SWEREF99TM
    assert crs_from_geojson(None) is None
    with pytest.raises(InvalidInput, match="namngivet koordinatsystem"):
        crs_from_geojson({"type": "link", "properties": {"href": "http://example.com/crs"}})


def test_resolve_crs_conflict() -> None:
    assert resolve_crs(None, None) == WGS84
    assert resolve_crs(None, 3006) == 3006
    assert resolve_crs(3006, 3006) == 3006
    with pytest.raises(InvalidInput, match="Parametern crs säger EPSG:4326"):
        resolve_crs(4326, 3006)


def test_sollefteå_round_trip() -> None:
    x, y = to_sweref([SOLLEFTEA[0]], [SOLLEFTEA[1]], WGS84)
    # Sollefteå lies around E 614000, N 7006000 in SWEREF 99 TM.
    assert 600_000 < x[0] < 630_000
    assert 6_990_000 < y[0] < 7_020_000
    lon, lat = sweref_to_wgs84(x, y)
    assert lon[0] == pytest.approx(SOLLEFTEA[0], abs=1e-9)
    assert lat[0] == pytest.approx(SOLLEFTEA[1], abs=1e-9)


def test_to_sweref_identity_and_nan() -> None:
    x, _y = to_sweref([620000.0, np.nan], [7000000.0, np.nan], SWEREF99TM)
    assert x[0] == 620000.0
    assert np.isnan(x[1])
    x, _y = to_sweref(np.array([17.27, np.nan]), np.array([63.17, np.nan]), WGS84)
    assert np.isfinite(x[0])
    assert not np.isfinite(x[1])


def test_transform_geometry_vectorised() -> None:
    square = shapely.box(17.0, 63.0, 17.1, 63.1)
    sw = transform_geometry(square, WGS84, SWEREF99TM)
    assert 20 < sw.area / 1e6 < 60  # ~5 km x ~11 km
    back = transform_geometry(sw, SWEREF99TM, WGS84)
    assert back.equals_exact(square, tolerance=1e-9)


def test_inside_sweden() -> None:
    assert inside_sweden([17.27], [63.17], WGS84).tolist() == [True]
    assert inside_sweden([63.17], [17.27], WGS84).tolist() == [False]
    assert inside_sweden([620000.0], [7000000.0], SWEREF99TM).tolist() == [True]
    assert outside_sweden([17.27, 2.35, np.nan], [63.17, 48.85, np.nan], WGS84).tolist() == [1, 2]


def test_explain_swapped_lon_lat() -> None:
    message = explain_outside(63.17, 17.27, WGS84)
    assert message == "Koordinaterna ser ut att ha latitud och longitud omkastade: (63.17, 17.27); GeoJSON har ordningen lon,lat."


def test_explain_sweref_given_as_wgs84() -> None:
    message = explain_outside(620123.4, 7012345.6, WGS84)
    assert "ser ut som meter i SWEREF 99 TM" in message
    assert "crs=EPSG:3006" in message


def test_explain_wgs84_given_as_sweref_and_swapped_sweref() -> None:
    assert "ser ut som grader longitud/latitud" in explain_outside(17.27, 63.17, SWEREF99TM)
    assert "x och y (öst- och nordvärde) omkastade" in explain_outside(7012345.6, 620123.4, SWEREF99TM)


def test_explain_outside_sweden() -> None:
    assert "utanför Sverige" in explain_outside(2.35, 48.85, WGS84)  # Paris
    assert "utanför Sverige" in explain_outside(50.0, 50.0, SWEREF99TM)
    assert "inte ändliga tal" in explain_outside(float("nan"), 1.0, WGS84)


@given(st.floats(10.5, 24.0), st.floats(55.3, 69.0))
def test_round_trip_through_sweref(lon: float, lat: float) -> None:
    x, y = to_sweref([lon], [lat], WGS84)
    back_lon, back_lat = sweref_to_wgs84(x, y)
    assert back_lon[0] == pytest.approx(lon, abs=1e-8)
    assert back_lat[0] == pytest.approx(lat, abs=1e-8)


@given(st.floats(12.0, 21.0), st.floats(57.0, 67.0))
def test_inner_sweden_stays_inside_after_transform(lon: float, lat: float) -> None:
    x, y = to_sweref([lon], [lat], WGS84)
    assert inside_sweden(x, y, SWEREF99TM)[0]
