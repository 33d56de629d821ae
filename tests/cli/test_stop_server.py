"""`grannsamverkan demo` (and `serve`) stopped with SIGTERM, as systemd, Docker or `timeout` stop
it: the server shuts down and the embedded PostgreSQL it started stops with it (found running on
its own after `demo` was stopped so: uvicorn raises the signal again after its shutdown, and the
default action killed the process before its exit handlers ran)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port


def postmaster_running(data_dir: Path) -> bool:
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process (the embedded server may run as its own user)
        return True
    return True


@pytest.mark.parametrize("command", [["demo"], ["serve"]])
def test_sigterm_stops_the_server_and_its_embedded_postgresql(tmp_path: Path, command: list[str]) -> None:
    data_dir = tmp_path / "pgdata"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["GRANNSAMVERKAN_DATA_DIR"] = str(data_dir)
    child = subprocess.Popen(
        [sys.executable, "-m", "grannsamverkan", *command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the signal reaches the command alone
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.2)
        assert postmaster_running(data_dir)

        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=60) == 0  # a stop that was asked for is a success (systemd)
        deadline = time.monotonic() + 30
        while postmaster_running(data_dir) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not postmaster_running(data_dir), "the embedded PostgreSQL outlived the command"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stderr is not None:
            child.stderr.close()
