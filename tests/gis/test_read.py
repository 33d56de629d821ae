"""Reading GIS files (no database): formats, CRS, encodings, field mapping, the kommun from the geometry."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from grannsamverkan.errors import InvalidInput, MalformedInput
from grannsamverkan.geo import boundaries
from grannsamverkan.geo.gis import FieldMapping, file_kind, read_areas
from tests.geodata import RAMSELE, area_feature
from tests.gis.files import KOMMUNER, geojson_bytes, geopackage, shapefile, straddling_area, sweref_square, zipped

POLICE_FIELDS = FieldMapping(name="NAMN", external_ref="SPECIALOMR")


def _check_police_like(features: list) -> None:  # type: ignore[type-arg]
    assert [f.properties["name"] for f in features] == ["Ramsele", "Långsele centrum", "Arvidsjaur"]
    assert [f.properties["external_ref"] for f in features] == ["11", "12", "13"]
    assert [f.properties["kommun"] for f in features] == [KOMMUNER[11], KOMMUNER[12], KOMMUNER[13]]
    for f in features:
        assert not shapely.has_z(f.geometry_sweref)
        assert f.geometry_sweref.area == pytest.approx(600.0 * 600.0)


def test_geopackage_with_z_is_read_in_its_own_crs_with_the_kommun_from_the_geometry(tmp_path: Path) -> None:
    path = geopackage(tmp_path)
    data = path.read_bytes()
    assert file_kind(data) == "gpkg"
    _check_police_like(read_areas(data, mapping=POLICE_FIELDS))


def test_zipped_shapefile_in_a_folder_of_the_zip(tmp_path: Path) -> None:
    data = zipped(shapefile(tmp_path))
    assert file_kind(data) == "zip"
    _check_police_like(read_areas(data, mapping=POLICE_FIELDS))


def test_plain_shapefile_read_with_its_sibling_files(tmp_path: Path) -> None:
    _check_police_like(read_areas(shapefile(tmp_path), mapping=POLICE_FIELDS))


@pytest.mark.parametrize("encoding", ["latin1", "UTF-8"])
def test_dbf_without_cpg_in_latin_1_or_utf_8_keeps_its_letters(tmp_path: Path, encoding: str) -> None:
    path = shapefile(tmp_path, encoding=encoding, cpg=False)
    assert not path.with_suffix(".cpg").exists()
    features = read_areas(zipped(path), mapping=POLICE_FIELDS)
    assert features[1].properties["name"] == "Långsele centrum"


def test_geojson_with_a_bom(tmp_path: Path) -> None:
    data = geojson_bytes([area_feature("Ramsele", "2283", RAMSELE, external_ref="r")], bom=True)
    assert file_kind(data) == "geojson"
    [feature] = read_areas(data)
    assert feature.properties["name"] == "Ramsele"


def test_file_without_crs_in_sweref_range_is_refused_with_the_reason(tmp_path: Path) -> None:
    data = zipped(shapefile(tmp_path, prj=False))
    with pytest.raises(InvalidInput, match=r"inget koordinatsystem.*SWEREF 99 TM.*--crs EPSG:3006"):
        read_areas(data, mapping=POLICE_FIELDS)
    _check_police_like(read_areas(data, crs="EPSG:3006", mapping=POLICE_FIELDS))


def test_a_missing_field_is_reported_once_listing_the_files_fields(tmp_path: Path) -> None:
    data = geopackage(tmp_path).read_bytes()
    with pytest.raises(InvalidInput) as caught:
        read_areas(data)  # no name field and no --name-field
    assert len(caught.value.errors) == 1
    assert "NAMN, ORT, SPECIALOMR" in caught.value.detail and "--name-field" in caught.value.detail
    with pytest.raises(InvalidInput) as caught:
        read_areas(data, mapping=FieldMapping(name="NAME", external_ref="SPECIAL"))
    assert [e.field for e in caught.value.errors] == ["name_field", "external_ref_field"]
    assert all("NAMN, ORT, SPECIALOMR" in e.message for e in caught.value.errors)


def test_bytes_that_are_no_gis_file_are_refused_in_swedish() -> None:
    with pytest.raises(MalformedInput, match="varken GeoJSON, GeoPackage"):
        read_areas(b"\x00\x01garbage")


def test_an_area_mostly_in_its_kommun_is_accepted_with_the_share_elsewhere_named() -> None:
    mostly = straddling_area()
    (home, home_share), (other, other_share) = boundaries.kommuner_of(mostly)
    assert (home, other) == ("2283", "2282") and 0.6 < home_share < 0.9
    percent = f"{round(other_share * 100)} %"
    assert boundaries.area_fit("2283", mostly) == boundaries.AreaFit(warning=f"{percent} ligger i Kramfors (2282)")
    # Given the kommun holding the smaller part it is refused, naming where it lies.
    refusal = boundaries.area_fit("2282", mostly).refusal
    assert refusal is not None and refusal.startswith("Största delen av området ligger i Sollefteå (2283), inte i Kramfors (2282)")
    assert boundaries.kommun_of_area(mostly) == "2283"
    # A little inside the outline's tolerance is inside; wholly elsewhere is refused naming where.
    assert boundaries.area_fit("2283", sweref_square(RAMSELE)) == boundaries.AreaFit()
    assert boundaries.area_fit("2505", sweref_square(RAMSELE)).refusal == "Området ligger i Sollefteå (2283), inte i Arvidsjaur (2505)."


def test_a_feature_without_kommun_gets_the_one_it_lies_in_others_keep_theirs() -> None:
    given = area_feature("Ramsele", "2283", RAMSELE, external_ref="r")
    missing = area_feature("Arvidsjaur", "2505", (19.176, 65.592), external_ref="a")
    del missing["properties"]["kommun"]
    features = read_areas(geojson_bytes([given, missing]))
    assert [f.properties["kommun"] for f in features] == ["2283", "2505"]


def test_a_gis_file_with_too_many_positions_is_refused_before_it_is_converted(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from grannsamverkan.errors import PayloadTooLarge
    from grannsamverkan.geo import gis

    monkeypatch.setattr(gis, "MAX_FILE_POSITIONS", 14)  # three squares have 15
    with pytest.raises(PayloadTooLarge, match="15 positioner; högst 14"):
        read_areas(geopackage(tmp_path).read_bytes(), mapping=POLICE_FIELDS)
