"""A contact person's details (domain.contact): what a coordinator may store, and what they read
when it is refused."""

from __future__ import annotations

import pytest

from grannsamverkan import messages
from grannsamverkan.domain.contact import ContactDetails, check_contact_details, email_problem, phone_problem
from grannsamverkan.errors import FieldError, InvalidInput

PHONE_INVALID = "Telefonnumret är inte giltigt. Skriv det till exempel som 070-123 45 67 eller +46 70 123 45 67."
EMAIL_INVALID = "E-postadressen är inte giltig. Skriv den till exempel som namn@example.se."


def said(code: str | None, **values: object) -> str:
    """The Swedish text a person reads for a problem's code."""
    assert code is not None
    return messages.text(code, **values)


def test_details_are_trimmed_and_blank_ones_are_left_out() -> None:
    assert check_contact_details("  Anna Berg ", " 070-123 45 67 ", " anna@example.se ") == ContactDetails(
        name="Anna Berg", phone="070-123 45 67", email="anna@example.se"
    )
    assert check_contact_details("Anna", "   ", "") == ContactDetails(name="Anna", phone=None, email=None)
    assert check_contact_details("Anna", None, None) == ContactDetails(name="Anna", phone=None, email=None)


@pytest.mark.parametrize(
    "phone",
    [
        "070-123 45 67",  # a mobile number as people write it
        "08/123 456",  # Stockholm, with a slash
        "0620.123.45",  # dots
        "+46 70 123 45 67",
        "0046 70 123 45 67",
        "+46 (0)70-123 45 67",  # the (0) written after the country code
        "+47 22 12 34 56",  # Norway
        "0701234567" + " " * 30,  # 40 characters: the longest allowed
    ],
)
def test_phone_numbers_people_write_are_accepted(phone: str) -> None:
    assert phone_problem(phone) is None


@pytest.mark.parametrize(
    "phone",
    [
        "abc",
        "070",
        "+46 070 123 45 67",  # the 0 after +46 without brackets
        "+460701234567",
        "0012345678",  # 00 and no country code
        "+0 123 456 789",
        "+1 23",  # too short for a foreign number
    ],
)
def test_what_is_not_a_phone_number_is_explained(phone: str) -> None:
    assert said(phone_problem(phone)) == PHONE_INVALID


def test_a_phone_number_is_at_most_40_characters() -> None:
    assert said(phone_problem("070" + " " * 32 + "123456"), max=40) == "Telefonnumret är för långt (högst 40 tecken)."


@pytest.mark.parametrize(
    "email",
    [
        "anna@example.se",
        "anna.berg+grannar@sollefteå-kommun.example.se".replace("å", "a"),
        "a" * 64 + "@example.se",  # the longest local part
        "a" * 64 + "@" + "b" * 186 + ".se",  # 254 characters: the longest address
    ],
)
def test_email_addresses_are_accepted(email: str) -> None:
    assert email_problem(email) is None


@pytest.mark.parametrize(
    "email",
    [
        "inte-en-epost",
        "anna@example",  # no dot in the domain
        "anna@@example.se",
        "anna berg@example.se",
        "a" * 65 + "@example.se",  # local part longer than 64
        "anna..berg@example.se",
        ".anna@example.se",
        "anna.@example.se",
        "anna@example..se",
        "anna@-example.se",
    ],
)
def test_what_is_not_an_email_address_is_explained(email: str) -> None:
    assert said(email_problem(email)) == EMAIL_INVALID


def test_an_email_address_is_at_most_254_characters() -> None:
    assert said(email_problem("a" * 64 + "@" + "b" * 187 + ".se"), max=254) == "E-postadressen är för lång (högst 254 tecken)."


def test_a_name_is_required_at_most_200_characters_and_plain() -> None:
    assert check_contact_details("A" * 200, None, None).name == "A" * 200
    for name, message in (
        (None, "Skriv kontaktpersonens namn."),
        ("   ", "Skriv kontaktpersonens namn."),
        ("A" * 201, "Namnet är för långt (högst 200 tecken)."),
        ("Anna\x1b[2J", "Namnet innehåller otillåtna tecken (styrtecken)."),
        ("Anna\u202eBerg", "Namnet innehåller otillåtna tecken (styrtecken)."),  # a right-to-left override
        ("Anna\u00adBerg", "Namnet innehåller otillåtna tecken (styrtecken)."),  # a soft hyphen, invisible
    ):
        with pytest.raises(InvalidInput) as info:
            check_contact_details(name, None, None)
        assert [(e.field, e.message) for e in info.value.errors] == [("name", message)]


def test_every_wrong_field_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as info:
        check_contact_details(" ", "abc", "inte-en-epost")
    assert info.value.status == 422
    assert info.value.errors == [
        FieldError(field="name", message="Skriv kontaktpersonens namn.", code="contact.name_missing"),
        FieldError(field="phone", message=PHONE_INVALID, code="contact.phone_invalid"),
        FieldError(field="email", message=EMAIL_INVALID, code="contact.email_invalid"),
    ]
    assert info.value.detail == (
        f"Kontaktpersonens uppgifter är inte giltiga. Skriv kontaktpersonens namn. {PHONE_INVALID} {EMAIL_INVALID}"
    )


def test_a_good_name_with_a_wrong_phone_number_names_only_the_phone() -> None:
    with pytest.raises(InvalidInput) as info:
        check_contact_details("Anna", "070", "anna@example.se")
    assert info.value.errors == [FieldError(field="phone", message=PHONE_INVALID, code="contact.phone_invalid")]
    with pytest.raises(InvalidInput) as info:
        check_contact_details("Anna", "070-123 45 67", "anna@")
    assert info.value.errors == [FieldError(field="email", message=EMAIL_INVALID, code="contact.email_invalid")]


def test_a_phone_number_or_e_mail_address_too_long_says_how_long_it_may_be() -> None:
    with pytest.raises(InvalidInput) as info:
        check_contact_details("Anna", "070" + " " * 32 + "123456", "a" * 64 + "@" + "b" * 187 + ".se")
    assert [(e.field, e.message) for e in info.value.errors] == [
        ("phone", "Telefonnumret är för långt (högst 40 tecken)."),
        ("email", "E-postadressen är för lång (högst 254 tecken)."),
    ]
