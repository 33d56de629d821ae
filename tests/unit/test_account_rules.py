"""What an account's name and password may be, and how names compare, without a database."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannsamverkan.domain.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    checked_name,
    checked_password,
    checked_scope,
    name_key,
    sign_in_password,
)
from grannsamverkan.errors import InvalidInput


def test_names_compare_regardless_of_case_and_unicode_form() -> None:
    assert name_key("Åsa.Berg@Solleftea.se") == name_key("åsa.berg@solleftea.se")
    decomposed = unicodedata.normalize("NFD", "åsa")
    assert decomposed != "åsa" and name_key(decomposed) == name_key("ÅSA")
    assert name_key("anna") != name_key("anna2")


@pytest.mark.parametrize("name", ["anna", "åsa.berg@solleftea.se", "per-olof_k", "o'neil", "samordnare+2283@kommun.se"])
def test_e_mail_addresses_and_short_names_are_names(name: str) -> None:
    assert checked_name(f"  {name} ") == name


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Ange ett namn"),
        ("   ", "Ange ett namn"),
        ("a", "2–254 tecken"),
        ("x" * 255, "2–254 tecken"),
        ("anna berg", "inga mellanslag"),
        ("anna\x1b[31m", "inga mellanslag"),
        ("<script>", "inga mellanslag"),
    ],
)
def test_bad_names_are_refused_in_swedish(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_name(raw)
    assert message in refused.value.detail
    assert refused.value.errors[0].field == "name"


def test_a_password_has_at_least_twelve_characters() -> None:
    assert MIN_PASSWORD_LENGTH == 12
    assert checked_password("x" * 12) == "x" * 12
    with pytest.raises(InvalidInput) as short:
        checked_password("hemligt1234")  # 11
    assert "minst 12 tecken" in short.value.detail and short.value.errors[0].field == "password"
    assert "hemligt1234" not in short.value.detail + str(short.value.errors)
    with pytest.raises(InvalidInput):
        checked_password("x" * (MAX_PASSWORD_LENGTH + 1))


@given(st.text(min_size=1, max_size=40))
def test_a_password_is_compared_in_one_unicode_form(text: str) -> None:
    padded = text + "å" * MIN_PASSWORD_LENGTH
    for form in ("NFC", "NFD"):
        assert checked_password(unicodedata.normalize(form, padded)) == unicodedata.normalize("NFC", padded)
        assert sign_in_password(unicodedata.normalize(form, padded)) == checked_password(padded)


def test_a_password_too_long_to_be_anyones_is_not_hashed_at_sign_in() -> None:
    assert sign_in_password("x" * (MAX_PASSWORD_LENGTH + 1)) is None
    assert sign_in_password("kort") == "kort"  # judged by the hash, not by the length rule


def test_the_scope_rules_are_the_tokens() -> None:
    assert checked_scope("coordinator", ["2505", "2283", "2283"]) == ("coordinator", ["2283", "2505"])
    assert checked_scope("admin", []) == ("admin", [])
    with pytest.raises(InvalidInput) as no_kommun:
        checked_scope("police", [])
    assert no_kommun.value.errors[0].field == "kommun"
    with pytest.raises(InvalidInput) as bad_role:
        checked_scope("superuser", ["2283"])
    assert bad_role.value.errors[0].field == "role"


def test_a_name_may_have_from_2_to_254_characters() -> None:
    assert checked_name("jo") == "jo"
    longest = "a" * 244 + "@kommun.se"
    assert len(longest) == 254 and checked_name(longest) == longest
    for wrong in ("j", longest + "x"):
        with pytest.raises(InvalidInput) as refused:
            checked_name(wrong)
        assert refused.value.detail == "Namnet ska ha 2–254 tecken."


def test_a_password_may_have_up_to_256_characters_at_sign_up_and_at_sign_in() -> None:
    longest = "å" * MAX_PASSWORD_LENGTH
    assert MAX_PASSWORD_LENGTH == 256
    assert checked_password(longest) == longest
    assert sign_in_password(longest) == longest
    with pytest.raises(InvalidInput) as refused:
        checked_password(longest + "x")
    assert refused.value.detail == "Lösenordet får ha högst 256 tecken."
    assert [(e.field, e.message) for e in refused.value.errors] == [("password", "Lösenordet får ha högst 256 tecken.")]


def test_an_unknown_role_is_named_and_the_roles_listed() -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_scope("superuser", ["2283"])
    assert refused.value.detail == "Okänd roll 'superuser'."
    assert refused.value.code == "account.role_unknown"
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("role", "Rollen ska vara en av: administratör (admin), samordnare (coordinator), polis (police).")
    ]
