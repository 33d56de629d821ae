"""The real public files in /work/shared/data/real (see its README); skipped where they are not."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
import pytest

from grannsamverkan.cli import main
from grannsamverkan.geo.gis import FieldMapping, read_areas
from tests.gis.files import shapefile_where, shapefile_without_cpg

REAL = Path("/work/shared/data/real")
SHP = REAL / "uso_2023_shp" / "uso_2023.shp"
HAND_MAPPED = REAL / "uso_2023_areas_epsg3006.geojson"

pytestmark = pytest.mark.skipif(not SHP.exists() or not HAND_MAPPED.exists(), reason="no real data in /work/shared/data/real")


def _hand_mapping() -> dict[str, str]:
    features = json.loads(HAND_MAPPED.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["external_ref"].removeprefix("uso-"): f["properties"]["kommun"] for f in features}


async def _stored(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    try:
        return {r["external_ref"]: r["kommun"] for r in await conn.fetch("select external_ref, kommun from area")}
    finally:
        await conn.close()


def test_the_kommun_derived_for_every_police_area_matches_the_hand_mapping() -> None:
    features = read_areas(SHP, mapping=FieldMapping(name="NAMN", external_ref="SPECIALOMR"))
    assert len(features) == 59
    derived = {f.properties["external_ref"]: f.properties["kommun"] for f in features}
    assert derived == _hand_mapping()
    assert "Rosengård" in {f.properties["name"] for f in features}


def test_without_its_cpg_the_utf8_dbf_still_reads_rosengard(tmp_path: Path) -> None:
    names = {f.properties["name"] for f in read_areas(shapefile_without_cpg(SHP, tmp_path), mapping=FieldMapping(name="NAMN"))}
    assert "Rosengård" in names and "RosengÃ¥rd" not in names


def test_police_shapefile_as_published_reports_the_overlap_and_stores_nothing(
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["import", "areas", str(SHP), "--name-field", "NAMN", "--ref-field", "SPECIALOMR", "--json"]) == 2
    problem = json.loads(capsys.readouterr().out)
    assert problem["status"] == 422
    # Fittja/Vårby (0.3 m², two kommuner) is no overlap; Rissne / Hallonbergen, mostly in Sundbyberg, is
    # no refusal (a warning when the file is stored). Only Hageby/Navestad (Norrköping) is refused.
    [overlap] = problem["errors"]
    assert {"Hageby", "Navestad"} <= set(overlap["message"].replace("'", " ").replace("(", " ").replace(")", " ").split())
    assert "2\xa0723 m²" in overlap["message"] or "2\xa0724 m²" in overlap["message"]
    assert asyncio.run(_stored(database_url)) == {}


def test_done_when_the_police_shapefile_without_the_overlapping_feature_imports_with_two_flags(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 15's done-when: as published, less Navestad (which overlaps Hageby), with --name-field and
    --ref-field; each area in its kommun (the README's hand mapping); exports re-import as unchanged."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    trimmed = shapefile_where(SHP, tmp_path, "NAMN <> 'Navestad'")
    assert main(["import", "areas", str(trimmed), "--name-field", "NAMN", "--ref-field", "SPECIALOMR", "--json"]) == 0
    # Rissne / Hallonbergen reaches up to about 360 m into Stockholm: stored in Sundbyberg, with the share named.
    assert json.loads(capsys.readouterr().out) == {
        "inserted": 58,
        "updated": 0,
        "unchanged": 0,
        "warnings": ["Rissne / Hallonbergen: 13 % ligger i Stockholm (0180)"],
    }
    stored = asyncio.run(_stored(database_url))
    expected = _hand_mapping()
    [left_out] = [ref for ref in expected if ref not in stored]
    assert stored == {ref: kommun for ref, kommun in expected.items() if ref != left_out}
    assert stored[_ref_of("Rissne")] == "0183"
    # The service's own exports re-import as unchanged (the straddling area's warning comes again).
    for kommun, warnings in (("1480", []), ("0183", ["Rissne / Hallonbergen: 13 % ligger i Stockholm (0180)"])):
        exported = tmp_path / f"{kommun}.gpkg"
        assert main(["export", "areas", "--kommun", kommun, str(exported)]) == 0
        capsys.readouterr()
        assert main(["import", "areas", str(exported), "--json"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["inserted"] == result["updated"] == 0 and result["unchanged"] > 0
        assert result.get("warnings", []) == warnings


def _ref_of(name: str) -> str:
    features = json.loads(HAND_MAPPED.read_text(encoding="utf-8"))["features"]
    return next(f["properties"]["external_ref"].removeprefix("uso-") for f in features if f["properties"]["name"].startswith(name))
