"""The door-knocking order: streets as Swedish readers sort them, numbers as numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannsamverkan.domain.addresses import Address, address_key, check_address, swedish_key
from grannsamverkan.domain.spreadsheet import neutralised
from grannsamverkan.errors import FieldError, InvalidInput


def ordered(streets: list[str | None]) -> list[str | None]:
    return sorted(streets, key=address_key)


def test_house_numbers_sort_as_numbers_not_as_text() -> None:
    assert ordered(["Granvägen 11", "Granvägen 13", "Granvägen 16", "Granvägen 4", "Granvägen 7"]) == [
        "Granvägen 4",
        "Granvägen 7",
        "Granvägen 11",
        "Granvägen 13",
        "Granvägen 16",
    ]


def test_letters_follow_their_number() -> None:
    assert ordered(["Granvägen 4B", "Granvägen 5", "Granvägen 4", "Granvägen 4 A", "Granvägen 40"]) == [
        "Granvägen 4",
        "Granvägen 4 A",
        "Granvägen 4B",
        "Granvägen 5",
        "Granvägen 40",
    ]


def test_streets_in_swedish_order_and_case_does_not_matter() -> None:
    assert ordered(["Östra vägen 1", "Åsvägen 2", "Ängsvägen 3", "zetavägen 1", "Björkvägen 9", "björkvägen 10"]) == [
        "Björkvägen 9",
        "björkvägen 10",
        "zetavägen 1",
        "Åsvägen 2",
        "Ängsvägen 3",
        "Östra vägen 1",
    ]
    assert swedish_key("Édvins väg") == swedish_key("edvins väg")


def test_a_streets_name_is_read_to_its_end_after_a_swedish_letter() -> None:
    # Ö, Ä, Å are letters of their own, and the letters after them still count
    assert ordered(["Östra vägen 1", "Örnvägen 2"]) == ["Örnvägen 2", "Östra vägen 1"]
    assert ordered(["Ängsvägen 1", "Älvvägen 2"]) == ["Älvvägen 2", "Ängsvägen 1"]
    assert ordered(["Björkvägen 1", "Bäckvägen 2", "Backvägen 3"]) == ["Backvägen 3", "Björkvägen 1", "Bäckvägen 2"]


def test_a_street_typed_with_extra_spaces_is_the_same_street() -> None:
    assert ordered(["Lilla vägen 2", "Lilla  vägen 3", " Lilla vägen 1", "Lilla vägen  4"]) == [
        " Lilla vägen 1",
        "Lilla vägen 2",
        "Lilla  vägen 3",
        "Lilla vägen  4",
    ]
    assert swedish_key("Lilla \t vägen") == swedish_key("lilla vägen")


def test_a_word_break_sorts_before_a_hyphen_and_a_letter() -> None:
    # Anna Lindhs gata before Anna-Lisas väg whether the hyphen is read as a space or not read
    assert ordered(["Anna-Lisas väg 1", "Annavägen 1", "Anna Lindhs gata 9"]) == [
        "Anna Lindhs gata 9",
        "Anna-Lisas väg 1",
        "Annavägen 1",
    ]


def test_a_hyphen_between_words_is_read_as_a_word_break() -> None:
    # Swedish word-by-word order: "Anna-Karins" is the words "Anna" "Karins", before "Anna" "Lindhs"
    assert ordered(["Anna Lindhs gata 1", "Anna–Maria gränd 1", "Anna-Karins väg 1"]) == [
        "Anna-Karins väg 1",
        "Anna Lindhs gata 1",
        "Anna–Maria gränd 1",
    ]
    assert swedish_key("Anna-Karins väg") == swedish_key("anna karins väg")
    # ... and a word break still sorts before any other sign
    assert ordered(["A.Karlssons väg 1", "A Karlssons väg 1"]) == ["A Karlssons väg 1", "A.Karlssons väg 1"]


@pytest.mark.parametrize("number", [0, 1, 4])
def test_the_street_without_a_number_comes_before_its_numbered_addresses(number: int) -> None:
    assert ordered([f"Storgatan {number}", "Storgatan", f"Storgatan {number}A"]) == [
        "Storgatan",
        f"Storgatan {number}",
        f"Storgatan {number}A",
    ]


def test_apartment_numbers_and_addresses_without_numbers() -> None:
    assert ordered(["Storgatan 2 lgh 1102", "Storgatan 2 lgh 1101", "Storgatan", "Storgatan 10"]) == [
        "Storgatan",
        "Storgatan 2 lgh 1101",
        "Storgatan 2 lgh 1102",
        "Storgatan 10",
    ]


def test_a_household_without_street_comes_last() -> None:
    assert ordered([None, "Granvägen 4", "  ", "Allévägen 1"]) == ["Allévägen 1", "Granvägen 4", None, "  "]


@given(st.lists(st.integers(min_value=0, max_value=99_999), min_size=1, max_size=30))
def test_any_house_numbers_come_out_in_numeric_order(numbers: list[int]) -> None:
    streets = [f"Granvägen {n}" for n in numbers]
    assert [int(s.split()[-1]) for s in ordered(list(streets))] == sorted(numbers)  # type: ignore[union-attr]


def test_formula_cells_are_neutralised() -> None:
    assert neutralised('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for value in ("+46 70", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralised(value).startswith("'")
    assert neutralised("Granvägen 4") == "Granvägen 4"
    assert neutralised(None) == ""
    assert neutralised(12) == "12"


# --- an address as a coordinator edits it --------------------------------------------------------

POSTCODE_WRONG = "Postnumret ska vara fem siffror, till exempel 881 30."


def test_an_address_is_trimmed_and_its_postcode_written_with_a_space() -> None:
    assert check_address("  Granvägen 4 ", "88130", " Sollefteå ") == Address(street="Granvägen 4", postcode="881 30", city="Sollefteå")
    assert check_address("Granvägen 4", "881 30", "Sollefteå").postcode == "881 30"
    # control characters and line breaks pasted into a field are dropped
    assert check_address("Granvägen\x1b 4\n", None, "Sollef\u202eteå") == Address(street="Granvägen 4", postcode=None, city="Sollefteå")


def test_blank_fields_are_left_out() -> None:
    assert check_address(None, None, None) == Address(street=None, postcode=None, city=None)
    assert check_address("  ", "", "\t") == Address(street=None, postcode=None, city=None)


@pytest.mark.parametrize("postcode", ["8813", "881300", "881-30", "88 130", "abc de", "881  30"])
def test_a_postcode_is_five_digits(postcode: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_address("Granvägen 4", postcode, "Sollefteå")
    assert info.value.status == 422
    assert info.value.errors == [FieldError(field="postcode", message=POSTCODE_WRONG, code="address.postcode")]
    assert info.value.detail == f"Adressen är inte giltig. {POSTCODE_WRONG}"


def test_street_and_city_are_at_most_200_characters_and_every_wrong_field_is_named() -> None:
    assert check_address("G" * 200, None, "S" * 200) == Address(street="G" * 200, postcode=None, city="S" * 200)
    with pytest.raises(InvalidInput) as info:
        check_address("G" * 201, "1", "S" * 201)
    street = "Gatuadressen är för lång (högst 200 tecken)."
    city = "Orten är för lång (högst 200 tecken)."
    assert info.value.errors == [
        FieldError(field="street", message=street, code="address.street_too_long"),
        FieldError(field="postcode", message=POSTCODE_WRONG, code="address.postcode"),
        FieldError(field="city", message=city, code="address.city_too_long"),
    ]
    assert info.value.detail == f"Adressen är inte giltig. {street} {POSTCODE_WRONG} {city}"
