"""Micro-benchmark of the chat store: how fast a long conversation opens.

Run: python bench/store.py [--messages N]

Builds a conversation of N messages (default 1,000; ~1 KB of text each, plus
a few regenerated branches) in a temporary SQLite file, then times
`ChatStore.active_path` (the query the GUI runs to open a chat) and prints one
line per measure: `NAME: VALUE (target OP VALUE) PASS|MISS`. Wall times are
medians over --repeat calls; the `_cpu` line is the same call's CPU time,
which a loaded machine does not inflate.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.store.chat_store import ChatStore  # noqa: E402
from app.store.records import ConversationTree, MessageStatus, TreeMessage  # noqa: E402


def build(store: ChatStore, n: int) -> int:
    """A conversation of n messages on the active branch, every 50th answer regenerated."""
    messages: list[TreeMessage] = []
    parent: int | None = None
    key = 0
    for i in range(n):
        role = "user" if i % 2 == 0 else "assistant"
        if role == "assistant" and i % 50 == 1:
            messages.append(TreeMessage(key, parent, role, "old answer " * 40, "old " * 100,
                                        MessageStatus.COMPLETE, 0.0, 0.0))
            key += 1
        messages.append(TreeMessage(key, parent, role, f"message {i} " + "text " * 100,
                                    "reasoning " * (60 if role == "assistant" else 0),
                                    MessageStatus.COMPLETE, float(i), float(i),
                                    is_active=True))
        parent = key
        key += 1
    return store.insert_tree(ConversationTree("bench", 0.0, 0.0, {}, tuple(messages))).id


def line(name: str, value_ms: float, target_ms: float) -> str:
    verdict = "PASS" if value_ms < target_ms else "MISS"
    return f"{name}: {value_ms:.2f} ms (target < {target_ms:g} ms) {verdict}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        with ChatStore(db) as store:
            conv_id = build(store, args.messages)
        start = time.perf_counter()
        store = ChatStore(db)
        open_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        path = store.active_path(conv_id)
        cold_ms = (time.perf_counter() - start) * 1000
        assert len(path) == args.messages, len(path)
        times = []
        cpu_times = []
        for _ in range(args.repeat):
            start, cpu_start = time.perf_counter(), time.thread_time()
            store.active_path(conv_id)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.thread_time() - cpu_start) * 1000)
        store.close()
    n = args.messages
    print(line("store.open", open_ms, 50))
    print(line(f"store.active_path_{n}_first", cold_ms, 50))
    print(line(f"store.active_path_{n}", statistics.median(times), 10))
    # CPU time of this thread: what the call costs without other processes
    # competing for the cores (a shared, loaded machine inflates wall time).
    print(line(f"store.active_path_{n}_cpu", statistics.median(cpu_times), 10))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
