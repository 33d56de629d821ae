"""The server's log is Swedish: uvicorn's own lines are rewritten before they are written."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import uvicorn

from grannsamverkan.server_log import UVICORN_SWEDISH, install_swedish_uvicorn_lines


@pytest.fixture
def swedish_uvicorn() -> logging.Logger:
    install_swedish_uvicorn_lines()
    install_swedish_uvicorn_lines()  # twice: still one filter
    logger = logging.getLogger("uvicorn.error")
    assert len([f for f in logger.filters if type(f).__name__ == "SwedishUvicornLines"]) == 1
    return logger


def test_uvicorns_lines_are_written_in_swedish_with_their_values(swedish_uvicorn: logging.Logger, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        swedish_uvicorn.error("Application startup failed. Exiting.")
        swedish_uvicorn.info("Started server process [%d]", 4711, extra={"color_message": "Started server process [\x1b[36m%d\x1b[0m]"})
        swedish_uvicorn.warning("Something uvicorn says that the table lacks")
    assert [r.getMessage() for r in caplog.records] == [
        "Appen kunde inte starta. Avslutar.",
        "Serverprocessen startade [4711]",
        "Something uvicorn says that the table lacks",  # passes unchanged, never dropped
    ]
    assert not hasattr(caplog.records[1], "color_message")  # a terminal gets the Swedish line too


def test_every_line_in_the_table_is_one_that_this_uvicorn_writes() -> None:
    """A uvicorn upgrade that rewords a line fails here instead of leaving it in English."""
    source = "\n".join(path.read_text(encoding="utf-8") for path in Path(uvicorn.__file__).parent.rglob("*.py"))
    missing = [line for line in UVICORN_SWEDISH if line.replace("\n", "\\n") not in source]
    assert missing == []
