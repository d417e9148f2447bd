"""A small process supervisor for `fumin up`: start children, restart them, stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

# A child that ran this long before exiting is restarted at once; quicker exits back off.
HEALTHY_AFTER = 10.0
BACKOFF_MAX = 30.0
STOP_GRACE = 10.0
# A second Ctrl-C this long after the first means "now": one sooner is the same request
# arriving twice (the terminal signals the whole process group, and a wrapper such as
# `uv run` or `npm` passes its own copy on).
FORCE_AFTER = 1.0


HELD = {signal.SIGTERM, signal.SIGINT}


def _die_with(parent: int) -> Callable[[], None]:
    """In the child: get SIGTERM if the supervisor itself dies (Linux), so nothing is orphaned.

    The child starts with SIGTERM and SIGINT held (blocked): one that arrives while it is
    still importing would kill it outright. It lets them through once it can stop
    gracefully (workers.run.stop_once), and then handles any that waited.
    """

    def prepare() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
        if sys.platform.startswith("linux"):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
            if os.getppid() != parent:  # the supervisor died before prctl took effect
                os._exit(1)

    return prepare


@dataclass
class Child:
    """One supervised command."""

    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    failures: int = 0
    restarts: int = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            stdin=subprocess.DEVNULL,
            # Own process group: Ctrl-C at a terminal reaches only the supervisor, which
            # then stops the children in order.
            process_group=0,
            preexec_fn=_die_with(os.getpid()),
        )
        self.started_at = time.monotonic()
        self.restart_at = None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Supervisor:
    """Run children until SIGINT/SIGTERM/SIGHUP; restart any that exits, with a backoff."""

    children: list[Child] = field(default_factory=list)
    say: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    on_ready: Callable[[], bool] | None = None
    """Polled until it returns True once (e.g. the web port answers)."""
    stop_signal: int | None = None
    _force: bool = False
    _installed: bool = False
    _asked_at: float = 0.0

    def _signal(self, signum: int, frame: FrameType | None) -> None:
        """Ask for a stop. Only a second SIGINT, a moment after the first, cuts the grace
        short: SIGTERM and SIGHUP come again whenever they are sent both to a process
        group and to its leader (`timeout`, process managers, `kill` of a group by a
        supervisor that also signals its child), and mean the same graceful stop."""
        now = time.monotonic()
        if self.stop_signal is None:
            self.stop_signal = signum
            self._asked_at = now
        elif signum == signal.SIGINT and now - self._asked_at >= FORCE_AFTER:
            self._force = True

    def install_signal_handlers(self) -> None:
        """From now on SIGINT, SIGTERM and SIGHUP only ask for a stop (see stop_signal)."""
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._signal)
        self._installed = True

    def run(self) -> int:
        """Supervise until told to stop; then stop every child. Returns an exit status."""
        if not self._installed:
            self.install_signal_handlers()
        try:
            for child in self.children:
                if self.stop_signal is not None:
                    break
                child.start()
                self.say(f"started {child.name} (pid {child.pid})")
            ready = self.on_ready is None
            while self.stop_signal is None:
                self._tend()
                if not ready and self.on_ready is not None:
                    ready = self.on_ready()
                time.sleep(0.1)
            self.say(f"stopping ({signal.Signals(self.stop_signal).name})")
        finally:
            self.stop()
        return 0

    def _tend(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if self.stop_signal is not None:
                # Stopping: a child that exits now most likely got the same signal (its
                # process group's, or its cgroup's) and is not to be restarted.
                return
            if child.process is None or child.running():
                continue
            if child.restart_at is None:
                code = child.process.returncode
                ran = now - child.started_at
                child.failures = 0 if ran >= HEALTHY_AFTER else child.failures + 1
                delay = min(BACKOFF_MAX, 0.5 * 2**child.failures) if child.failures else 0.0
                child.restart_at = now + delay
                self.say(f"{child.name} exited ({_describe(code)}); restarting in {delay:.1f} s")
            if now >= child.restart_at:
                child.start()
                child.restarts += 1
                self.say(f"restarted {child.name} (pid {child.pid})")

    def stop(self) -> None:
        """SIGTERM every running child, wait for them, SIGKILL whoever outstays the grace.

        A child may have had the signal already (its own process group's or cgroup's): a
        second SIGTERM does not hurry its graceful stop, which it is left to finish. Each
        child's exit is said, so a stop that was not clean shows."""
        started = time.monotonic()
        running = [c for c in self.children if c.process is not None and c.restart_at is None]
        for child in running:
            assert child.process is not None
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = started + STOP_GRACE
        for child in running:
            assert child.process is not None
            while child.process.poll() is None and time.monotonic() < deadline and not self._force:
                time.sleep(0.05)
            if child.process.poll() is None:
                self.say(f"{child.name} did not stop in time; killing it")
                child.process.kill()
            code = child.process.wait()
            took = time.monotonic() - started
            self.say(f"{child.name} stopped ({_describe(code)}) after {took:.1f} s")


def _describe(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"
