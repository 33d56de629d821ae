"""No function in `src/` is longer than 60 lines: a longer one does several things, and the next
engineer reads it more easily as named steps. The test names each offender with its length."""

from __future__ import annotations

import ast
from pathlib import Path

import grannsamverkan

MOST_LINES = 60
PACKAGE = Path(grannsamverkan.__file__).parent


def long_functions(source: str, filename: str, most: int = MOST_LINES) -> list[str]:
    """``filename:line name (n lines)`` of every function or method longer than ``most`` lines."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > most:
                found.append(f"{filename}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_is_longer_than_sixty_lines() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        offenders += long_functions(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))
    assert offenders == [], "split these into named steps:\n" + "\n".join(offenders)


def test_the_checker_counts_a_function_from_its_def_to_its_last_line() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(59))
    source = f"def short():\n{body}\n\n\ndef longer():\n{body}\n    x59 = 59\n"
    assert long_functions(source, "m.py") == ["m.py:63 longer (61 lines)"]
