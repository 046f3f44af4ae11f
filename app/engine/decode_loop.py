"""The engine's own decode loop: llama_decode over one reused batch, 1..k sequences.

`KvCache` is the context's KV cache as the engine sees it: the tokens of
sequence 0 (the conversation, kept between replies for prefix reuse) and one
`llama_batch` reused for every decode. `DecodeSession` runs one request:

1. the part of the prompt that is not cached yet is evaluated once, in
   growing chunks so a cancel lands between chunks; its tokens belong to
   every sequence of the request at once (a KV cell can carry several
   sequence ids), after the cached prefix was shared with `seq_cp`;
2. each step puts the pending tokens of every live sequence that needs one
   into one batch (one logits row per sequence), decodes, and samples each
   sequence's next token with its own sampler chain.

A sequence's sampled token waits ("ready") until its reader takes it, so a
driver that reads the sequences in turn gets one batch per round. Closing
the think block in place ("Answer now", the budget) queues the closing
tokens after the last taken token; a ready token that was never read is
dropped first.

Where llama_decode runs asynchronously (a GPU backend: it queues the graph
and returns; reading the logits waits for it), the session decodes ahead:
as soon as a round's tokens are sampled, the next batch (those tokens, one
row per sequence) is launched, before the readers turn the tokens into text
and run their reply policies, so all of that Python work overlaps the GPU's
work on the next tokens. A token decoded ahead that is never shown (the
sequence ended, or its think block is closed in place) is taken back out of
the cache, which then holds what it would have without decoding ahead. Not
for the first token after the prompt (its one-token graph may be rebuilt,
which would count in the time to the first token). On the CPU llama_decode
computes before it returns, so decoding ahead only delays the end: off there.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import llama_cpp

from app.core.types import GenerationControl
from app.engine.sampler import SamplerChain

MAX_SEQUENCES = 8
"""Sequences one context can hold (the tutor's parallel samples use a few)."""

PREFILL_FIRST_CHUNK = 256
"""Prompt tokens evaluated before the first cancel check."""

PREFILL_CHUNK_SECONDS = 1.0
"""Prompt chunks grow (up to n_batch) while one takes less than this."""


class KvFullError(RuntimeError):
    """llama_decode found no room in the KV cache for the batch."""


class DecodeError(RuntimeError):
    """llama_decode failed (its return code is in the message)."""


class KvCache:
    """Sequence 0's tokens in the KV cache plus the one reused batch.

    Args:
        ctx: the llama.cpp context (made with MAX_SEQUENCES and a unified KV cache).
        capacity: the most tokens one decode takes (n_batch).
        eval_batches: list that records the size of every decode (kept by reference).
    """

    def __init__(self, ctx: llama_cpp.llama_context_p, capacity: int,
                 eval_batches: list[int]) -> None:
        self.ctx = ctx
        self.memory = llama_cpp.llama_get_memory(ctx)
        self.capacity = capacity
        self.tokens: list[int] = []
        self.eval_batches = eval_batches
        self.session: DecodeSession | None = None
        self._batch: llama_cpp.llama_batch | None = llama_cpp.llama_batch_init(
            capacity, 0, MAX_SEQUENCES)
        self._used = 0  # sequences above 0 that may hold cells

    # -- sequences ---------------------------------------------------------

    def start(self, prompt: Sequence[int], k: int) -> int:
        """Drop what does not match `prompt` and share the rest with sequences 1..k-1.

        Returns how many prompt tokens are cached (at most len(prompt) - 1, so
        the last one is evaluated again and gives the first logits).
        """
        for seq in range(1, self._used + 1):
            llama_cpp.llama_memory_seq_rm(self.memory, seq, -1, -1)
        cached = self.tokens
        limit = min(len(cached), len(prompt) - 1)
        common = 0
        while common < limit and cached[common] == prompt[common]:
            common += 1
        if common < len(cached):
            if not llama_cpp.llama_memory_seq_rm(self.memory, 0, common, -1):
                llama_cpp.llama_memory_seq_rm(self.memory, 0, -1, -1)
                common = 0
            del cached[common:]
        for seq in range(1, k):
            llama_cpp.llama_memory_seq_cp(self.memory, 0, seq, -1, -1)
        self._used = k - 1
        return common

    def drop(self, seq: int) -> None:
        """Free the cells only sequence `seq` (> 0) holds."""
        llama_cpp.llama_memory_seq_rm(self.memory, seq, -1, -1)

    # -- decoding ----------------------------------------------------------

    def decode(self, rows: Sequence[tuple[int, int, Sequence[int], bool]]) -> None:
        """Decode rows of (token, position, sequence ids, wants logits) in one batch.

        Raises:
            KvFullError: no room left in the KV cache.
            DecodeError: llama.cpp failed.
        """
        batch: Any = self._batch  # its pointer fields are typed loosely in the bindings
        assert batch is not None, "decode after close"
        seq_rows = batch.seq_id
        for i, (token, pos, seqs, logits) in enumerate(rows):
            batch.token[i] = token
            batch.pos[i] = pos
            batch.n_seq_id[i] = len(seqs)
            ids = seq_rows[i]
            for j, seq in enumerate(seqs):
                ids[j] = seq
            batch.logits[i] = logits
        self._run(len(rows))

    def decode_span(self, tokens: Sequence[int], start: int, seqs: Sequence[int],
                    last_logits: bool) -> None:
        """Decode consecutive tokens from position `start`, all in `seqs`."""
        batch = self._batch
        assert batch is not None, "decode after close"
        n = len(tokens)
        ctypes.memmove(batch.token, (ctypes.c_int32 * n)(*tokens), 4 * n)
        ctypes.memmove(batch.pos, (ctypes.c_int32 * n)(*range(start, start + n)), 4 * n)
        ctypes.memmove(batch.n_seq_id, (ctypes.c_int32 * n)(*([len(seqs)] * n)), 4 * n)
        ctypes.memset(batch.logits, 0, n)
        batch.logits[n - 1] = last_logits
        seq_rows: Any = batch.seq_id
        for i in range(n):
            ids = seq_rows[i]
            for j, seq in enumerate(seqs):
                ids[j] = seq
        self._run(n)

    def _run(self, n: int) -> None:
        batch = self._batch
        assert batch is not None
        batch.n_tokens = n
        self.eval_batches.append(n)
        code = int(llama_cpp.llama_decode(self.ctx, batch))
        if code == 1:
            raise KvFullError("no room left in the context")
        if code != 0:
            raise DecodeError(f"llama_decode returned {code}")

    def close(self) -> None:
        """Free the batch (the context belongs to the model)."""
        if self.session is not None:
            self.session.close_all()
        if self._batch is not None:
            llama_cpp.llama_batch_free(self._batch)
            self._batch = None


@dataclass
class SeqState:
    """One sequence of a session.

    Attributes:
        seq_id: its id in the KV cache (0 is the kept conversation).
        chain: its sampler chain.
        n_past: tokens of this sequence in the KV cache.
        pending: taken tokens (and closing tags) not evaluated yet.
        ready: a sampled token nobody has taken yet.
        ahead: the ready token was decoded ahead (it is in the cache already).
        queued: the token after an ahead one, sampled before the reader took that.
        done: finished; no more steps.
    """

    seq_id: int
    chain: SamplerChain
    n_past: int = 0
    pending: list[int] = field(default_factory=list)
    ready: int | None = None
    ahead: bool = False  # `ready` is already in the KV cache (decoded ahead)
    queued: int | None = None  # sampled after an ahead token its reader has not taken
    done: bool = False

    @property
    def length(self) -> int:
        """Tokens the sequence's context holds once its pending ones are in."""
        return self.n_past + len(self.pending)


class DecodeSession:
    """One request's k sequences over a KvCache.

    Args:
        kv: the cache (this session becomes its only session).
        prompt: the prompt tokens, shared by every sequence.
        chains: one sampler chain per sequence (k = len(chains)).
        control: checked between prompt chunks.
        on_backend: part of the sampling runs inside the compute graph.
        first_chunk: prompt tokens in the first chunk (more where decoding is fast).
        prefetch: decode each round's tokens ahead (llama_decode is asynchronous here).
        is_end: whether a token ends its sequence (never decoded ahead).
    """

    def __init__(self, kv: KvCache, prompt: Sequence[int], chains: Sequence[SamplerChain],
                 control: GenerationControl, on_backend: bool = False,
                 first_chunk: int = PREFILL_FIRST_CHUNK, prefetch: bool = False,
                 is_end: Callable[[int], bool] | None = None) -> None:
        self._kv = kv
        self._prefetch = prefetch
        self._is_end = is_end or (lambda _token: False)
        # decoded, not sampled yet: (sequence, logits row, its first new position)
        self._launched: list[tuple[SeqState, int, int]] | None = None
        self._error: DecodeError | None = None  # a failed decode ahead, raised at the next step
        self._prompt = list(prompt)
        self._control = control
        self._on_backend = on_backend
        self._first_chunk = first_chunk
        self.seqs = [SeqState(i, chain) for i, chain in enumerate(chains)]
        self.evaluated = 0
        self.prompt_batches = 0
        self.is_full = False
        self._prefilled: bool | None = None
        if kv.session is not None:
            kv.session.close_all()
        kv.session = self

    def prefill(self) -> bool:
        """Evaluate the uncached prompt once (first call only); False when cancelled."""
        if self._prefilled is None:
            self._prefilled = self._prefill()
        return self._prefilled

    def _prefill(self) -> bool:
        kv, prompt, control = self._kv, self._prompt, self._control
        k = len(self.seqs)
        common = kv.start(prompt, k)
        everyone = list(range(k))
        # Backend samplers read one output per sequence: give each its own
        # row for the last prompt token instead of one shared row.
        split_last = self._on_backend and k > 1
        end = len(prompt) - 1 if split_last else len(prompt)
        batches_before = len(kv.eval_batches)
        start = common
        chunk = self._first_chunk
        while start < end:
            if control.is_cancelled:
                return False
            size = min(chunk, end - start, kv.capacity)
            began = time.perf_counter()
            kv.decode_span(prompt[start:start + size], start, everyone, start + size == end)
            kv.tokens.extend(prompt[start:start + size])
            start += size
            if time.perf_counter() - began < PREFILL_CHUNK_SECONDS:
                chunk = min(chunk * 2, kv.capacity)
        if split_last:
            last = len(prompt) - 1
            kv.decode([(prompt[last], last, (i,), True) for i in range(k)])
            kv.tokens.append(prompt[last])
            rows = list(range(k))
        else:
            rows = [-1] * k  # the last output of the last chunk
        self.evaluated = len(prompt) - common
        self.prompt_batches = len(kv.eval_batches) - batches_before
        for seq, row in zip(self.seqs, rows, strict=True):
            seq.n_past = len(prompt)
            seq.ready = seq.chain.sample(kv.ctx, row)
        return not control.is_cancelled

    def step(self) -> None:
        """Evaluate every live sequence's pending tokens in one batch and sample each."""
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self._launched is not None:
            self._collect()
        if any(not seq.done and seq.ready is None and seq.pending for seq in self.seqs):
            self._launch()
            self._collect()

    def _launch(self) -> None:
        """Decode the pending tokens of every sequence that needs a step (no sampling)."""
        kv = self._kv
        rows: list[tuple[int, int, Sequence[int], bool]] = []
        stepped: list[tuple[SeqState, int, int]] = []
        for seq in self.seqs:
            if seq.done or seq.ready is not None or not seq.pending:
                continue
            ids = (seq.seq_id,)
            last = len(seq.pending) - 1
            for j, token in enumerate(seq.pending):
                rows.append((token, seq.n_past + j, ids, j == last))
            # its logits row in the batch, and where its new tokens start
            stepped.append((seq, len(rows) - 1, seq.n_past))
        if not rows:
            return
        try:
            kv.decode(rows)
        except KvFullError:
            self.is_full = True
            raise
        for seq, _row, _start in stepped:
            if seq.seq_id == 0:
                kv.tokens.extend(seq.pending)
            seq.n_past += len(seq.pending)
            seq.pending.clear()
        self._launched = stepped

    def _collect(self) -> None:
        """Sample every sequence of the launched batch (waits for its logits)."""
        launched, self._launched = self._launched or [], None
        for seq, row, _start in launched:
            # A sequence that ended, or queued tokens (a closing tag) after the
            # launch, has no use for these logits.
            if seq.done or seq.pending:
                continue
            token = seq.chain.sample(self._kv.ctx, row)
            if seq.ready is None:
                seq.ready = token
            else:  # its reader has not taken the token decoded ahead yet
                seq.queued = token
        if self._prefetch and launched:
            self._launch_ahead()

    def _launch_ahead(self) -> None:
        """Decode the sampled, not yet taken tokens now (one row per sequence)."""
        ahead = [seq for seq in self.seqs if not seq.done]
        if not ahead or any(seq.ready is None or seq.ahead or seq.queued is not None
                            or seq.pending or self._is_end(seq.ready) for seq in ahead):
            return  # only whole rounds: a sequence left out would need a batch of its own
        rows: list[tuple[int, int, Sequence[int], bool]] = []
        for seq in ahead:
            assert seq.ready is not None
            rows.append((seq.ready, seq.n_past, (seq.seq_id,), True))
        try:
            self._kv.decode(rows)
        except KvFullError:
            self.is_full = True  # the readers stop at their next step
            return
        except DecodeError as exc:
            self._error = exc
            return
        stepped: list[tuple[SeqState, int, int]] = []
        for row, (seq, (token, _pos, _ids, _out)) in enumerate(zip(ahead, rows, strict=True)):
            stepped.append((seq, row, seq.n_past))
            if seq.seq_id == 0:
                self._kv.tokens.append(token)
            seq.n_past += 1
            seq.ahead = True
        self._launched = stepped

    def _take_back(self, seq: SeqState) -> None:
        """Undo a launched decode of `seq` whose logits nobody will use.

        The cache then holds what it would have without decoding ahead: the
        prompt and the tokens that were sampled from, not a token never
        shown or the last one shown.
        """
        if self._launched is None:
            return
        for entry in self._launched:
            if entry[0] is seq:
                self._launched.remove(entry)
                self._roll_back(seq, entry[2])
                break
        if not self._launched:
            self._launched = None

    def _drop_ahead(self, seq: SeqState) -> None:
        """Take the token decoded ahead and never shown out of the cache."""
        if not seq.ahead:
            return
        seq.ahead = False
        if self._launched is not None and any(e[0] is seq for e in self._launched):
            self._take_back(seq)  # still in flight: its entry starts at that token
        else:
            self._roll_back(seq, seq.n_past - 1)

    def _roll_back(self, seq: SeqState, start: int) -> None:
        llama_cpp.llama_memory_seq_rm(self._kv.memory, seq.seq_id, start, -1)
        if seq.seq_id == 0:
            del self._kv.tokens[start:]
        seq.n_past = start

    def take(self, index: int) -> int | None:
        """The next token of sequence `index` (stepping if needed), None when done."""
        seq = self.seqs[index]
        if seq.done:
            return None
        if seq.ready is None and seq.queued is not None:
            seq.ready, seq.queued = seq.queued, None
        if seq.ready is None:
            self.step()
        token = seq.ready
        seq.ready = None
        if seq.ahead:
            seq.ahead = False  # decoded already
        elif token is not None:
            seq.pending.append(token)
        return token

    def unread(self, index: int) -> None:
        """Forget the last taken token of `index` (it ended the sequence, e.g. EOS)."""
        seq = self.seqs[index]
        if seq.pending:
            seq.pending.pop()

    def close_reasoning(self, index: int, close_tokens: Sequence[int]) -> None:
        """Queue the closing tag after the last taken token of sequence `index`."""
        seq = self.seqs[index]
        self._drop_ahead(seq)  # sampled in the think block, decoded ahead, never shown
        seq.ready = seq.queued = None  # sampled in the think block but never shown
        seq.pending.extend(close_tokens)

    def finish(self, index: int) -> None:
        """End sequence `index`: free its chain and, for seq > 0, its own cells."""
        seq = self.seqs[index]
        if seq.done:
            return
        seq.done = True
        self._drop_ahead(seq)
        seq.ready = seq.queued = None
        self._take_back(seq)
        seq.chain.close()
        if seq.seq_id != 0:
            self._kv.drop(seq.seq_id)
        if all(s.done for s in self.seqs) and self._kv.session is self:
            # Let a batch decoded ahead finish before anyone reads or saves the cache.
            llama_cpp.llama_synchronize(self._kv.ctx)
            self._kv.session = None

    def close_all(self) -> None:
        """End every sequence (a new request replaces this one)."""
        for index in range(len(self.seqs)):
            self.finish(index)
