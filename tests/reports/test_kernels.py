"""Preloaded kernels: forked from the kernel server, equivalent to spawned ones, cleaned up."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from analysis.reports.kernels import (
    KernelServer,
    forking_supported,
    kernel_manager_class,
    spawn_kernel,
)

pytestmark = pytest.mark.skipif(not forking_supported(), reason="forked kernels need Linux")

PROBE = """
import json, os, sys
import numpy
from ipykernel import get_connection_info
print("PROBE " + json.dumps({
    "transport": json.loads(get_connection_info())["transport"],
    "pid": os.getpid(),
    "cwd": os.getcwd(),
    "pandas_preloaded": "pandas" in sys.modules,
    "marker": os.environ.get("TALLIES_TEST_MARKER"),
    "draw": numpy.random.random(),
    "session_leader": os.getsid(0) == os.getpid(),
}))
"""


def _probe(tmp_path: Path, server_address: str | None, name: str) -> dict:
    import papermill

    notebook = new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    notebook.cells.append(new_code_cell(PROBE))
    source = tmp_path / f"{name}.ipynb"
    nbformat.write(notebook, source)
    options = {}
    if server_address is not None:
        options["kernel_manager_class"] = kernel_manager_class(server_address)
    executed = papermill.execute_notebook(
        str(source),
        str(tmp_path / f"{name}.out.ipynb"),
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
        **options,
    )
    text = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    line = next(row for row in text.splitlines() if row.startswith("PROBE "))
    return json.loads(line[len("PROBE ") :])


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_forked_kernels_run_in_the_requested_folder_with_the_environment(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("TALLIES_TEST_MARKER", "forked")
    with KernelServer() as server:
        first = _probe(tmp_path, server.address, "first")
        second = _probe(tmp_path, server.address, "second")
    assert first["pandas_preloaded"] and second["pandas_preloaded"]
    assert first["transport"] == "ipc"  # Unix sockets: no TCP port to race for
    assert Path(first["cwd"]) == tmp_path
    assert first["marker"] == second["marker"] == "forked"
    assert first["session_leader"]  # its own session and process group, as jupyter_client does
    assert first["pid"] != second["pid"]
    assert first["draw"] != second["draw"]  # NumPy's global random state is re-seeded
    assert _gone(first["pid"]) and _gone(second["pid"])


def test_an_unreachable_server_falls_back_to_a_spawned_kernel(tmp_path: Path) -> None:
    probe = _probe(tmp_path, str(tmp_path / "no-server.sock"), "fallback")
    assert not probe["pandas_preloaded"]  # a new Python process
    assert probe["transport"] == "ipc"
    assert Path(probe["cwd"]) == tmp_path


def test_the_server_refuses_what_is_not_an_ipykernel_of_its_python(tmp_path: Path) -> None:
    with KernelServer(modules=(), when_idle=()) as server:
        with pytest.raises(ConnectionError, match="ipykernel_launcher"):
            spawn_kernel(
                server.address, [sys.executable, "-c", "print(1)"], env={}, cwd=str(tmp_path)
            )
        with pytest.raises(ConnectionError, match="cwd"):
            spawn_kernel(
                server.address,
                [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")],
                env={},
                cwd=str(tmp_path / "missing"),
            )


def _kernel_argv(tmp_path: Path, name: str) -> list[str]:
    return [
        sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / f"{name}.json"),
        "--IPKernelApp.log_level=CRITICAL",
    ]  # fmt: skip


def test_a_kernel_whose_client_disconnects_is_killed(tmp_path: Path) -> None:
    env = dict(os.environ)
    with KernelServer(modules=(), when_idle=()) as server:
        kernel = spawn_kernel(
            server.address, _kernel_argv(tmp_path, "a"), env=env, cwd=str(tmp_path)
        )
        assert kernel.poll() is None
        kernel._sock.close()  # the runner went away
        assert _gone(kernel.pid)


def test_closing_the_server_stops_its_kernels_and_reports_exit_codes(tmp_path: Path) -> None:
    env = dict(os.environ)
    server = KernelServer(modules=(), when_idle=()).start()
    kernel = spawn_kernel(server.address, _kernel_argv(tmp_path, "b"), env=env, cwd=str(tmp_path))
    other = spawn_kernel(server.address, _kernel_argv(tmp_path, "c"), env=env, cwd=str(tmp_path))
    other.kill()
    assert other.wait(timeout=10) == -9  # the exit status comes back from the server
    folder = Path(server.address).parent
    server.close()
    assert _gone(kernel.pid)
    assert not folder.exists()
    assert server.address is None
