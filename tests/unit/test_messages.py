"""Every message about an error has a stable code and a Swedish text (issue #16).

The catalog (grannsamverkan.messages) is walked for English; the source is walked for every
place that builds an error, so that none passes a text of its own (an English one would reach
the pages) or leaves out a value its template needs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import grannsamverkan.settings  # noqa: F401  (its ConfigurationError is an error class too)
from grannsamverkan import errors, messages
from grannsamverkan.errors import Conflict, FieldError, InvalidInput, NotFound

SRC = Path(errors.__file__).parent


def _subclasses(cls: type) -> list[type]:
    return [cls, *(s for sub in cls.__subclasses__() for s in _subclasses(sub))]


ERROR_CLASSES = {cls.__name__ for cls in _subclasses(errors.GrannsamverkanError)}
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
#: Words that give an English text away (as whole words, case-insensitive).
ENGLISH = re.compile(
    r"\b(the|must|not|invalid|should|cannot|is|are|does|no such|unknown|missing|expected|error|found|"
    r"with|without|between|only|already|please|line|feature|column|empty|swapped|behind|after|before)\b",
    re.IGNORECASE,
)
#: Names and literals a Swedish text may quote as they are (field names, parameters, examples).
QUOTED = re.compile(
    r"'[^']*'|\"[^\"]*\"|\([a-z_ ]+\)|\b[a-z]+_[a-z_]+\b|\{[a-z_]+\}|/[\w/{}.]+|\bPUT\b|\b(?:from|to|lon|lat|x|y|on|year)\b"
)


def english_words(text: str) -> list[str]:
    """The English words in ``text`` (quoted names and parameters left out); empty for Swedish."""
    return ENGLISH.findall(QUOTED.sub(" ", text))


@pytest.mark.parametrize("code", sorted(messages.CATALOG))
def test_every_code_has_a_swedish_text(code: str) -> None:
    template = messages.CATALOG[code]
    assert CODE.match(code), code
    assert template.strip(), code
    assert not english_words(template), (code, template, english_words(template))


def test_choices_name_each_value_by_its_swedish_word_with_the_code_to_send() -> None:
    roles = {"admin": "administratör", "coordinator": "samordnare", "police": "polis"}
    assert messages.choices(roles) == "administratör (admin), samordnare (coordinator), polis (police)"
    assert messages.choices(roles, ["police"]) == "polis (police)"
    # Lower case inside a sentence; a word that is its own code is written once.
    assert messages.choices({"villa": "Villaområde", "by": "By", "eb": "Empirisk Bayes"}) == "villaområde (villa), by, empirisk Bayes (eb)"


def test_the_english_check_findsenglish_words() -> None:
    assert english_words("no goal is set for kommun 2505 in 2026")
    assert english_words("invalid household CSV: line 4: column 'street' is empty")
    assert english_words("from 2026-05-01 must not be after to 2026-04-01")
    assert english_words("coordinates look like latitude/longitude swapped")
    assert not english_words(messages.text("goal.not_set", kommun="2505", year=2026))


def _calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [(str(path.relative_to(SRC)), node.lineno, node) for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return found


def _callee(call: ast.Call) -> tuple[str, str]:
    """("InvalidInput", "") for ``InvalidInput(...)``, ("InvalidInput", "at") for ``InvalidInput.at(...)``."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id, ""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id, func.attr
    return "", ""


def _code_argument(call: ast.Call, method: str) -> ast.expr | None:
    position = 1 if method in ("at", "of") else 0
    return call.args[position] if len(call.args) > position else None


def _problems(call: ast.Call, method: str) -> list[str]:
    arg = _code_argument(call, method)
    if arg is None:
        return ["no code"]
    return _code_problems(arg, call)


def _code_problems(arg: ast.expr, call: ast.Call) -> list[str]:
    if isinstance(arg, ast.IfExp):  # one of two codes
        return _code_problems(arg.body, call) + _code_problems(arg.orelse, call)
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        if not messages.known(arg.value):
            return [f"{arg.value!r} is not a code in grannsamverkan.messages"]
        given = {k.arg for k in call.keywords}
        if _callee(call)[1] in ("at", "of"):
            given -= {"line", "feature"}  # where the error is, not values of the text
        if None in given:  # **values: checked where they are built
            return []
        missing = messages.fields(arg.value) - given
        return [f"{arg.value!r} needs {sorted(missing)}"] if missing else []
    if isinstance(arg, ast.Name | ast.Attribute | ast.Subscript):
        return []  # a code chosen at run time (a variable)
    return [f"a text instead of a code: {ast.unparse(arg)[:80]}"]


def test_every_error_is_built_from_a_code_with_its_values() -> None:
    wrong = []
    for where, line, call in _calls():
        name, method = _callee(call)
        if (name in ERROR_CLASSES and method in ("", "at")) or (name == "FieldError" and method == "of"):
            wrong += [f"{where}:{line}: {p}" for p in _problems(call, method)]
        elif name == "FieldError" and method == "" and not any(k.arg == "code" for k in call.keywords):
            wrong.append(f"{where}:{line}: FieldError without a code (use FieldError.of)")
    assert not wrong, "\n".join(wrong)


def test_codes_named_in_the_source_are_in_the_catalog() -> None:
    """Codes passed as variables (a code chosen by a rule) are string literals somewhere too."""
    literals = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
                literals.add(node.value)
    prefixes = ("eligibility.reason.", "coordinates.")
    unused = [c for c in messages.CATALOG if c not in literals and not c.startswith(prefixes)]
    assert not unused, f"codes no one raises: {unused}"


def test_an_error_carries_its_code_values_and_text() -> None:
    error = NotFound("goal.not_set", kommun="2505", year=2026)
    assert (error.code, error.status, error.values) == ("goal.not_set", 404, {"kommun": "2505", "year": 2026})
    assert error.detail == "Inget mål är satt för kommun 2505 år 2026."
    field = InvalidInput.at("q", "search.too_short", min=2)
    assert field.errors == [FieldError(field="q", message="Skriv minst 2 tecken att söka efter.", code="search.too_short")]
    assert field.detail == field.errors[0].message


def test_a_missing_value_shows_its_name_instead_of_failing() -> None:
    assert Conflict("group.dissolved").detail == "Grupp {group_id} är upplöst."


def test_problem_titles_are_swedish() -> None:
    """problem+json's ``title`` is read by people too: the project's errors' and Litestar's own."""
    from grannsamverkan import errors
    from grannsamverkan.http.problem import STATUS_TITLES, status_title

    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.GrannsamverkanError)]
    titles = {c.__name__: c.title for c in classes} | {str(status): title for status, title in STATUS_TITLES.items()}
    assert len(titles) > 20
    assert {name: title for name, title in titles.items() if english_words(title) or not title} == {}
    assert english_words("Internal Server Error") and english_words("Not found")
    assert status_title(404) == errors.NotFound.title and status_title(418) == "Fel"


def test_a_file_that_cannot_be_read_is_explained_in_swedish() -> None:
    import errno

    assert messages.os_reason(FileNotFoundError(errno.ENOENT, "No such file or directory")) == "filen finns inte"
    assert messages.os_reason(PermissionError(errno.EACCES, "Permission denied")) == "åtkomst nekas"
    assert messages.os_reason(OSError(errno.EBUSY, "Device or resource busy")) == "systemfel EBUSY"
    assert all(not english_words(reason) for reason in messages.OS_REASONS.values())


def test_the_swedish_words_of_each_choice_list_name_exactly_its_codes_in_order() -> None:
    """The refusals list a rule's codes with their words (messages.choices): every code has its
    word, and no word names a value the rule does not accept."""
    from grannsamverkan.domain import accounts, area, backtest, eligibility, glossary, ranking

    for words, codes in (
        (glossary.ROLES, accounts.ROLES),
        (glossary.AREA_KINDS, area.AREA_KINDS),
        (backtest.BACKTEST_METHOD_WORDS, backtest.BACKTEST_METHODS),
        (glossary.GROUP_STATUSES, eligibility.GROUP_STATUSES),
        (ranking.METHOD_WORDS, ranking.METHODS),
    ):
        assert tuple(words) == tuple(codes)
