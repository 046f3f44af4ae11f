"""Helpers for the sandbox tests: find a run's processes by a marker, guard the test process."""

from __future__ import annotations

import os
import resource
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

MARK_ENV = "PONDER_TEST_SANDBOX_MARK"
ALL_LIMITS = [name for name in dir(resource) if name.startswith("RLIMIT_")]


def marked_pids(mark: str, *, with_supervisor: bool = False) -> list[int]:
    """Live processes whose environment carries the marker (scanning /proc directly).

    The supervisor (`ponder run-code`) carries it too; it is left out unless asked.
    Zombies have an empty environ and are not counted: they hold no resources.
    """
    needle = f"{MARK_ENV}={mark}".encode()
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle not in environ:
            continue
        if b"run-code" in cmdline and not with_supervisor:
            continue
        found.append(int(entry.name))
    return found


def wait_until_gone(mark: str, within: float) -> float:
    """Seconds until no marked process is left; fails after `within`."""
    start = time.monotonic()
    while True:
        left = marked_pids(mark, with_supervisor=True)
        if not left:
            return time.monotonic() - start
        if time.monotonic() - start > within:
            raise AssertionError(f"processes of the run still alive after {within} s: {left}")
        time.sleep(0.02)


@pytest.fixture
def mark(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A marker in the environment every process of the run inherits.

    Also checks that the test process (the app) kept its own limits, its
    working directory and that nothing of the run outlives the test.
    """
    value = uuid.uuid4().hex
    monkeypatch.setenv(MARK_ENV, value)
    before = {name: resource.getrlimit(getattr(resource, name)) for name in ALL_LIMITS}
    cwd = os.getcwd()
    yield value
    after = {name: resource.getrlimit(getattr(resource, name)) for name in ALL_LIMITS}
    assert after == before, "the app's own resource limits changed"
    assert os.getcwd() == cwd
    wait_until_gone(value, within=2.0)
