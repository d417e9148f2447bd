"""`fumin up` stopped the way supervisors and terminals stop it: every child stops by itself."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import psutil

from tests.cli.test_up import everything_it_started, gone, start

CHILDREN = {
    "web": "coordinator.ops.cli web",
    "worker": "coordinator.ops.cli worker",
    "planner": "coordinator.ops.cli planner",
}
STOP_WITHIN = 8.0  # less than the supervisor's grace (10 s) before it kills a child


def test_sigterm_to_the_process_group_stops_every_child_cleanly(tmp_path) -> None:
    up = start(tmp_path / "var", "group", new_group=True)
    children = {name: up.child(marker) for name, marker in CHILDREN.items()}
    assert all(children.values()), up.output()
    started = everything_it_started(up)
    pgid = os.getpgid(up.process.pid)
    assert pgid == up.process.pid

    began = time.monotonic()
    # What a process manager's stop sends: SIGTERM to the group, to every process of the
    # service (its cgroup), and once more to the leader (`timeout` signals the command,
    # then its group). None of it may turn the graceful stop into a forced one.
    os.killpg(pgid, signal.SIGTERM)
    for child in children.values():
        assert child is not None
        child.send_signal(signal.SIGTERM)
    os.kill(up.process.pid, signal.SIGTERM)
    try:
        code = up.process.wait(timeout=STOP_WITHIN + 10)
    except subprocess.TimeoutExpired:
        up.process.kill()
        raise
    took = time.monotonic() - began

    output = up.output()
    assert code == 0, output
    assert "killing it" not in output
    assert "restart" not in output.split("stopping (SIGTERM)", 1)[1]
    for name in CHILDREN:
        stopped = re.search(rf"fumin: {name} stopped \((.*)\) after ([0-9.]+) s", output)
        assert stopped, f"no stop line for {name}:\n{output}"
        assert stopped.group(1) == "exit status 0", output
        assert float(stopped.group(2)) < STOP_WITHIN
    assert took < STOP_WITHIN + 5, output
    assert [p for p in started if not gone(p)] == []


def test_a_second_ctrl_c_a_moment_later_still_cuts_the_grace_short(tmp_path) -> None:
    """The one way to hurry a stop is kept: Ctrl-C, then Ctrl-C again after a moment. Pressed
    again and again, as someone in a hurry does, the repeats within that moment are the same
    request; the first after it kills what has not stopped."""
    up = start(tmp_path / "var", "twice", new_group=True)
    worker = up.child(CHILDREN["worker"])
    assert worker is not None
    worker.suspend()  # a child that would never stop by itself
    try:
        up.process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 5
        while "stopping (SIGINT)" not in up.output():
            assert time.monotonic() < deadline, up.output()
            time.sleep(0.05)
        deadline = time.monotonic() + 5  # half the grace
        while "killing it" not in up.output():
            assert time.monotonic() < deadline, up.output()
            up.process.send_signal(signal.SIGINT)
            time.sleep(0.05)
        assert up.process.wait(timeout=30) == 0
        output = up.output()
        assert "worker did not stop in time; killing it" in output
        killed = re.search(r"fumin: worker stopped \(killed by SIGKILL\) after ([0-9.]+) s", output)
        assert killed, output
        # Not at the first repeat (a twentieth of a second on), not after the 10 s grace.
        assert 0.5 <= float(killed.group(1)) < 5, output
    finally:
        if worker.is_running():
            try:
                worker.kill()
            except psutil.Error:
                pass
