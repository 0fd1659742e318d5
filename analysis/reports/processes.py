"""How a report run and its child processes stop: on a signal, and when their parent dies.

A run has child processes: the kernel server (:mod:`analysis.reports.kernels`), the worker
processes that render reports in parallel, and the kernels. Two promises hold for them:

* ``SIGTERM``, ``SIGINT`` (Ctrl-C) or ``SIGHUP`` stop the run cleanly: :func:`stop_on_signals`
  turns the first of them into a :class:`Stopped` exception, so the run's ``finally`` blocks
  end its children and remove its temporary files, and the command exits with 128 plus the
  signal's number. Further signals while it cleans up are ignored (the clean-up is bounded).
* After ``SIGKILL`` (no clean-up is possible), the children end on their own: each asks the
  kernel (Linux) to send it a signal when its parent dies (:func:`die_with_parent`); the
  kernels, forked by the server or started as new processes, watch their parent too (the
  ``JPY_PARENT_PID`` that IPython kernels poll). The temporary files they leave are removed by
  the next run, which can prove them stale (see :func:`analysis.files.remove_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from collections.abc import Iterator

__all__ = ["Stopped", "STOP_SIGNALS", "stop_on_signals", "die_with_parent"]

#: The signals that stop a run cleanly.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

_PR_SET_PDEATHSIG = 1


class Stopped(BaseException):
    """The run was stopped by a signal (a :class:`BaseException`, like ``KeyboardInterrupt``:
    the handlers that report one failing report must not swallow it).

    Attributes
    ----------
    signum
        The signal's number; the command exits with ``128 + signum``.
    """

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        super().__init__(f"stopped by {signal.Signals(self.signum).name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, the first of :data:`STOP_SIGNALS` raises :class:`Stopped` (in the main
    thread); later ones are ignored while the run cleans up. The previous handlers come back
    at the end. Outside the main thread (where handlers cannot be set) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping: list[int] = []

    def handler(signum: int, frame: object) -> None:
        if stopping:
            return  # already cleaning up: let it finish
        stopping.append(signum)
        raise Stopped(signum)

    previous = {number: signal.signal(number, handler) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def die_with_parent(signum: int = signal.SIGTERM, parent: int | None = None) -> bool:
    """Ask the kernel to send this process ``signum`` when its parent dies (Linux's
    ``prctl(PR_SET_PDEATHSIG)``); returns whether that is set up.

    The signal goes when the *thread* that started this process ends, so the parent must have
    started it from its main thread. If ``parent`` is given and is no longer this process's
    parent (it died before the request was made), the signal is sent at once.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), signum)
    return True
