"""Issue 20: settings declared once with bounds; a bad value names its variable in Swedish."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grannsamverkan.settings import ENV_NAMES, ConfigurationError, Settings

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(("value", "expected"), [("-5", "från 1 till 1 000"), ("abc", "ett heltal"), ("0", "från 1")])
def test_a_bad_pool_size_names_the_variable(value: str, expected: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env({"GRANNSAMVERKAN_POOL_MAX_SIZE": value})
    assert caught.value.detail.startswith(f"GRANNSAMVERKAN_POOL_MAX_SIZE={value} är ogiltig")
    assert expected in caught.value.detail


def test_every_setting_is_read_from_its_variable() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://db/x",
            "GRANNSAMVERKAN_DATA_DIR": "/srv/pg",
            "GRANNSAMVERKAN_POOL_MIN_SIZE": "0",
            "GRANNSAMVERKAN_POOL_MAX_SIZE": "3",
            "GRANNSAMVERKAN_TOKEN_CACHE_SECONDS": "0.5",
            "GRANNSAMVERKAN_MAX_BODY_BYTES": "1048576",
            "GRANNSAMVERKAN_BODY_TIMEOUT_SECONDS": "30",
            "GRANNSAMVERKAN_SESSION_HOURS": "8",
        }
    )
    assert settings == Settings(
        database_url="postgresql://db/x",
        data_dir=Path("/srv/pg"),
        pool_min_size=0,
        pool_max_size=3,
        token_cache_seconds=0.5,
        max_body_bytes=1048576,
        body_timeout_seconds=30,
        session_hours=8,
    )
    assert Settings.from_env({}) == Settings()
    assert Settings.from_env({"GRANNSAMVERKAN_DATA_DIR": "/a"}, data_dir="/b").data_dir == Path("/b")


def test_min_above_max_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="GRANNSAMVERKAN_POOL_MIN_SIZE=11 är större än"):
        Settings.from_env({"GRANNSAMVERKAN_POOL_MIN_SIZE": "11"})


@pytest.mark.parametrize("variable", ["GRANNSAMVERKAN_TOKEN_CACHE_SECONDS", "GRANNSAMVERKAN_BODY_TIMEOUT_SECONDS"])
def test_numbers_out_of_bounds_or_not_numbers(variable: str) -> None:
    for value in ("-1", "x", "1e9"):
        with pytest.raises(ConfigurationError, match=f"^{variable}={value} är ogiltig: ett tal"):
            Settings.from_env({variable: value})


def test_the_readme_documents_every_setting() -> None:
    table = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for variable in ENV_NAMES.values():
        assert f"| `{variable}` |" in table, variable


def test_the_cli_says_what_is_wrong_without_a_traceback(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "GRANNSAMVERKAN_POOL_MAX_SIZE": "abc", "XDG_RUNTIME_DIR": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "grannsamverkan", "db", "status"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "GRANNSAMVERKAN_POOL_MAX_SIZE=abc är ogiltig: ett heltal från 1 till 1 000 väntas." in done.stderr
    assert "Traceback" not in done.stderr
