"""The model's memory of each conversation: sequence 0's KV state kept and restored.

After every reply the engine copies sequence 0's KV cells out of llama.cpp
(`llama_state_seq_get_data`) together with the tokens they were evaluated
from, under the conversation's key. The last few stay in memory; with a
folder they are also written to disk (in a writer thread, atomically; see
app.engine.kv_files). When a request for another conversation comes, its
state is put back into sequence 0 (`llama_state_seq_set_data`) if it shares
more of the new prompt than what the cache holds now; the decode loop then
evaluates only the tokens that differ, as for the open conversation.

A state is only ever used for the exact model identity: the file's size,
modification time and a hash of its first MiB, the context size, the KV
cache types, flash attention, the chat template, llama-cpp-python's version
and the state format. A state llama.cpp refuses is removed and forgotten.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import llama_cpp

from app.engine.decode_loop import KvCache
from app.engine.kv_files import (
    FORMAT_VERSION,
    SavedState,
    enforce_budget,
    is_plain_key,
    read_state,
    remove_states,
    state_name,
    write_state,
)

LOG = logging.getLogger(__name__)

MEMORY_SLOTS = 3
"""Conversations whose state stays in memory (the last ones used)..."""

MEMORY_BYTES = 384 * 1024**2
"""...as long as they take no more than this together (the newest always stays)."""

DEFAULT_BUDGET_BYTES = 2_000_000_000
"""Disk budget of the states folder unless the settings say otherwise."""

_HEAD_BYTES = 1 << 20


@dataclass(frozen=True)
class StateIdentity:
    """Everything a saved KV state depends on."""

    model_size: int
    model_mtime_ns: int
    model_head_sha256: str
    n_ctx: int
    type_k: int
    type_v: int
    flash_attn: int
    template_sha256: str
    engine_version: str
    format_version: int = FORMAT_VERSION

    def digest(self) -> bytes:
        """32 bytes that change when anything here changes."""
        text = json.dumps(asdict(self), sort_keys=True).encode("utf-8")
        return hashlib.sha256(text).digest()


def model_identity(path: Path, n_ctx: int, type_k: int, type_v: int, flash_attn: int,
                   template: str) -> StateIdentity:
    """The identity of a loaded model file and its context."""
    stat = path.stat()
    with open(path, "rb") as src:
        head = hashlib.sha256(src.read(_HEAD_BYTES)).hexdigest()
    return StateIdentity(
        model_size=stat.st_size,
        model_mtime_ns=stat.st_mtime_ns,
        model_head_sha256=head,
        n_ctx=n_ctx,
        type_k=type_k,
        type_v=type_v,
        flash_attn=flash_attn,
        template_sha256=hashlib.sha256(template.encode("utf-8")).hexdigest(),
        engine_version=str(getattr(llama_cpp, "__version__", "")),
    )


def capture(ctx: llama_cpp.llama_context_p, seq_id: int) -> bytes | None:
    """Sequence `seq_id`'s KV cells as llama.cpp serialises them (None: it failed)."""
    size = int(llama_cpp.llama_state_seq_get_size(ctx, seq_id))
    if size <= 0:
        return None
    buffer = bytearray(size)
    view = (ctypes.c_uint8 * size).from_buffer(buffer)
    written = int(llama_cpp.llama_state_seq_get_data(ctx, view, size, seq_id))
    del view
    return bytes(buffer) if written == size else None


def restore(ctx: llama_cpp.llama_context_p, seq_id: int, data: bytes) -> bool:
    """Put `data` back as sequence `seq_id`'s cells; False when llama.cpp refuses it."""
    if not data:
        return False
    pointer = ctypes.cast(ctypes.c_char_p(data), ctypes.POINTER(ctypes.c_uint8))
    read = int(llama_cpp.llama_state_seq_set_data(ctx, pointer, len(data), seq_id))
    return read == len(data)


def _common(a: Sequence[int], b: Sequence[int]) -> int:
    limit = min(len(a), len(b))
    n = 0
    while n < limit and a[n] == b[n]:
        n += 1
    return n


class _DiskWriter:
    """Writes states in a thread so a reply's end never waits for the disk."""

    def __init__(self, folder: Path, identity: bytes, budget_bytes: int) -> None:
        self.folder = folder
        self.identity = identity
        self.budget_bytes = budget_bytes
        self._queue: queue.Queue[tuple[str, SavedState] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="kv-state-writer", daemon=True)
        self._thread.start()

    def path(self, key: str) -> Path:
        return self.folder / state_name(key, self.identity)

    def put(self, key: str, state: SavedState) -> None:
        self._queue.put((key, state))

    def flush(self) -> None:
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                self._write(*item)
            finally:
                self._queue.task_done()

    def _write(self, key: str, state: SavedState) -> None:
        path = self.path(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if state.size > self.budget_bytes:
                path.unlink(missing_ok=True)  # an older, smaller one would mislead nobody,
                return                        # but it would stay stale: drop it
            write_state(path, self.identity, state)
            enforce_budget(self.folder, self.budget_bytes, keep=[path])
        except OSError as exc:
            LOG.warning("conversation state %s not saved (%s)", key, exc)


class ConversationMemory:
    """Keeps and restores sequence 0's state per conversation for one backend.

    Args:
        kv: the backend's KV cache (sequence 0 is the conversation).
        identity: the loaded model's identity.
    """

    def __init__(self, kv: KvCache, identity: StateIdentity) -> None:
        self._kv = kv
        self.identity = identity
        self._digest = identity.digest()
        self._memory: OrderedDict[str, SavedState] = OrderedDict()
        self._disk: _DiskWriter | None = None
        self.owner: str | None = None
        self.restored_from: str | None = None  # "memory", "disk" or None (last request)
        self.restore_s = 0.0  # seconds the last restore took (finding + llama.cpp), bytes
        self.restored_bytes = 0

    # -- setup -------------------------------------------------------------

    def use_folder(self, folder: Path, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        """Also keep states on disk in `folder`, at most `budget_bytes` in all."""
        if self._disk is not None:
            self._disk.close()
        self._disk = _DiskWriter(folder, self._digest, max(0, budget_bytes))

    def flush(self) -> None:
        """Wait until every state handed to the disk is written."""
        if self._disk is not None:
            self._disk.flush()

    def close(self) -> None:
        """Finish the disk writes and drop the states held in memory."""
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        self._memory.clear()

    def forget(self, key: str) -> None:
        """Drop `key`'s state from memory and disk (its conversation was deleted)."""
        self._memory.pop(key, None)
        if self.owner == key:
            self.owner = None
        if self._disk is not None:
            self._disk.flush()
            remove_states(self._disk.folder, [key])

    # -- the two hooks -----------------------------------------------------

    def before(self, key: str | None, prompt: Sequence[int]) -> None:
        """A request of conversation `key` (None: unknown) is about to prefill `prompt`."""
        self.restored_from = None
        self.restore_s, self.restored_bytes = 0.0, 0
        began = time.perf_counter()
        if key is not None and not is_plain_key(key):
            key = None
        if key is None or key == self.owner:
            self.owner = key
            return
        self.owner = key
        saved, where = self._find(key)
        if saved is None:
            return
        kv = self._kv
        if _common(saved.tokens, prompt) <= _common(kv.tokens, prompt):
            return
        if kv.session is not None:
            kv.session.close_all()
        llama_cpp.llama_memory_seq_rm(kv.memory, -1, -1, -1)
        kv.tokens.clear()
        if restore(kv.ctx, 0, saved.data):
            kv.tokens.extend(saved.tokens)
            self.restored_from = where
            self.restore_s = time.perf_counter() - began
            self.restored_bytes = len(saved.data)
            return
        LOG.warning("llama.cpp refused the saved state of %s; evaluating the prompt", key)
        llama_cpp.llama_memory_seq_rm(kv.memory, -1, -1, -1)
        self.forget(key)
        self.owner = key

    def after(self) -> None:
        """The request ended: keep sequence 0's state under its conversation."""
        key, kv = self.owner, self._kv
        if key is None or not kv.tokens or kv.session is not None:
            return
        data = capture(kv.ctx, 0)
        if data is None:
            LOG.warning("llama.cpp gave no state for conversation %s", key)
            return
        state = SavedState(tuple(kv.tokens), data)
        self._memory[key] = state
        self._memory.move_to_end(key)
        while len(self._memory) > MEMORY_SLOTS or (
                len(self._memory) > 1
                and sum(len(s.data) for s in self._memory.values()) > MEMORY_BYTES):
            self._memory.popitem(last=False)
        if self._disk is not None:
            self._disk.put(key, state)

    def _find(self, key: str) -> tuple[SavedState | None, str | None]:
        saved = self._memory.get(key)
        if saved is not None:
            self._memory.move_to_end(key)
            return saved, "memory"
        if self._disk is None:
            return None, None
        self._disk.flush()  # a state still being written is read complete
        saved = read_state(self._disk.path(key), self._digest)
        return (saved, "disk") if saved is not None else (None, None)
