"""CSV imports: encodings, delimiters, columns, coordinates, errors by line."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pytest

from grannsamverkan.errors import InvalidInput, MalformedInput
from grannsamverkan.geo.burglary_csv import normalise_category, parse_burglaries_csv, parse_time
from grannsamverkan.geo.household_csv import iter_households, parse_households
from grannsamverkan.geo.text_files import decode_text

NOW = datetime(2026, 1, 1, tzinfo=UTC)

CP1252_SEMICOLON = (
    "External_Ref;Gata;Street;Postcode;City;Lon;Lat\r\n"
    "h1;x;Storgatan 1;881 30;Sollefteå;17,27;63,17\r\n"
    "h2;x;Ängsvägen 2;88131;Långsele;;\r\n"
    "h3;x;Östra Ågatan 3;SE-881 32;Sollefteå;17,2701;63,1702\r\n"
).encode("cp1252")


def messages(exc: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [e.message for e in exc.value.errors]


def test_windows_1252_semicolon_with_swedish_letters() -> None:
    assert decode_text(CP1252_SEMICOLON)[1] == "windows-1252"
    t = parse_households(CP1252_SEMICOLON)
    assert t.external_ref.to_pylist() == ["h1", "h2", "h3"]
    assert t.street.to_pylist() == ["Storgatan 1", "Ängsvägen 2", "Östra Ågatan 3"]
    assert t.city.to_pylist() == ["Sollefteå", "Långsele", "Sollefteå"]
    assert t.postcode.to_pylist() == ["881 30", "881 31", "881 32"]
    assert t.line.tolist() == [2, 3, 4]
    assert t.has_location.tolist() == [True, False, True]
    assert 600_000 < t.x_sweref[0] < 630_000
    assert 6_990_000 < t.y_sweref[0] < 7_020_000
    assert t.bytes_consumed == t.total_bytes == len(CP1252_SEMICOLON)


def test_utf8_bom_comma_quoted_and_sweref_columns() -> None:
    data = (
        "\ufeffexternal_ref, street ,postcode,city,E,N\n"
        'a1,"Storgatan 1, lgh 1101",881 30,Sollefteå,614000.5,7006000\n'
        "\n"
        'a2,"Gamla vägen ""bron""",881 30,Sollefteå,,\n'
    ).encode("utf-8")
    t = parse_households(io.BytesIO(data))
    assert t.street.to_pylist() == ["Storgatan 1, lgh 1101", 'Gamla vägen "bron"']
    assert t.line.tolist() == [2, 4]
    assert t.x_sweref[0] == 614000.5
    assert np.isnan(t.x_sweref[1])


def test_quoted_value_spanning_lines_keeps_line_numbers() -> None:
    data = ('external_ref,street,postcode,city\na1,"Storgatan 1\nBakgården",881 30,Sollefteå\na2,Storgatan 2,881 30,\n').encode()
    with pytest.raises(InvalidInput) as exc:
        parse_households(data)
    assert messages(exc) == ["rad 4: Kolumnen 'city' är tom."]


def test_missing_column_on_a_line_names_the_line() -> None:
    data = b"external_ref;street;postcode;city\nh1;Storgatan 1;881 30;Sollefte\xe5\nh2;Storgatan 2;881 30\n"
    with pytest.raises(InvalidInput) as exc:
        parse_households(data)
    err = exc.value.errors[0]
    assert err.message.startswith("rad 3: Kolumnen 'city' saknas")
    assert (err.line, err.field) == (3, "city")


def test_excel_sep_line() -> None:
    t = parse_households(b"sep=,\r\nexternal_ref,street,postcode,city\r\nh1,Storgatan 1;2,881 30,Ede\r\n")
    assert t.street.to_pylist() == ["Storgatan 1;2"]
    assert t.line.tolist() == [3]


def test_missing_column_in_header() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_households(b"external_ref,street,postcode\nh1,Storgatan 1,881 30\n")
    assert exc.value.errors[0].message.startswith("rad 1: Kolumnen 'city' saknas")
    assert exc.value.errors[0].line == 1


def test_too_many_fields_and_trailing_delimiters() -> None:
    ok = b"external_ref;street;postcode;city\nh1;Storgatan 1;881 30;Ede;;\n;;;\n"
    assert parse_households(ok).external_ref.to_pylist() == ["h1"]
    bad = b"external_ref,street,postcode,city\nh1,Storgatan 1, lgh 2,881 30,Ede\n"
    with pytest.raises(InvalidInput, match="rad 2: 5 fält, rubrikraden har 4"):
        parse_households(bad)


def test_duplicate_external_ref_names_both_lines() -> None:
    data = b"external_ref,street,postcode,city\nh1,A 1,881 30,X\nh2,A 2,881 30,X\nh1,A 3,881 30,X\n"
    with pytest.raises(InvalidInput) as exc:
        parse_households(data)
    assert messages(exc) == ["rad 4: external_ref 'h1' används redan på rad 2."]


def test_duplicates_across_chunks() -> None:
    rows = "".join(f"r{i},Gata {i},881 30,Ede\n" for i in range(10)) + "r3,Gata,881 30,Ede\n"
    data = ("external_ref,street,postcode,city\n" + rows).encode()
    with pytest.raises(InvalidInput) as exc:
        list(iter_households(data, chunk_rows=4))
    assert messages(exc) == ["rad 12: external_ref 'r3' används redan på rad 5."]


def test_coordinates_both_or_neither_numbers_and_swapped() -> None:
    data = (
        b"external_ref;street;postcode;city;lon;lat\n"
        b"h1;A;881 30;X;17,27;\n"
        b"h2;A;881 30;X;17.2x;63.17\n"
        b"h3;A;881 30;X;63.17;17.27\n"
        b"h4;A;881 30;X;620000;7000000\n"
        b"h5;A;8813;X;;\n"
    )
    with pytest.raises(InvalidInput) as exc:
        parse_households(data)
    got = messages(exc)
    assert "rad 2: lon är ifylld men lat är tom; ange båda koordinaterna eller ingen." in got
    assert "rad 3: lon '17.2x' är inte ett tal." in got
    assert any(m.startswith("rad 4: Koordinaterna ser ut att ha latitud och longitud omkastade: (63.17, 17.27)") for m in got)
    assert any(m.startswith("rad 5:") and "döp kolumnerna till x,y" in m for m in got)
    assert any(m.startswith("rad 6: Postnumret '8813' är inte ett svenskt postnummer") for m in got)


def test_header_problems() -> None:
    with pytest.raises(InvalidInput, match="Kolumnen 'lon' har ingen partnerkolumn 'lat'"):
        parse_households(b"external_ref,street,postcode,city,lon\n")
    with pytest.raises(InvalidInput, match="ett par koordinatkolumner"):
        parse_households(b"external_ref,street,postcode,city,lon,lat,x,y\n")
    with pytest.raises(InvalidInput, match="finns två gånger"):
        parse_households(b"external_ref,street,postcode,city,City\n")
    with pytest.raises(InvalidInput, match="den enda kolumnen"):
        parse_households(b"external_ref|street|postcode|city\n")
    with pytest.raises(InvalidInput, match="inga datarader"):
        parse_households(b"external_ref,street,postcode,city\n\n")
    with pytest.raises(InvalidInput, match="Filen är tom"):
        parse_households(b"")


def test_not_text() -> None:
    with pytest.raises(MalformedInput, match="Excel-arbetsbok"):
        parse_households(b"PK\x03\x04rest")
    with pytest.raises(MalformedInput, match="NUL-byte"):
        parse_households(b"a\x00b")
    text, enc = decode_text("a;b\n".encode("utf-16"))
    assert (text, enc) == ("a;b\n", "utf-16")


def test_error_limit() -> None:
    rows = "".join(f"r{i},,881 30,Ede\n" for i in range(200))
    with pytest.raises(InvalidInput) as exc:
        parse_households(("external_ref,street,postcode,city\n" + rows).encode(), max_errors=50)
    assert len(exc.value.errors) == 50
    assert "stoppade efter 50 fel" in exc.value.detail


def test_streaming_reports_progress_and_stops_after_error() -> None:
    rows = [f"r{i};Gata {i};881 30;Ede;{17 + i / 1e5:.5f};63.17" for i in range(1000)]
    rows[700] = "r700;Gata;881 30;Ede;17.27;"
    data = ("external_ref;street;postcode;city;lon;lat\n" + "\n".join(rows) + "\n").encode()
    seen = []
    it = iter_households(data, chunk_rows=250)
    with pytest.raises(InvalidInput, match="rad 702"):
        for chunk in it:
            seen.append((len(chunk), chunk.bytes_consumed))
    assert [n for n, _ in seen] == [250, 250]
    assert 0 < seen[0][1] < seen[1][1] < len(data)


def test_large_file_fast_path_is_column_oriented() -> None:
    rows = "".join(f"r{i};Gata {i};88130;Ede;{614000 + i};{7006000 + i}\n" for i in range(120_000))
    data = ("external_ref;street;postcode;city;x;y\n" + rows).encode()
    chunks = list(iter_households(data))
    assert [len(c) for c in chunks] == [50_000, 50_000, 20_000]
    assert chunks[-1].line[-1] == 120_001
    assert chunks[2].x_sweref[-1] == 614000 + 119_999
    assert chunks[0].postcode[0].as_py() == "881 30"
    assert chunks[-1].bytes_consumed == len(data)


# --- burglaries ---------------------------------------------------------------------------------


def test_categories() -> None:
    assert normalise_category("Lägenhet") == "lagenhet"
    assert normalise_category(" FÖRRÅD ") == "forrad"
    assert normalise_category("övrigt") == "ovrigt"
    assert normalise_category("villa") == "villa"
    assert normalise_category("garage") is None


def test_parse_time() -> None:
    assert parse_time("2024-03-01").isoformat() == "2024-03-01T00:00:00+01:00"
    assert parse_time("2024-07-01", end_of_day=True).isoformat() == "2024-07-01T23:59:59+02:00"
    assert parse_time("2024-07-01 14:30").isoformat() == "2024-07-01T14:30:00+02:00"
    assert parse_time("2024-07-01T12:30:00Z").utcoffset().total_seconds() == 0


def test_burglaries_csv() -> None:
    data = (
        "external_ref;occurred_from;occurred_to;category;lon;lat;area_external_ref\n"
        "b1;2024-03-01;2024-03-03;Lägenhet;17,27;63,17;\n"
        "b2;2024-03-05T22:00;;villa;;;omr-7\n"
    ).encode("cp1252")
    b1, b2 = parse_burglaries_csv(data, now=NOW)
    assert b1.category == "lagenhet"
    assert b1.occurred_from.isoformat() == "2024-03-01T00:00:00+01:00"
    assert b1.occurred_to.isoformat() == "2024-03-03T23:59:59+01:00"
    assert b1.x_sweref is not None and 600_000 < b1.x_sweref < 630_000
    assert b1.area_external_ref is None
    assert b1.line == 2
    assert b2.occurred_to == b2.occurred_from
    assert b2.x_sweref is None
    assert b2.area_external_ref == "omr-7"
    assert b2.source == "csv"


def test_burglaries_csv_errors() -> None:
    data = (
        b"external_ref,occurred_from,occurred_to,category,area_external_ref\n"
        b"b1,2024-03-05,2024-03-01,villa,a\n"
        b"b2,1/3/2024,,villa,a\n"
        b"b3,2024-03-01,,garage,a\n"
        b"b4,2030-01-01,,villa,a\n"
        b"b1,2024-03-01,,villa,a\n"
    )
    with pytest.raises(InvalidInput) as exc:
        parse_burglaries_csv(data, now=NOW)
    got = messages(exc)
    assert "rad 2: occurred_to '2024-03-01' ligger före occurred_from '2024-03-05'." in got
    assert any(m.startswith("rad 3: occurred_from '1/3/2024' är inte ett datum eller en tidpunkt enligt ISO 8601") for m in got)
    assert (
        "rad 4: Kategorin 'garage' är okänd; använd en av: villa, lägenhet (lagenhet), fritidshus, förråd (forrad), övrigt (ovrigt)." in got
    )
    assert "rad 5: Inbrottet ligger i framtiden." in got
    assert "rad 6: external_ref 'b1' används redan på rad 2." in got


def test_burglaries_need_location_or_area_column() -> None:
    with pytest.raises(InvalidInput, match="area_external_ref"):
        parse_burglaries_csv(b"external_ref,occurred_from,occurred_to,category\nb1,2024-01-01,,villa\n")
