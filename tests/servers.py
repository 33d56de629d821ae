"""Servers the tests start on a real socket: a free port, and the app in uvicorn in a thread with
its own event loop (the browser tests, the attack tests; the SMTP and command-line tests take a
port of their own)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from grannsamverkan.app import create_app
from grannsamverkan.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(settings: Settings) -> Iterator[tuple[str, int]]:
    """``(host, port)`` of the app serving ``settings``' database until the block ends."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, run_migrations=False), host="127.0.0.1", port=port, log_level="warning", lifespan="on", timeout_keep_alive=60
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=15)
