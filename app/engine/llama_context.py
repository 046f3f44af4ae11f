"""The llama.cpp context the engine decodes in, and where its sampler runs.

llama-cpp-python's `Llama` makes a context for one sequence. The engine's
decode loop (app.engine.decode_loop) runs up to MAX_SEQUENCES sequences in one
context, with one KV cache shared by all of them (`kv_unified`): the
sequences of one request share their prompt's cells, and a single reply can
still use the whole context. `Llama` has no argument for either, and it takes
its context parameters from `llama_context_default_params()`; while our
`Llama(...)` runs, that function answers with both set (under a lock), so the
context is made once, the way the engine needs it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import llama_cpp

from app.engine.decode_loop import MAX_SEQUENCES

LOG = logging.getLogger(__name__)

BACKEND_SAMPLING_ENV = "PONDER_BACKEND_SAMPLING"
"""Set to 0 to keep the sampler chain on the CPU even when the model is on a GPU."""


_DEFAULTS_LOCK = threading.Lock()


@contextmanager
def sequence_slots() -> Iterator[None]:
    """Within this block, new `Llama` contexts get MAX_SEQUENCES slots and a unified KV cache."""
    original = llama_cpp.llama_cpp.llama_context_default_params

    def with_slots() -> llama_cpp.llama_context_params:
        params: llama_cpp.llama_context_params = original()
        params.n_seq_max = MAX_SEQUENCES
        params.kv_unified = True
        return params

    with _DEFAULTS_LOCK:
        llama_cpp.llama_cpp.llama_context_default_params = with_slots
        try:
            yield
        finally:
            llama_cpp.llama_cpp.llama_context_default_params = original


def has_sequence_slots(llama: llama_cpp.Llama) -> bool:
    """Whether `llama`'s context was made with MAX_SEQUENCES slots."""
    return int(llama_cpp.llama_n_seq_max(llama.ctx)) >= MAX_SEQUENCES


PREFETCH_ENV = "PONDER_PREFETCH"
"""0: never launch the next decode before the current token is shown; 1: always
(also on the CPU, where it gains nothing: for tests of the prefetching path)."""


def wants_prefetch(backend_name: str) -> bool:
    """Whether decodes are launched early: by default only where llama_decode is
    asynchronous (a GPU backend)."""
    forced = os.environ.get(PREFETCH_ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return backend_name != "CPU"


def wants_backend_sampling(backend_name: str) -> bool:
    """Whether to try llama.cpp's backend (GPU) sampling for a model on `backend_name`."""
    if backend_name == "CPU":
        return False
    if os.environ.get(BACKEND_SAMPLING_ENV, "").strip() == "0":
        LOG.info("backend sampling switched off by %s=0", BACKEND_SAMPLING_ENV)
        return False
    return True
