"""The server's log in Swedish: the operator reads it too.

The project's own log lines are written in Swedish where they are logged. Uvicorn's are English
and fixed in its code; :class:`SwedishUvicornLines` rewrites the ones an operator meets at the log
level the server runs with (warnings and errors; the informative ones too, for a server started
with a lower level) before they are formatted. A line not in the table passes unchanged.
"""

from __future__ import annotations

import logging
from typing import Final

#: Uvicorn's message formats (the text before %-formatting) and their Swedish.
UVICORN_SWEDISH: Final = {
    "Started server process [%d]": "Serverprocessen startade [%d]",
    "Finished server process [%d]": "Serverprocessen avslutades [%d]",
    "Waiting for application startup.": "Väntar på att appen startar.",
    "Application startup complete.": "Appen har startat.",
    "Application startup failed. Exiting.": "Appen kunde inte starta. Avslutar.",
    "Waiting for application shutdown.": "Väntar på att appen stängs.",
    "Application shutdown complete.": "Appen har stängts.",
    "Application shutdown failed. Exiting.": "Appen kunde inte stängas. Avslutar.",
    "Shutting down": "Stänger av",
    "Exception in ASGI application\n": "Oväntat fel i appen\n",
    "Invalid HTTP request received.": "Ogiltig HTTP-begäran mottogs.",
    "Unsupported upgrade request.": "Begäran om protokollbyte stöds inte.",
    "Cancel %s running task(s), timeout graceful shutdown exceeded": (
        "Avbryter %s pågående uppgift(er): tiden för en ordnad avstängning gick ut"
    ),
    "Maximum request limit of %d exceeded. Terminating process.": "Gränsen på %d begäranden är nådd. Processen avslutas.",
    "Received SIGINT, exiting.": "Fick SIGINT, avslutar.",
    "Received SIGTERM, exiting.": "Fick SIGTERM, avslutar.",
    "Received SIGHUP, restarting processes.": "Fick SIGHUP, startar om processerna.",
}
UVICORN_LOGGERS: Final = ("uvicorn", "uvicorn.error")


class SwedishUvicornLines(logging.Filter):
    """Rewrites a uvicorn record's message format into Swedish (the arguments are kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        swedish = UVICORN_SWEDISH.get(record.msg) if isinstance(record.msg, str) else None
        if swedish is not None:
            record.msg = swedish
            record.__dict__.pop("color_message", None)  # uvicorn's coloured English copy, on a terminal
        return True


def install_swedish_uvicorn_lines() -> None:
    """Once per process, before uvicorn logs (a second call adds nothing)."""
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SwedishUvicornLines) for f in logger.filters):
            logger.addFilter(SwedishUvicornLines())
