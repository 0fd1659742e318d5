"""Preloaded kernels: each report's kernel is forked from a process that has imported the heavy
modules once.

A new ``python -m ipykernel_launcher`` spends most of a short report's time starting Python and
importing IPython, pandas, matplotlib, SciPy and statsmodels, and every report pays it again. On
Linux the runner instead starts one *kernel server* per run: a process that imports those modules
(:data:`PRELOAD`) and then, for each report, forks a child that becomes an ordinary IPython kernel:
the same ``IPKernelApp`` that ``ipykernel_launcher`` runs, with the same arguments, connection
file, working directory and environment. Every report still runs in a kernel process of its own;
nothing passes from one report to the next except modules already imported.

How a forked kernel is kept equivalent to a spawned one:

- Modules whose import acts on the running kernel (matplotlib's inline backend and ``pyplot``,
  which register IPython display hooks) are never preloaded; only modules without such effects
  are.
- NumPy's legacy global random state is re-seeded from the operating system in each kernel
  (Python's :mod:`random` re-seeds itself on fork), so two reports never share a random stream.
- The kernel gets its own session and process group (as ``jupyter_client`` starts kernels), its
  standard input is ``/dev/null``, and ``JPY_PARENT_PID`` names the server, so a kernel exits if
  the server dies. The server exits when the runner does (its standard input closes) and kills
  its kernels; a kernel whose client disconnects is killed. The server also asks to be sent
  ``SIGTERM`` when the runner dies (:func:`analysis.reports.processes.die_with_parent`), which
  it handles like the end of its input: its kernels are killed and it exits; each forked kernel
  asks for ``SIGKILL`` when the server dies. A kernel started
  as a new process watches its parent (the report worker) the same way.
- The private folders of the server and of each kernel's connection carry the pid of the
  process that made them (``tallies-kernels-<pid>-*``, ``tallies-kernel-<pid>-*`` in the
  temporary folder); those of processes that no longer exist are removed when a server starts
  (:func:`remove_stale_kernel_folders`).

When forking is not possible (not Linux, a kernel spec that runs another Python or something
other than ``ipykernel``, a server that failed), the kernel is started the usual way.

The protocol, over a Unix socket, one connection per kernel: the client sends one JSON line
``{"argv": [...], "env": {...}, "cwd": "..."}``; the server answers ``{"pid": N}`` (or
``{"error": "..."}``), and ``{"exit": code}`` when the kernel has exited.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import importlib
import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
import warnings

__all__ = [
    "PRELOAD",
    "PRELOAD_WHEN_IDLE",
    "FORKED",
    "NEW_PROCESS",
    "last_kernel_start",
    "KernelServer",
    "ForkedKernelProcess",
    "forking_supported",
    "kernel_manager_class",
    "spawn_kernel",
    "kill_started_kernels",
    "remove_stale_kernel_folders",
]

#: Modules the kernel server imports before it forks any kernel: those every report notebook
#: uses. None of them acts on an IPython kernel when imported (``matplotlib.pyplot`` and
#: ``matplotlib_inline`` do, and are left to the kernel).
PRELOAD = (
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "IPython",
    "IPython.display",
    "ipykernel.kernelapp",
    "analysis",
    "analysis._figure",
    "analysis.audit",
    "analysis.compare",
    "analysis.display",
    "analysis.harmonize",
    "analysis.plots",
    "analysis.sources.tallies",
    "analysis.trends",
    "analysis.mse",
)

#: Modules only some reports use (the statistics). The server imports them one at a time while
#: no request is waiting, so kernels forked later find them loaded and early ones are not held.
PRELOAD_WHEN_IDLE = (
    "scipy.stats",
    "scipy.optimize",
    "statsmodels.api",
    "statsmodels.stats.rates",
    "statsmodels.stats.proportion",
    "statsmodels.stats.diagnostic",
)

#: How a kernel was started, as :func:`last_kernel_start` reports it.
FORKED = "forked from the kernel server"
NEW_PROCESS = "new process"

_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
_last_start: str | None = None
#: the kernels this process started that have not been cleaned up yet (pid -> process group)
_started: dict[int, int | None] = {}
#: the connection folders of those kernels
_connection_folders: set[str] = set()
_SERVER_FOLDER = "tallies-kernels-"
_KERNEL_FOLDER = "tallies-kernel-"
_PRIVATE_FOLDER = re.compile(r"^tallies-kernels?-(?P<pid>[0-9]+)-")


def kill_started_kernels() -> None:
    """Kill every kernel this process started and has not shut down, and remove their
    connection folders (a run stopped by a signal, whose kernel managers cannot finish their
    own shutdown)."""
    for pid, group in list(_started.items()):
        with contextlib.suppress(OSError):
            if group is not None and group != os.getpgrp():
                os.killpg(group, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        _started.pop(pid, None)
    for folder in list(_connection_folders):
        shutil.rmtree(folder, ignore_errors=True)
        _connection_folders.discard(folder)


def remove_stale_kernel_folders() -> list[str]:
    """Remove the private folders of servers and kernels whose process no longer exists (left
    in the temporary folder by a run killed outright); return their paths."""
    from analysis.files import process_alive

    removed = []
    folder = tempfile.gettempdir()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _PRIVATE_FOLDER.match(entry.name)
        if match and entry.is_dir(follow_symlinks=False) and not process_alive(int(match["pid"])):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def last_kernel_start() -> str | None:
    """How the last kernel this process started was started (:data:`FORKED` or
    :data:`NEW_PROCESS`), or None when it has started none. A worker renders one report at a
    time, so after a report this describes its kernel."""
    return _last_start


_LINE_LIMIT = 16 * 1024 * 1024


def forking_supported() -> bool:
    """Whether kernels can be forked here (Linux, with ``os.fork`` and Unix sockets)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(socket, "AF_UNIX")


def _is_ipykernel_command(argv: list[str]) -> bool:
    """``argv`` runs ``ipykernel_launcher`` with this very Python (so a fork is equivalent)."""
    if len(argv) < 3 or argv[1:3] != ["-m", "ipykernel_launcher"]:
        return False
    try:
        return os.path.realpath(argv[0]) == os.path.realpath(sys.executable)
    except (OSError, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# The client side: start the server, ask it for kernels.


class KernelServer:
    """A kernel server process for one run; use as a context manager.

    ``start()`` returns at once: the server imports :data:`PRELOAD` while the runner goes on, and
    the first kernel request waits for it.
    """

    def __init__(
        self,
        modules: tuple[str, ...] = PRELOAD,
        when_idle: tuple[str, ...] = PRELOAD_WHEN_IDLE,
    ) -> None:
        self.modules = tuple(modules)
        self.when_idle = tuple(when_idle)
        self._folder: str | None = None
        self._process: subprocess.Popen | None = None

    @property
    def address(self) -> str | None:
        """The server's socket path, or None when it is not running."""
        if self._folder is None or self._process is None or self._process.poll() is not None:
            return None
        return os.path.join(self._folder, "kernels.sock")

    def start(self) -> KernelServer:
        remove_stale_kernel_folders()
        self._folder = tempfile.mkdtemp(prefix=f"{_SERVER_FOLDER}{os.getpid()}-")
        # bound and listening before the server runs: a request made at once waits in the
        # backlog until the server has preloaded and accepts it
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(os.path.join(self._folder, "kernels.sock"))
            listener.listen(64)
            env = dict(os.environ)
            env.setdefault("MPLBACKEND", _INLINE_BACKEND)  # what ipykernel would set
            command = [sys.executable, "-m", "analysis.reports.kernels", str(listener.fileno())]
            self._process = subprocess.Popen(
                [*command, *self.modules, "--", *self.when_idle],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                env=env,
                cwd=self._folder,
                pass_fds=(listener.fileno(),),
            )
        except BaseException:
            self.close()
            raise
        finally:
            listener.close()
        return self

    def close(self) -> None:
        """Stop the server (its kernels with it) and remove its socket folder.

        Its input is closed, which an idle server answers at once; one still importing is sent
        ``SIGTERM`` after two seconds (it kills its kernels and exits), and ``SIGKILL`` if that
        is not enough (its kernels then end when they see their parent gone).
        """
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
            for timeout, then in ((2, process.terminate), (5, process.kill), (None, None)):
                try:
                    process.wait(timeout=timeout)
                    break
                except subprocess.TimeoutExpired:
                    then()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> KernelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_line(sock: socket.socket, buffer: bytearray) -> bytes:
    while b"\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the kernel server closed the connection")
        buffer.extend(chunk)
        if len(buffer) > _LINE_LIMIT:
            raise ConnectionError("the kernel server sent an overlong line")
    line, _, rest = bytes(buffer).partition(b"\n")
    buffer[:] = rest
    return line


class ForkedKernelProcess:
    """A kernel forked by the server, with the part of :class:`subprocess.Popen`'s interface that
    ``jupyter_client`` uses (``pid``, ``poll``, ``wait``, ``send_signal``, ``terminate``,
    ``kill``). The exit code arrives over the connection when the server has reaped the kernel.
    """

    stdin = stdout = stderr = None

    def __init__(self, sock: socket.socket, pid: int, buffer: bytearray) -> None:
        self._sock = sock
        self._buffer = buffer
        self.pid = pid
        self.returncode: int | None = None

    def _receive(self, timeout: float | None) -> None:
        self._sock.settimeout(timeout)
        try:
            message = json.loads(_read_line(self._sock, self._buffer))
            self.returncode = int(message["exit"])
        except (ConnectionError, ValueError, KeyError, TypeError):
            self.returncode = -int(signal.SIGKILL)  # the server is gone, and the kernel with it
        self._sock.close()

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self._receive(0.0)
            except (TimeoutError, BlockingIOError):
                return None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            try:
                self._receive(timeout)
            except (TimeoutError, BlockingIOError):
                raise subprocess.TimeoutExpired("forked kernel", timeout) from None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def spawn_kernel(
    address: str, argv: list[str], *, env: dict[str, str], cwd: str, timeout: float = 120.0
) -> ForkedKernelProcess:
    """Ask the server at ``address`` for a kernel running ``argv`` (an ``ipykernel_launcher``
    command line). ``timeout`` covers the server's preloading on the first request.

    Raises
    ------
    OSError
        The server is not there, refused, or did not answer in time.
    """
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
        request = {"argv": list(argv), "env": dict(env), "cwd": str(cwd)}
        sock.sendall(json.dumps(request).encode() + b"\n")
        buffer = bytearray()
        try:
            reply = json.loads(_read_line(sock, buffer))
        except ValueError as error:
            raise ConnectionError(f"the kernel server's answer is not JSON: {error}") from None
        if "pid" not in reply:
            raise ConnectionError(f"the kernel server refused: {reply.get('error', reply)}")
        return ForkedKernelProcess(sock, int(reply["pid"]), buffer)
    except BaseException:
        sock.close()
        raise


@functools.lru_cache(maxsize=8)
def kernel_manager_class(address: str | None = None):
    """The ``jupyter_client`` kernel manager class reports run with.

    Its kernels talk over Unix sockets in a private folder (the ``ipc`` transport), not TCP
    ports: kernels started at the same moment by parallel workers can then never pick the same
    port (with TCP, a port found free by one worker may be taken by another's kernel before its
    own kernel binds it, and the report hangs until the start-up timeout). With an ``address``,
    kernels are forked by the :class:`KernelServer` there, falling back to a new process when
    that fails.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner
    from traitlets import CaselessStrEnum

    class ForkingProvisioner(LocalProvisioner):
        """Launch through the kernel server when the command allows it."""

        async def launch_kernel(self, cmd, **kwargs):
            global _last_start
            if address is not None and _is_ipykernel_command(cmd):
                env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
                cwd = str(kwargs.get("cwd") or os.getcwd())
                try:
                    process = await asyncio.to_thread(
                        spawn_kernel, address, list(cmd), env=env, cwd=cwd
                    )
                except OSError as error:
                    self.log.warning("kernel server unavailable (%s); starting a kernel", error)
                else:
                    self.process = process
                    self.pid = process.pid
                    try:
                        self.pgid = os.getpgid(process.pid)
                    except OSError:
                        self.pgid = None
                    self.cwd = cwd
                    _last_start = FORKED
                    _started[process.pid] = None  # the server kills it when the client goes
                    return self.connection_info
            info = await super().launch_kernel(cmd, **kwargs)
            _last_start = NEW_PROCESS
            if self.process is not None:
                _started[self.process.pid] = self.pgid
            return info

        async def cleanup(self, restart: bool = False) -> None:
            if self.process is not None:
                _started.pop(self.process.pid, None)
            await super().cleanup(restart=restart)

    class ReportKernelManager(AsyncKernelManager):
        """An ``AsyncKernelManager`` over Unix sockets whose kernels may be forked."""

        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)
        _folder: str | None = None

        async def _async_pre_start_kernel(self, **kw):
            if self.transport == "ipc" and not self.connection_file:
                # a short private path: Unix socket paths are limited to about 100 bytes
                self._folder = tempfile.mkdtemp(prefix=f"{_KERNEL_FOLDER}{os.getpid()}-")
                _connection_folders.add(self._folder)
                self.connection_file = os.path.join(self._folder, "kernel.json")
                self.ip = os.path.join(self._folder, "ipc")
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = ForkingProvisioner(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                )
            return await super()._async_pre_start_kernel(**kw)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart and self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                _connection_folders.discard(self._folder)
                self._folder = None

    return ReportKernelManager


# --------------------------------------------------------------------------------------------
# The server side.


def _import(name: str) -> None:
    with contextlib.suppress(Exception):  # a module that fails is left to the kernel to import
        importlib.import_module(name)


def _preload(modules: tuple[str, ...]) -> None:
    for name in modules:
        _import(name)
    if "matplotlib" not in sys.modules:
        return
    with contextlib.suppress(Exception):  # load the default font once, for every kernel
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(figsize=(1, 1))
        FigureCanvasAgg(figure)
        figure.text(0.5, 0.5, "0")
        figure.canvas.draw()


def _become_kernel(request: dict, ready: int, inherited: list, server: int) -> int:
    """In the forked child: turn into an IPython kernel; returns its exit code."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # as in a kernel started the usual way
    for item in inherited:
        with contextlib.suppress(OSError):
            item.close() if hasattr(item, "close") else os.close(item)
    os.setsid()
    # end with the server even if it is killed outright: the kernel's own watch of its parent
    # (JPY_PARENT_PID) is off in a fork, its setting having been read when the server imported
    # ipykernel
    from analysis.reports.processes import die_with_parent

    die_with_parent(signal.SIGKILL, parent=server)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.write(ready, b"1")
    os.close(ready)
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    os.chdir(request["cwd"])
    argv = list(request["argv"])
    sys.argv = [argv[0], *argv[3:]]
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()
    from ipykernel.kernelapp import IPKernelApp

    try:
        IPKernelApp.launch_instance(argv=argv[3:])
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return 0


def _fork_kernel(request: dict, inherited: list) -> int:
    ready_read, ready_write = os.pipe()
    server = os.getpid()
    pid = os.fork()
    if pid == 0:  # the kernel
        code = 1
        try:
            os.close(ready_read)
            code = _become_kernel(request, ready_write, inherited, server)
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            with contextlib.suppress(BaseException):
                atexit._run_exitfuncs()  # what the kernel would run at a normal exit
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    os.close(ready_write)
    os.read(ready_read, 1)  # the kernel has its own session now (or died trying)
    os.close(ready_read)
    return pid


def _valid_request(message: object) -> dict:
    if not isinstance(message, dict):
        raise ValueError("a request is a JSON object")
    argv, env, cwd = message.get("argv"), message.get("env"), message.get("cwd")
    if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)):
        raise ValueError("argv must be a list of strings")
    if not _is_ipykernel_command(argv):
        raise ValueError("argv must run ipykernel_launcher with the server's Python")
    if not (isinstance(env, dict) and all(isinstance(v, str) for v in env.values())):
        raise ValueError("env must map names to strings")
    if not (isinstance(cwd, str) and os.path.isdir(cwd)):
        raise ValueError("cwd must be an existing folder")
    return message


def serve(
    listener_fd: int,
    modules: tuple[str, ...] = PRELOAD,
    when_idle: tuple[str, ...] = PRELOAD_WHEN_IDLE,
) -> None:
    """Run the kernel server on the listening Unix socket ``listener_fd`` until standard input
    closes: import ``modules``, then serve, importing ``when_idle`` while nothing waits."""
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does
    # BLAS worker threads may exist when the server forks: OpenBLAS shuts its pool down around
    # fork() (pthread_atfork) and restarts it in the child
    warnings.filterwarnings("ignore", r"This process .* is multi-threaded", DeprecationWarning)
    listener = socket.socket(fileno=listener_fd)
    _preload(modules)

    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "listener")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
    buffers: dict[socket.socket, bytearray] = {}
    kernels: dict[socket.socket, int] = {}  # connection -> kernel pid

    def finish(connection: socket.socket, message: dict | None = None) -> None:
        with contextlib.suppress(OSError):
            if message is not None:
                connection.sendall(json.dumps(message).encode() + b"\n")
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(connection)
        connection.close()
        buffers.pop(connection, None)
        kernels.pop(connection, None)

    def reap() -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            for connection, kernel in list(kernels.items()):
                if kernel == pid:
                    finish(connection, {"exit": os.waitstatus_to_exitcode(status)})

    def handle(connection: socket.socket) -> None:
        try:
            chunk = connection.recv(65536)
        except OSError:
            chunk = b""
        if connection in kernels:
            if not chunk:  # the client went away: its kernel goes too
                with contextlib.suppress(OSError):
                    os.killpg(kernels[connection], signal.SIGKILL)
                finish(connection)
            return
        if not chunk:
            finish(connection)
            return
        buffer = buffers[connection]
        buffer.extend(chunk)
        if b"\n" not in buffer:
            if len(buffer) > _LINE_LIMIT:
                finish(connection, {"error": "request too long"})
            return
        line = bytes(buffer).partition(b"\n")[0]
        try:
            request = _valid_request(json.loads(line))
        except ValueError as error:
            finish(connection, {"error": str(error)})
            return
        inherited = [selector, listener, wake_read, wake_write, 0, *buffers]
        pid = _fork_kernel(request, inherited)
        kernels[connection] = pid
        try:
            connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        except OSError:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            finish(connection)

    pending = list(when_idle)
    try:
        running = True
        while running:
            events = selector.select(timeout=0 if pending else None)
            if not events and pending:
                _import(pending.pop(0))
            for key, _ in events:
                if key.data == "listener":
                    connection, _ = listener.accept()
                    buffers[connection] = bytearray()
                    selector.register(connection, selectors.EVENT_READ, "client")
                elif key.data == "wake":
                    with contextlib.suppress(BlockingIOError):
                        while os.read(wake_read, 4096):
                            pass
                    reap()
                elif key.data == "stdin":
                    if not os.read(sys.stdin.fileno(), 4096):
                        running = False
                else:
                    handle(key.fileobj)
            reap()
    except KeyboardInterrupt:
        pass
    finally:
        for pid in list(kernels.values()):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        for connection in list(buffers):
            finish(connection)
        listener.close()


def _main(argv: list[str]) -> int:
    if not argv or not argv[0].isdigit():
        usage = "usage: python -m analysis.reports.kernels FD [MODULE ...] [-- MODULE ...]"
        print(usage, file=sys.stderr)
        return 2
    names = argv[1:]
    split = names.index("--") if "--" in names else len(names)
    from analysis.reports.processes import die_with_parent

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # serve() kills its kernels on the way out

    signal.signal(signal.SIGTERM, stop)
    die_with_parent(signal.SIGTERM)  # the runner killed outright: end too
    try:
        serve(int(argv[0]), tuple(names[:split]), tuple(names[split + 1 :]))
    except KeyboardInterrupt:
        return 128 + signal.SIGTERM
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
