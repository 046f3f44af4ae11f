"""Child process for the kill test: streams replies into a ChatStore forever.

Usage: python stream_child.py DB_PATH FLUSH_INTERVAL_S

Prints, each line flushed:
    READY                      the store is open
    STARTED <id>               a streaming reply was committed
    COMMITTED <id> <r> <a>     all text up to these reasoning/answer lengths is committed
    FINISHED <id>              the reply was finished (status complete)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from app.store.chat_store import ChatStore

CHUNKS = 60


def reasoning_chunk(i: int) -> str:
    """The i-th streamed piece of reasoning (the test rebuilds it)."""
    return f"r{i}·思考;"


def answer_chunk(i: int) -> str:
    """The i-th streamed piece of the answer."""
    return f"a{i}$x^{i}$;"


def main() -> None:
    store = ChatStore(Path(sys.argv[1]), flush_interval_s=float(sys.argv[2]))
    conv = store.create_conversation("kill test")
    print("READY", flush=True)
    while True:
        user = store.add_user_message(conv.id, "stream please")
        reply = store.start_reply(user.id, model="child")
        print(f"STARTED {reply.id}", flush=True)
        r_len = a_len = 0
        for i in range(CHUNKS):
            r, a = reasoning_chunk(i), answer_chunk(i)
            r_len += len(r)
            a_len += len(a)
            if store.append_stream(reply.id, r, a):
                print(f"COMMITTED {reply.id} {r_len} {a_len}", flush=True)
            time.sleep(0.001)
        store.finish_stream(reply.id)
        print(f"FINISHED {reply.id}", flush=True)


if __name__ == "__main__":
    main()
