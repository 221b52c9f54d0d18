"""The launcher's small supervisor: one process per Procfile line, restarted when it dies.

Each Procfile line runs as ``/bin/sh -c`` in its own process group (its own session), its
output prefixed as honcho does (``09:32:33 web.1  | …``). When a process dies on its own,
what is left of its group is killed and it is started again after a backoff (1 s, 2 s, 4 s…
at most 30 s), with a line in the log::

    09:32:33 system | [launcher] worker exited with code -9; restarting in 1 s (restart 1)

Other things the launcher owns (the embedded PostgreSQL and Redis) are watched the same
way through a :class:`Watched` (a health check and a restart). More than ``max_restarts``
restarts of one thing within ``window`` seconds is a crash loop: the supervisor stops
everything and says so. A stop request (Ctrl-C, SIGTERM) sends SIGTERM to every process
group, waits up to ``stop_timeout`` seconds, then SIGKILLs what is left; each process's end is
logged as ``system | web.1 stopped (rc=-15)``.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

_print_lock = threading.Lock()
_SHELL_OPERATORS = re.compile(r"[;&|()<>`]|\$\(")


def parse_procfile(path: Path) -> list[tuple[str, str]]:
    """``name: command`` lines, in order (blank lines and ``#`` comments skipped)."""
    entries = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip() or not command.strip():
            raise ValueError(f"{path}:{number}: expected 'name: command', got {raw!r}")
        entries.append((name.strip(), command.strip()))
    if not entries:
        raise ValueError(f"{path} lists no process")
    return entries


class Printer:
    """Honcho-style prefixed lines on one stream, one writer at a time."""

    def __init__(self, stream: IO[str] | None = None, width: int = 6) -> None:
        self.stream = stream or sys.stdout
        self.width = width

    def line(self, name: str, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        with _print_lock:
            self.stream.write(f"{stamp} {name:<{self.width}} | {text}\n")
            self.stream.flush()

    def system(self, text: str) -> None:
        self.line("system", text)

    def launcher(self, text: str) -> None:
        self.system(f"[launcher] {text}")


@dataclass
class _Restarts:
    """Restart bookkeeping shared by processes and watched servers."""

    name: str
    history: collections.deque = field(default_factory=collections.deque)
    total: int = 0
    due: float | None = None  # when a restart is scheduled, its monotonic time

    def schedule(self, now: float, window: float, base_delay: float, max_delay: float) -> tuple[int, float]:
        while self.history and now - self.history[0] > window:
            self.history.popleft()
        self.history.append(now)
        self.total += 1
        delay = min(base_delay * 2 ** (len(self.history) - 1), max_delay)
        self.due = now + delay
        return len(self.history), delay


class Process:
    """One Procfile line: ``/bin/sh -c`` in its own process group, output prefixed."""

    def __init__(self, name: str, command: str, env: dict[str, str], cwd: Path, printer: Printer) -> None:
        self.name = name  # "worker"
        self.label = f"{name}.1"  # honcho's "worker.1"
        # A simple command is exec'd so the pid is the program's own (a kill reaches it).
        self.command = command if _SHELL_OPERATORS.search(command) else f"exec {command}"
        self.env, self.cwd, self.printer = env, cwd, printer
        self.popen: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self.restarts = _Restarts(name)

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def start(self) -> None:
        self.popen = subprocess.Popen(  # noqa: S603 - our own Procfile
            ["/bin/sh", "-c", self.command],
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
            errors="replace",
            bufsize=1,
        )
        self.restarts.due = None
        self.printer.system(f"{self.label} started (pid={self.popen.pid})")
        self._reader = threading.Thread(target=self._copy_output, args=(self.popen,), daemon=True)
        self._reader.start()

    def _copy_output(self, popen: subprocess.Popen) -> None:
        assert popen.stdout is not None
        for line in popen.stdout:
            self.printer.line(self.label, line.rstrip("\n"))

    def poll(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    def signal_group(self, signum: int) -> None:
        """Signal the whole group: the program and whatever it started (pool workers, reloader)."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signum)

    def flush_output(self, timeout: float = 2) -> None:
        if self._reader is not None:
            self._reader.join(timeout)


@dataclass
class Watched:
    """Something else the launcher owns and restarts: ``check`` answers whether it is healthy."""

    name: str
    check: Callable[[], bool]
    restart: Callable[[], None]
    # Consecutive failed checks before it counts as dead (a busy server may miss one probe).
    failures_needed: int = 2
    failures: int = 0
    restarts: _Restarts = field(init=False)

    def __post_init__(self) -> None:
        self.restarts = _Restarts(self.name)


class CrashLoop(Exception):
    pass


class Supervisor:
    def __init__(
        self,
        entries: list[tuple[str, str]],
        env: dict[str, str],
        cwd: Path,
        stop_requested: Callable[[], int | None],
        watched: list[Watched] | None = None,
        printer: Printer | None = None,
        max_restarts: int = 5,
        window: float = 60,
        base_delay: float = 1,
        max_delay: float = 30,
        stop_timeout: float = 10,
        watch_interval: float = 2,
    ) -> None:
        width = max(len("system"), *(len(name) + 2 for name, _ in entries))
        self.printer = printer or Printer(width=width)
        self.processes = [Process(name, command, env, cwd, self.printer) for name, command in entries]
        self.watched = watched or []
        self.stop_requested = stop_requested
        self.max_restarts, self.window = max_restarts, window
        self.base_delay, self.max_delay = base_delay, max_delay
        self.stop_timeout, self.watch_interval = stop_timeout, watch_interval

    def _schedule_restart(self, restarts: _Restarts, what: str) -> None:
        count, delay = restarts.schedule(time.monotonic(), self.window, self.base_delay, self.max_delay)
        if count > self.max_restarts:
            raise CrashLoop(
                f"{restarts.name} {what} {count} times within {self.window:.0f} s; "
                f"giving up (limit {self.max_restarts} restarts in {self.window:.0f} s): stopping everything"
            )
        self.printer.launcher(f"{restarts.name} {what}; restarting in {delay:g} s (restart {restarts.total})")

    def run(self) -> int:
        """Start everything, keep it running until a stop request; 128 + signal, or 1 on a crash loop."""
        code = 1
        try:
            for process in self.processes:
                process.start()
            next_watch = time.monotonic() + self.watch_interval
            while (signum := self.stop_requested()) is None:
                now = time.monotonic()
                for process in self.processes:
                    if process.restarts.due is None:
                        rc = process.poll()
                        if rc is not None:
                            # Whatever the dead process left in its group goes with it.
                            process.signal_group(signal.SIGKILL)
                            process.flush_output(0.5)
                            self._schedule_restart(process.restarts, f"exited with code {rc}")
                    elif now >= process.restarts.due:
                        process.start()
                if now >= next_watch:
                    next_watch = now + self.watch_interval
                    for item in self.watched:
                        self._watch(item, now)
                time.sleep(0.2)
            code = 128 + signum
        except CrashLoop as crash:
            self.printer.launcher(str(crash))
        finally:
            self.stop()
        return code

    def _watch(self, item: Watched, now: float) -> None:
        if item.restarts.due is not None:
            if now < item.restarts.due:
                return
            self.printer.launcher(f"restarting {item.name}")
            try:
                item.restart()
            except Exception as error:  # noqa: BLE001 - counted as one more failure below
                self.printer.launcher(f"{item.name} did not start: {error}")
                self._schedule_restart(item.restarts, "failed to start")
                return
            item.restarts.due = None
            item.failures = 0
            self.printer.launcher(f"{item.name} is back")
            return
        if item.check():
            item.failures = 0
            return
        item.failures += 1
        if item.failures >= item.failures_needed:
            self._schedule_restart(item.restarts, "stopped answering")

    def stop(self) -> None:
        running = [p for p in self.processes if p.popen is not None and p.poll() is None]
        for process in running:
            self.printer.system(f"sending SIGTERM to {process.label} (pid {process.pid})")
            process.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        killed = False
        for process in self.processes:
            if process.popen is None:
                continue
            while process.poll() is None:
                if time.monotonic() > deadline and not killed:
                    for late in running:
                        if late.poll() is None:
                            self.printer.system(f"sending SIGKILL to {late.label} (pid {late.pid})")
                            late.signal_group(signal.SIGKILL)
                    killed = True
                time.sleep(0.1)
            # Leftovers of the group (a runserver child, pool workers) never outlive the stop.
            process.signal_group(signal.SIGKILL)
            process.flush_output()
            if process in running:
                self.printer.system(f"{process.label} stopped (rc={process.popen.returncode})")
