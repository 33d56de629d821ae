"""CI keeps drawing new hypothesis examples (hypothesis' own CI profile would derandomize)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import tests.conftest
from hypothesis import given, settings, strategies as st

print(settings().derandomize, settings().database is None)
drawn = []

@given(st.integers(0, 2**62))
def probe(i):
    drawn.append(i)

probe()
print(hash(tuple(drawn)))
"""


def run_as_ci() -> list[str]:
    env = {**os.environ, "GITHUB_ACTIONS": "true", "CI": "true"}
    env.pop("HYPOTHESIS_PROFILE", None)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_every_ci_run_draws_other_examples() -> None:
    first, second = run_as_ci(), run_as_ci()
    assert first[:2] == ["False", "True"]  # not derandomized, no example database on CI
    assert first[2] != second[2]
