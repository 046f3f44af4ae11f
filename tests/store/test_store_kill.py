"""A process killed with SIGKILL while it streams loses nothing it committed.

A child process (stream_child.py) streams replies into a real database file
and reports each commit on stdout; the test kills it at a random moment, then
checks the file's integrity, that every reported commit is there, and that
reopening marks the reply that was streaming as interrupted.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from app.store.chat_store import ChatStore
from app.store.records import MessageStatus

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import stream_child  # noqa: E402

TRIALS = 24



def _expected(chunk: Callable[[int], str], n: int = stream_child.CHUNKS) -> str:
    return "".join(chunk(i) for i in range(n))


def _run_and_kill(db: Path, delay: float) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, str(HERE / "stream_child.py"), str(db), "0.01"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        cwd=ROOT, env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    first = child.stdout.readline().strip()
    if first != "READY":
        child.kill()
        child.wait()
        raise AssertionError(f"child did not start: {first!r} {child.stderr.read()}")
    time.sleep(delay)
    child.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no cleanup runs
    child.wait()
    out = child.stdout.read().splitlines()
    child.stdout.close()
    child.stderr.close()
    if os.name == "posix":
        assert child.returncode == -signal.SIGKILL
    return out


def test_sigkill_during_streaming_keeps_commits(tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite3"
    rng = random.Random(20240607)
    full_reasoning = _expected(stream_child.reasoning_chunk)
    full_answer = _expected(stream_child.answer_chunk)
    total_commits = 0
    interrupted_seen = 0
    started_total = time.monotonic()
    for trial in range(TRIALS):
        lines = _run_and_kill(db, rng.uniform(0.0, 0.35))
        started = {int(line.split()[1]) for line in lines if line.startswith("STARTED")}
        finished = {int(line.split()[1]) for line in lines if line.startswith("FINISHED")}
        committed: dict[int, tuple[int, int]] = {}
        for line in lines:
            if line.startswith("COMMITTED"):
                _, ident, r_len, a_len = line.split()
                committed[int(ident)] = (int(r_len), int(a_len))
        total_commits += len(committed)

        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", trial
        conn.close()

        with ChatStore(db) as store:
            for ident, (r_len, a_len) in committed.items():
                m = store.get_message(ident)
                assert len(m.reasoning) >= r_len and len(m.content) >= a_len, (trial, ident)
                assert full_reasoning.startswith(m.reasoning), (trial, ident)
                assert full_answer.startswith(m.content), (trial, ident)
            for ident in finished:
                m = store.get_message(ident)
                assert m.status is MessageStatus.COMPLETE
                assert (m.reasoning, m.content) == (full_reasoning, full_answer)
            unfinished = started - finished
            assert len(unfinished) <= 1
            for ident in unfinished:
                m = store.get_message(ident)
                if m.status is MessageStatus.COMPLETE:
                    # Killed between finish_stream's commit and the FINISHED line:
                    # the reply is whole and nothing needed recovery.
                    assert ident not in store.recovered_ids, (trial, ident)
                    assert (m.reasoning, m.content) == (full_reasoning, full_answer)
                    continue
                # Killed mid-stream: reopening marked it, text kept.
                assert ident in store.recovered_ids, (trial, ident)
                assert m.status is MessageStatus.INTERRUPTED
                interrupted_seen += 1
            # Nothing is left streaming after recovery, in any trial so far.
            conn = store._db()
            assert conn.execute(
                "SELECT count(*) FROM messages WHERE status = 'streaming'"
            ).fetchone()[0] == 0
    # The random delays really hit streams in progress with commits behind them.
    assert interrupted_seen >= TRIALS // 2
    assert total_commits >= TRIALS
    assert time.monotonic() - started_total < 60
