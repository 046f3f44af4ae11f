"""Child process for the kill storm: runs one writer in a loop until it is killed.

Usage: python writers_child.py MODE WORKDIR [ENDPOINT]

Modes and what each prints (flushed) after a write is complete:
    settings   SAVED <n>        settings.json holds font_size n
    import     IMPORTED <id>    conversation id is in the database, whole
    download   DONE <n>         round n's file was verified and is at its final path
    model      IMPORTED <n>     model import n is at its final path
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

MESSAGES = 6
PAYLOAD_SEED = 5
PAYLOAD_SIZE = 2 * 1024 * 1024 + 99
REPO = "someone/model-GGUF"
NAME = "storm.gguf"


def export_doc(n: int) -> str:
    """A conversation export with MESSAGES messages in one chain."""
    msgs = [{"id": i + 1, "parent": i or None, "role": "user" if i % 2 == 0 else "assistant",
             "content": f"message {i} of import {n} " + "z" * 2000} for i in range(MESSAGES)]
    return json.dumps({"format": "ponder.conversation", "version": 1,
                       "conversation": {"title": f"import {n}"}, "messages": msgs})


def payload() -> bytes:
    import random

    return random.Random(PAYLOAD_SEED).randbytes(PAYLOAD_SIZE)


def main() -> None:
    mode, work = sys.argv[1], Path(sys.argv[2])
    print("READY", flush=True)
    n = 0
    if mode == "settings":
        from app.store.settings import Settings, save_settings

        while True:
            n += 1
            save_settings(dataclasses.replace(Settings(), font_size=n), work / "settings.json")
            print(f"SAVED {n}", flush=True)
    elif mode == "import":
        from app.store.chat_store import ChatStore
        from app.store.exchange import import_json

        with ChatStore(work / "chats.sqlite3") as store:
            while True:
                n += 1
                conv = import_json(store, export_doc(n))
                print(f"IMPORTED {conv.id}", flush=True)
    elif mode == "download":
        import hashlib

        from app.models.download import Downloader, DownloadSettings, RemoteFile
        from app.models.mirrors import Mirror

        data = payload()
        remote = RemoteFile(REPO, NAME, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
        downloader = Downloader([Mirror("hub", sys.argv[3])],
                                DownloadSettings(disk_margin=0, chunk_size=64 * 1024))
        target = work / "models" / NAME
        while True:
            n += 1
            downloader.download(remote, target)
            print(f"DONE {n}", flush=True)
            target.unlink()
    elif mode == "model":
        from app.models.importer import import_gguf

        source = Path(sys.argv[3])
        while True:
            n += 1
            dest = work / "models"
            (dest / source.name).unlink(missing_ok=True)  # a kill may have hit after the import
            import_gguf(source, dest)
            print(f"IMPORTED {n}", flush=True)
            (dest / source.name).unlink()
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
