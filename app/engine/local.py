"""The local backend: a GGUF model run in-process by llama.cpp.

Loading checks the file's header first (app.core.gguf_header) so a broken
file gets a specific sentence, then asks llama.cpp for the model with flash
attention on where the build supports it. A reply is a `LocalSource`
(app.engine.local_source) over the engine's own decode loop
(app.engine.decode_loop: prefix reuse in the KV cache, chunked cancellable
prompt evaluation, 1..k sequences stepped in one batch, the think block closed
in place), driven by the one reply loop of app.chat.reply; several sequences
of one prompt come from `open_sources`.
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import jinja2
import llama_cpp

from app.chat.profile import ModelProfile, detect_profile, template_override
from app.chat.reply import run_reply
from app.chat.template import CHATML_TEMPLATE, ChatTemplate
from app.core.errors import BackendError, ContextOverflowError, ModelFileError, ModelLoadError
from app.core.gguf_header import GGUFHeader, check_model_file
from app.core.native_path import native_model_path
from app.core.types import (
    BackendInfo,
    ChatMessage,
    GenerateOptions,
    GenerationControl,
    LoadParams,
    PromptMeasure,
    SamplingParams,
    StreamEvent,
)
from app.engine.decode_loop import MAX_SEQUENCES, DecodeSession, KvCache
from app.engine.kv_state import ConversationMemory, model_identity
from app.engine.llama_context import (
    has_sequence_slots,
    sequence_slots,
    wants_backend_sampling,
    wants_prefetch,
)
from app.engine.llama_log import route_llama_logs
from app.engine.local_source import PREFILL_FIRST_CHUNK, LocalSource
from app.engine.prompt_builder import PromptBuilder
from app.engine.sampler import BackendTopK, SamplerChain, resolve
from app.engine.token_cache import PrefixTokenCache, template_markers

LOG = logging.getLogger(__name__)

def _physical_cores() -> int:
    count = os.cpu_count() or 2
    # Hyper-threads slow llama.cpp's decode down; half the logical CPUs is a
    # good guess for physical cores on x86 without asking psutil.
    return max(1, count // 2) if count > 4 else count


def _flash_attn_kwargs(wanted: bool) -> dict[str, Any]:
    """Llama() arguments for flash attention in this llama-cpp-python version.

    Older versions take `flash_attn: bool`; newer ones an enum
    `flash_attn_type` (-1 auto, 0 off, 1 on).
    """
    params = inspect.signature(llama_cpp.Llama.__init__).parameters
    if "flash_attn_type" in params:
        on = getattr(llama_cpp, "LLAMA_FLASH_ATTN_TYPE_ENABLED", 1)
        off = getattr(llama_cpp, "LLAMA_FLASH_ATTN_TYPE_DISABLED", 0)
        return {"flash_attn_type": on if wanted else off}
    if "flash_attn" in params:
        return {"flash_attn": wanted}
    return {}


# Names in llama.cpp's system info line -> what the status bar shows.
_GPU_BACKENDS = (("CUDA", "CUDA"), ("MTL", "Metal"), ("Metal", "Metal"), ("HIP", "ROCm"),
                 ("ROCm", "ROCm"), ("Vulkan", "Vulkan"), ("SYCL", "SYCL"))


def _backend_name(n_gpu_layers: int) -> str:
    if n_gpu_layers == 0 or not llama_cpp.llama_supports_gpu_offload():
        return "CPU"
    system = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
    for marker, name in _GPU_BACKENDS:
        if marker in system:
            return name
    return "Metal" if sys.platform == "darwin" else "GPU"


class LocalBackend:
    """A GGUF model loaded in this process.

    Args:
        params: file, context length, threads, GPU layers, flash attention,
            chat template override.

    Raises:
        ModelFileError: the file is missing, not a GGUF, or incomplete.
        ModelLoadError: llama.cpp refused a file that looked valid.

    Attributes:
        header: the checked GGUF header.
        profile: the model family's rules (R1, thinking, generic).
        eval_batches: sizes of the token batches llama.cpp evaluated during
            the last `generate`, for tests and benchmarks: first the prompt
            part that was not in the KV cache (`prompt_batch_count` batches),
            then one token per step.
        prompt_batch_count: how many of `eval_batches` were prompt.
    """

    def __init__(self, params: LoadParams) -> None:
        route_llama_logs()
        self.header: GGUFHeader = check_model_file(params.model_path)
        self._params = params
        self._llama = self._load(params)
        self.eval_batches: list[int] = []
        self.prompt_batch_count = 0
        self._pieces: dict[int, bytes] = {}
        try:
            self._setup(params)
        except BaseException:
            self._llama.close()
            raise
        self._closed = False

    def _setup(self, params: LoadParams) -> None:
        name = self.header.name or Path(params.model_path).stem
        bos_text = self._special_text(self._llama.token_bos())
        eos_text = self._special_text(self._llama.token_eos())
        template = self._choose_template(params, name, bos_text, eos_text)
        self.profile: ModelProfile = detect_profile(
            template.source, name, self.header.architecture
        )
        self.vocab = self._llama._model.vocab
        markers = template_markers(template.source, self._tokenize, self._token_attributes)
        self.prompt_tokens = PrefixTokenCache(self._tokenize, markers)
        self.prompts = PromptBuilder(template, self.profile, self.prompt_tokens, bos_text)
        self.max_chunk = max(PREFILL_FIRST_CHUNK, int(self._llama.n_batch))
        self._n_ctx = int(self._llama.n_ctx())
        self.n_vocab = int(llama_cpp.llama_vocab_n_tokens(self.vocab))
        self._kv = KvCache(self._llama.ctx, int(self._llama.n_batch), self.eval_batches)
        self._info = BackendInfo(
            model_name=name,
            backend=_backend_name(params.n_gpu_layers),
            n_ctx=self._n_ctx,
            n_gpu_layers=params.n_gpu_layers,
        )
        self.backend_sampling = wants_backend_sampling(self._info.backend)
        self._cuts: dict[int, BackendTopK] = {}
        cp = self._llama.context_params
        self.memory = ConversationMemory(self._kv, model_identity(
            Path(params.model_path), self._n_ctx, int(cp.type_k), int(cp.type_v),
            int(getattr(cp, "flash_attn_type", getattr(cp, "flash_attn", -1))), template.source))
        """Per-conversation KV states (app.engine.kv_state); `use_folder` adds the disk."""

    def _choose_template(
        self, params: LoadParams, name: str, bos_text: str, eos_text: str
    ) -> ChatTemplate:
        """The override if given, else the file's own (fixed for known mistakes)."""
        own = self.header.chat_template
        source = params.chat_template or template_override(own, name) or own or CHATML_TEMPLATE
        return ChatTemplate(source, bos_token=bos_text, eos_token=eos_text)

    # -- loading -----------------------------------------------------------

    def _load(self, params: LoadParams) -> llama_cpp.Llama:
        path = Path(params.model_path)
        threads = params.n_threads or _physical_cores()
        base: dict[str, Any] = {
            # A path llama.cpp can open on Windows too (non-ASCII folders).
            "model_path": str(native_model_path(path)),
            "n_ctx": params.n_ctx,
            "n_threads": threads,
            # Batches (the prompt, the tutor's k sequences) on the same threads, as
            # llama.cpp's own tools do; llama-cpp-python's default is every logical
            # CPU, hyper-threads included (a k-sequence step ran ~20x slower with
            # 1 thread asked for on a loaded machine).
            "n_threads_batch": threads,
            "n_gpu_layers": params.n_gpu_layers,
            "verbose": False,
        }
        attempts = [_flash_attn_kwargs(params.flash_attn)]
        if params.flash_attn:
            attempts.append(_flash_attn_kwargs(False))
        last: Exception | None = None
        for extra in attempts:
            try:
                with sequence_slots():
                    llama = llama_cpp.Llama(**base, **extra)
                if not has_sequence_slots(llama):
                    llama.close()
                    raise ModelLoadError("This llama-cpp-python cannot run several sequences "
                                         "in one context. Reinstall Ponder to update it.")
                return llama
            except jinja2.TemplateError as exc:
                # llama-cpp-python compiles every template in the metadata
                # while loading and gives up on a broken one.
                raise ModelFileError(
                    f'The chat template stored inside "{path.name}" is broken ({exc}), and '
                    "llama.cpp cannot load the file with it. Download a corrected copy "
                    "of the model."
                ) from exc
            except OSError as exc:
                # A windowed Windows app has no standard streams; llama-cpp-python's
                # log suppression then fails in os.dup (the launcher repairs the
                # streams, this is the last line of defence).
                LOG.exception("loading %s failed with an OS error", path)
                raise ModelLoadError(
                    f'Loading "{path.name}" failed with a system error ({exc}). Restart '
                    "Ponder; if it keeps happening, report it with the log file."
                ) from exc
            except ValueError as exc:
                LOG.warning("llama.cpp refused %s (%s): %s", path, extra, exc)
                last = exc
                if "context" not in str(exc):
                    break  # the model itself failed; no point retrying
        raise self._load_error(path, last) from last

    def _load_error(self, path: Path, exc: Exception | None) -> ModelLoadError:
        gib = self.header.parameter_bytes / 2**30
        arch = self.header.architecture or "unknown"
        if exc is not None and "context" in str(exc):
            return ModelLoadError(
                f'llama.cpp loaded "{path.name}" but could not set up a context of '
                f"{self._params.n_ctx:,} tokens, most likely for lack of memory. "
                "Choose a smaller context size or offload fewer layers to the GPU."
            )
        return ModelLoadError(
            f'llama.cpp could not load "{path.name}" although its header looks fine '
            f"(architecture {arch}, {gib:.1f} GiB of weights). The model may need a "
            "newer llama.cpp, or there is not enough memory. Update Ponder, choose a "
            "smaller quantization, or close other programs and try again."
        )

    def _special_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self._llama.detokenize([token], special=True).decode("utf-8", errors="replace")

    @property
    def llama(self) -> llama_cpp.Llama:
        """The llama-cpp-python model (for the reply's token source)."""
        return self._llama

    def token_bytes(self, token: int) -> bytes:
        """The bytes of one token, special tokens included (cached)."""
        # A dict hit costs ~0.1 us; detokenizing through ctypes ~5 us a token.
        piece = self._pieces.get(token)
        if piece is None:
            piece = self._llama.detokenize([token], special=True)
            self._pieces[token] = piece
        return piece

    def _token_attributes(self, token: int) -> int:
        return int(llama_cpp.llama_vocab_get_attr(self.vocab, token))

    def _tokenize(self, text: str, add_bos: bool) -> list[int]:
        return list(self._llama.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True))

    # -- the Backend interface -------------------------------------------

    @property
    def info(self) -> BackendInfo:
        """Model name, "CPU"/"GPU"/"Metal", context length, GPU layers."""
        return self._info

    def tokenize(self, text: str, add_bos: bool = False) -> list[int]:
        """Token ids of `text`, special tokens parsed (for tests and benchmarks)."""
        return self._tokenize(text, add_bos)

    def measure_prompt(
        self, messages: Sequence[ChatMessage], options: GenerateOptions
    ) -> PromptMeasure:
        """Exact prompt tokens after fitting to the context (see Backend)."""
        try:
            fitted = self.prompts.fit(list(messages), self._n_ctx, options.sampling.max_tokens,
                                      options.math_mode)
        except ContextOverflowError:
            newest = messages[-1].content if messages else ""
            return PromptMeasure(self._n_ctx + self.count_tokens(newest), self._n_ctx,
                                 len(messages))
        return PromptMeasure(len(fitted.prompt.tokens), self._n_ctx, fitted.dropped_messages)

    def count_tokens(self, text: str) -> int:
        """Exact number of tokens in `text` (no BOS)."""
        return len(self._tokenize(text, False))

    @property
    def context_tokens(self) -> list[int]:
        """The tokens now in the KV cache, oldest first."""
        return list(self._kv.tokens)

    def close(self) -> None:
        """Free the model and its context."""
        if not self._closed:
            self._closed = True
            self._drop_cuts()
            self.memory.close()
            self._kv.close()
            self._llama.close()

    def generate(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> Iterator[StreamEvent]:
        """Stream the reply through the shared reply loop; see Backend.generate."""
        return run_reply(self.open_source(messages, options, control), options, control)

    def open_source(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> LocalSource:
        """Build and fit the prompt; the raw token stream of its reply."""
        return self.open_sources(messages, options, control, 1)[0]

    def open_sources(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
        k: int,
    ) -> list[LocalSource]:
        """k replies to one prompt, stepped together in one batch per round.

        The prompt is evaluated once and shared by the k sequences; sequence i
        samples with seed + i. Read the sources in turn (app.engine.parallel
        drives each through its own ReplyPolicy); the first source's reply
        stays in the KV cache for the next turn's prefix reuse. Opening a new
        request ends the sequences of the previous one.
        """
        started = time.perf_counter()
        if self._closed:
            raise BackendError("The model was unloaded. Load it again to continue.")
        if not 1 <= k <= MAX_SEQUENCES:
            raise ValueError(f"k must be between 1 and {MAX_SEQUENCES}, not {k}")
        sampling = options.sampling
        fitted = self.prompts.fit(list(messages), self._n_ctx, sampling.max_tokens,
                                  options.math_mode)
        self.eval_batches.clear()
        self.prompt_batch_count = 0
        chains = [SamplerChain(resolve(sampling, i), self.n_vocab) for i in range(k)]
        on_backend = self._backend_cut(k, sampling)
        first_chunk = self._kv.capacity if self._info.backend != "CPU" else PREFILL_FIRST_CHUNK
        self.memory.before(options.conversation, fitted.prompt.tokens)
        session = DecodeSession(self._kv, fitted.prompt.tokens, chains, control, on_backend,
                                first_chunk, prefetch=self._prefetch(), is_end=self._is_end)
        return [LocalSource(self, session, i, fitted, sampling.max_tokens, started, control)
                for i in range(k)]

    def _is_end(self, token: int) -> bool:
        return bool(llama_cpp.llama_vocab_is_eog(self.vocab, token))

    def _prefetch(self) -> bool:
        """Whether decodes run ahead of the reader (docs/gpu.md: GPU backends only)."""
        return wants_prefetch(self._info.backend)

    def _backend_cut(self, k: int, sampling: SamplingParams) -> bool:
        """Whether the top-k cut of each of the k sequences runs in the compute graph.

        Not with a repeat penalty (it must change the logits before the cut)
        or without top-k. Every sequence of a batch gets its cut: a batch
        that mixed sequences with and without one failed the distribution
        check on the H200, while one sequence and k sequences that all have
        one pass it (docs/gpu.md, bench/sampler.py). Cuts stay attached
        between replies (slots a later request does not use get no rows). A
        refusal turns backend sampling off for this model, with a log line.
        """
        if (not self.backend_sampling or sampling.top_k <= 0
                or sampling.repeat_penalty != 1.0):
            self._drop_cuts()  # a cut left attached would run before the penalty
            return False
        for seq_id in range(k):
            cut = self._cuts.get(seq_id)
            if cut is not None and cut.k == sampling.top_k:
                continue
            if cut is not None:
                cut.close()
            cut = BackendTopK(self._llama.ctx, seq_id, sampling.top_k)
            self._cuts[seq_id] = cut
            if not cut.attached:
                LOG.warning("llama.cpp refused backend sampling for this model; "
                            "sampling on the CPU instead")
                self.backend_sampling = False
                self._drop_cuts()
                return False
        return True

    def _drop_cuts(self) -> None:
        for cut in self._cuts.values():
            cut.close()
        self._cuts.clear()
