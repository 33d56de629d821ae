"""GeoJSON areas: parsing, validation messages, output, overlaps."""

from __future__ import annotations

from typing import Any

import pytest
import shapely

from grannsamverkan.errors import InvalidInput, MalformedInput
from grannsamverkan.geo.geojson import (
    area_km2,
    bbox,
    decode_json,
    find_overlaps,
    find_overlaps_among,
    from_wkb,
    geometry_to_geojson_wgs84,
    parse_areas,
    parse_feature,
    parse_feature_collection,
    parse_geometry,
    parse_point,
    point_to_geojson_wgs84,
    to_wkb,
)


def feature(geometry: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"name": "Test", "kommun": "2283", **props}, "geometry": geometry}


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


# A 1 km square near Sollefteå, SWEREF 99 TM, and roughly the same place in WGS 84.
SQ_SWEREF = [[614000.0, 7006000.0], [615000.0, 7006000.0], [615000.0, 7007000.0], [614000.0, 7007000.0], [614000.0, 7006000.0]]
SQ_WGS84 = [[17.26, 63.16], [17.28, 63.16], [17.28, 63.17], [17.26, 63.17], [17.26, 63.16]]
BOW_TIE = [[17.26, 63.16], [17.28, 63.17], [17.28, 63.16], [17.26, 63.17], [17.26, 63.16]]

QGIS_COLLECTION: dict[str, Any] = {
    "type": "FeatureCollection",
    "name": "omraden",
    "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
    "features": [
        {
            "type": "Feature",
            "properties": {"fid": 1, "name": "Nipan", "kommun": "2283"},
            "geometry": {"type": "MultiPolygon", "coordinates": [[SQ_SWEREF]]},
        },
        {
            "type": "Feature",
            "properties": {"fid": 2, "name": "Hågesta", "kommun": "2283"},
            "geometry": {"type": "Polygon", "coordinates": [[[p[0] + 2000, p[1]] for p in SQ_SWEREF]]},
        },
    ],
}


def test_parse_wgs84_feature() -> None:
    [area] = parse_areas(feature(polygon(SQ_WGS84)))
    assert area.index == 0
    assert area.properties["name"] == "Test"
    assert isinstance(area.geometry_sweref, shapely.Polygon)
    minx, miny, maxx, maxy = bbox(area.geometry_sweref)
    assert 600_000 < minx < maxx < 630_000
    assert 6_990_000 < miny < maxy < 7_020_000
    assert 1.0 < area_km2(area.geometry_sweref) < 1.2  # ~1.0 km x ~1.1 km


def test_qgis_style_sweref_collection_with_multipolygon() -> None:
    areas = parse_areas(QGIS_COLLECTION)
    assert [a.index for a in areas] == [0, 1]
    assert isinstance(areas[0].geometry_sweref, shapely.MultiPolygon)
    assert area_km2(areas[0].geometry_sweref) == pytest.approx(1.0)
    assert bbox(areas[1].geometry_sweref) == (616000.0, 7006000.0, 617000.0, 7007000.0)
    assert areas[1].properties["name"] == "Hågesta"


def test_query_crs_and_member_must_agree() -> None:
    with pytest.raises(InvalidInput, match="Parametern crs säger EPSG:4326"):
        parse_areas(QGIS_COLLECTION, crs="EPSG:4326")
    assert len(parse_areas(QGIS_COLLECTION, crs="EPSG:3006")) == 2
    assert len(parse_feature(feature(polygon(SQ_SWEREF)), crs="3006").properties) == 2


def test_bow_tie_names_ring_and_place() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_feature(feature(polygon(BOW_TIE)))
    message = exc.value.errors[0].message
    assert message.startswith("ring 0 korsar sig själv vid (17.27")
    assert "lon/lat" in message
    assert exc.value.errors[0].field == "geometry.coordinates"


def test_bow_tie_in_sweref_reports_sweref_point() -> None:
    bow = [[614000.0, 7006000.0], [615000.0, 7007000.0], [615000.0, 7006000.0], [614000.0, 7007000.0], [614000.0, 7006000.0]]
    with pytest.raises(InvalidInput) as exc:
        parse_feature(feature(polygon(bow)), crs="EPSG:3006")
    assert exc.value.errors[0].message == "ring 0 korsar sig själv vid (614500, 7006500) EPSG:3006."


def test_swapped_coordinates() -> None:
    swapped = [[lat, lon] for lon, lat in SQ_WGS84]
    with pytest.raises(InvalidInput) as exc:
        parse_feature(feature(polygon(swapped)))
    assert "Koordinaterna ser ut att ha latitud och longitud omkastade: (63.16, 17.26); GeoJSON har ordningen lon,lat" in (
        exc.value.errors[0].message
    )


def test_sweref_without_crs_gets_a_hint() -> None:
    with pytest.raises(InvalidInput, match="crs=EPSG:3006"):
        parse_feature(feature(polygon(SQ_SWEREF)))


def test_outside_sweden() -> None:
    paris = [[2.34, 48.85], [2.36, 48.85], [2.36, 48.86], [2.34, 48.85]]
    with pytest.raises(InvalidInput, match="utanför Sverige"):
        parse_feature(feature(polygon(paris)))


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        (None, "Objektet har ingen geometri"),
        ({"type": "Point", "coordinates": [17.27, 63.17]}, "Geometritypen 'Point' tas inte emot"),
        ({"type": "GeometryCollection", "geometries": []}, "Geometritypen 'GeometryCollection'"),
        ({"type": "Polygon", "coordinates": []}, "Polygon är tom"),
        ({"type": "MultiPolygon", "coordinates": []}, "MultiPolygon är tom"),
        (polygon(SQ_WGS84[:4]), "ring 0 är inte sluten"),
        (polygon([[17.26, 63.16], [17.28, 63.16], [17.26, 63.16]]), "ring 0 har 3 positioner"),
        (
            polygon([[17.26, 63.16], [17.28, "63.16"], [17.28, 63.17], [17.26, 63.16]]),
            "ring 0 position 1: Koordinaterna ska vara tal, fick '63.16'",
        ),
        (polygon([[17.26, 63.16], [17.28], [17.28, 63.17], [17.26, 63.16]]), "position 1: En position har 2 eller 3 tal"),
        (polygon([[17.26, 63.16], [17.28, True], [17.28, 63.17], [17.26, 63.16]]), "Koordinaterna ska vara tal, fick True"),
    ],
)
def test_structural_errors(geometry: dict[str, Any] | None, expected: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_feature(feature(geometry))
    assert expected in exc.value.errors[0].message


def test_hole_outside_shell_and_multipolygon_overlap() -> None:
    hole = [[17.30, 63.16], [17.31, 63.16], [17.31, 63.165], [17.30, 63.16]]
    with pytest.raises(InvalidInput, match="ring 1: ett hål ligger utanför"):
        parse_feature(feature(polygon(SQ_WGS84, hole)))
    shifted = [[lon + 0.01, lat] for lon, lat in SQ_WGS84]
    multi = {"type": "MultiPolygon", "coordinates": [[SQ_WGS84], [shifted]]}
    with pytest.raises(InvalidInput, match="polygon 0 ring 0 och polygon 1 ring 0"):
        parse_feature(feature(multi))


def test_polygon_with_valid_hole() -> None:
    hole = [[17.265, 63.162], [17.275, 63.162], [17.275, 63.168], [17.265, 63.162]]
    area = parse_feature(feature(polygon(SQ_WGS84, hole)))
    assert len(area.geometry_sweref.interiors) == 1


def test_collection_errors_name_feature_index() -> None:
    fc = {"type": "FeatureCollection", "features": [feature(polygon(SQ_WGS84)), feature(polygon(BOW_TIE)), feature(None)]}
    with pytest.raises(InvalidInput) as exc:
        parse_feature_collection(fc)
    errors = exc.value.errors
    assert [e.feature for e in errors] == [1, 2]
    assert errors[0].message.startswith("objekt 1: ring 0 korsar sig själv")
    assert errors[0].field == "features[1].geometry.coordinates"
    assert "och 1 till" in exc.value.detail


def test_top_level_shape_errors() -> None:
    with pytest.raises(InvalidInput, match="Typen 'Feature' eller 'FeatureCollection' väntades"):
        parse_areas({"type": "Polygon", "coordinates": [SQ_WGS84]})
    with pytest.raises(InvalidInput, match="har inga objekt"):
        parse_feature_collection({"type": "FeatureCollection", "features": []})
    with pytest.raises(InvalidInput, match="Ett GeoJSON-objekt av typen"):
        parse_areas([1, 2])
    with pytest.raises(MalformedInput, match="inte giltig JSON"):
        decode_json(b'{"type": "Feature",')


def test_geojson_output_is_wgs84_ccw_rounded() -> None:
    cw = list(reversed(SQ_SWEREF))  # clockwise input is accepted
    geom = parse_geometry(polygon(cw), crs="EPSG:3006")
    out = geometry_to_geojson_wgs84(geom)
    assert out["type"] == "Polygon"
    ring = out["coordinates"][0]
    assert ring[0] == ring[-1]
    assert all(len(str(v).split(".")[1]) <= 7 for pos in ring for v in pos)
    assert shapely.Polygon(ring).exterior.is_ccw
    lon, lat = ring[0]
    assert 17.2 < lon < 17.35
    assert 63.1 < lat < 63.2
    multi = geometry_to_geojson_wgs84(parse_areas(QGIS_COLLECTION)[0].geometry_sweref)
    assert multi["type"] == "MultiPolygon"


def test_point_in_and_out() -> None:
    x, y = parse_point({"type": "Point", "coordinates": [17.27, 63.17]})
    out = point_to_geojson_wgs84(x, y)
    assert out == {"type": "Point", "coordinates": [17.27, 63.17]}
    assert point_to_geojson_wgs84(None, None) is None
    with pytest.raises(InvalidInput, match="omkastade"):
        parse_point({"type": "Point", "coordinates": [63.17, 17.27]})


def test_wkb_round_trip() -> None:
    geom = parse_areas(QGIS_COLLECTION)[0].geometry_sweref
    data = to_wkb(geom)
    assert isinstance(data, bytes)
    assert from_wkb(data).equals(geom)
    assert from_wkb(memoryview(data)).equals(geom)


def test_overlaps_beyond_one_square_metre() -> None:
    base = shapely.box(614000, 7006000, 615000, 7007000)
    neighbour = shapely.box(615000, 7006000, 616000, 7007000)  # shares a border
    sliver = shapely.box(614999.5, 7006000, 616000, 7006001)  # 0.5 m2 inside base
    big = shapely.box(614900, 7006900, 615100, 7007100)  # 100 x 100 m inside base
    found = find_overlaps(base, [(1, "Granne", neighbour), (2, "Remsa", sliver), (3, "Stor", to_wkb(big))])
    assert [(o.id, o.name) for o in found] == [(3, "Stor")]
    assert found[0].area_m2 == pytest.approx(10_000.0)
    assert find_overlaps(base, []) == []


def test_overlaps_among_a_batch() -> None:
    a = shapely.box(0, 0, 10, 10)
    b = shapely.box(5, 5, 15, 15)
    c = shapely.box(10, 0, 20, 5)  # touches a only
    assert find_overlaps_among([a, b, c]) == [(0, 1, 25.0)]
