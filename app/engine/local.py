"""The local backend: a GGUF model run in-process by llama.cpp.

Loading checks the file's header first (app.core.gguf_header) so a broken
file gets a specific sentence, then asks llama.cpp for the model with flash
attention on where the build supports it. Generation drives llama-cpp-python's
`Llama.generate` token by token: it keeps the tokens of the last reply in the
KV cache and evaluates only what differs (longest-prefix reuse), and each
step between two tokens is where cancel, "Answer now" and the thinking budget
are checked. "Answer now" closes the think block in the same context: the
tokens of "\\n</think>\\n\\n" are evaluated after what is already there, and
generation continues with the answer.
"""

from __future__ import annotations

import inspect
import logging
import os
import random
import sys
import time
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import jinja2
import llama_cpp

from app.chat.answer import extract_boxed
from app.chat.loops import LoopDetector
from app.chat.profile import ModelProfile, detect_profile, template_override
from app.chat.reasoning import ReasoningSplitter
from app.chat.template import CHATML_TEMPLATE, ChatTemplate
from app.core.errors import BackendError, ModelFileError, ModelLoadError
from app.core.gguf_header import GGUFHeader, check_model_file
from app.core.types import (
    BackendInfo,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    GenerationStats,
    LoadParams,
    Notice,
    NoticeKind,
    SamplingParams,
    StopReason,
    StreamEvent,
)
from app.engine.detok import TokenTextDecoder
from app.engine.llama_log import route_llama_logs
from app.engine.notices import close_message
from app.engine.prompt_builder import PromptBuilder
from app.engine.timing import decode_rate

LOG = logging.getLogger(__name__)

PREFILL_FIRST_CHUNK = 256
"""Prompt tokens evaluated before the first cancel check."""

PREFILL_CHUNK_SECONDS = 1.0
"""Prompt chunks grow (up to n_batch) while one takes less than this."""

LOOP_CHECK_EVERY = 16
"""Feed the loop detector every this many reasoning tokens (not per token)."""


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
        self._count_evals()
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
        self.prompts = PromptBuilder(template, self.profile, self._tokenize, bos_text)
        self._vocab = self._llama._model.vocab
        self._max_chunk = max(PREFILL_FIRST_CHUNK, int(self._llama.n_batch))
        self._n_ctx = int(self._llama.n_ctx())
        self._info = BackendInfo(
            model_name=name,
            backend=_backend_name(params.n_gpu_layers),
            n_ctx=self._n_ctx,
            n_gpu_layers=params.n_gpu_layers,
        )

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
        base: dict[str, Any] = {
            "model_path": str(path),
            "n_ctx": params.n_ctx,
            "n_threads": params.n_threads or _physical_cores(),
            "n_gpu_layers": params.n_gpu_layers,
            "verbose": False,
        }
        attempts = [_flash_attn_kwargs(params.flash_attn)]
        if params.flash_attn:
            attempts.append(_flash_attn_kwargs(False))
        last: Exception | None = None
        for extra in attempts:
            try:
                return llama_cpp.Llama(**base, **extra)
            except jinja2.TemplateError as exc:
                # llama-cpp-python compiles every template in the metadata
                # while loading and gives up on a broken one.
                raise ModelFileError(
                    f'The chat template stored inside "{path.name}" is broken ({exc}), and '
                    "llama.cpp cannot load the file with it. Download a corrected copy "
                    "of the model."
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

    def _count_evals(self) -> None:
        # Wrap Llama.eval on this instance to record how many tokens llama.cpp
        # really decodes: one list append per call, nothing per logit.
        original = self._llama.eval
        batches = self.eval_batches

        def counting_eval(tokens: Sequence[int]) -> None:
            batches.append(len(tokens))
            original(tokens)

        self._llama.eval = counting_eval  # type: ignore[method-assign]

    def _special_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self._llama.detokenize([token], special=True).decode("utf-8", errors="replace")

    def _token_bytes(self, token: int) -> bytes:
        # A dict hit costs ~0.1 us; detokenizing through ctypes ~5 us a token.
        piece = self._pieces.get(token)
        if piece is None:
            piece = self._llama.detokenize([token], special=True)
            self._pieces[token] = piece
        return piece

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

    def count_tokens(self, text: str) -> int:
        """Exact number of tokens in `text` (no BOS)."""
        return len(self._tokenize(text, False))

    @property
    def context_tokens(self) -> list[int]:
        """The tokens now in the KV cache, oldest first."""
        return [int(t) for t in self._llama.input_ids[: self._llama.n_tokens]]

    def close(self) -> None:
        """Free the model and its context."""
        if not self._closed:
            self._closed = True
            self._llama.close()

    def generate(
        self,
        messages: Sequence[ChatMessage],
        options: GenerateOptions,
        control: GenerationControl,
    ) -> Iterator[StreamEvent]:
        """Stream the reply to `messages`; see Backend.generate."""
        if self._closed:
            raise BackendError("The model was unloaded. Load it again to continue.")
        return self._stream(list(messages), options, control)

    # -- generation --------------------------------------------------------

    def _prefill(self, tokens: list[int], control: GenerationControl) -> bool:
        """Evaluate the uncached prompt in chunks so that cancel works during it.

        Llama.generate evaluates a whole prompt in one go (seconds on a CPU);
        here everything but the last token goes in first, chunk by chunk, and
        generate then finds it in the cache. Chunks start small and double
        while one takes less than PREFILL_CHUNK_SECONDS: small chunks cost
        llama.cpp throughput (measured on the busy 2-core machine: 64-token
        chunks ran a 1k prompt at 40% of the speed, 256-token ones at ~85%),
        big ones delay a cancel. Returns False when
        cancelled.
        """
        llama = self._llama
        common = 0
        limit = min(llama.n_tokens, len(tokens) - 1)
        ids = llama.input_ids
        while common < limit and ids[common] == tokens[common]:
            common += 1
        end = len(tokens) - 1
        chunk = PREFILL_FIRST_CHUNK
        if end - common <= chunk:
            return not control.is_cancelled
        llama.n_tokens = common  # eval() drops the KV cache from here on
        start = common
        while start < end:
            if control.is_cancelled:
                return False
            began = time.perf_counter()
            llama.eval(tokens[start : min(end, start + chunk)])
            start += chunk
            if time.perf_counter() - began < PREFILL_CHUNK_SECONDS:
                chunk = min(chunk * 2, self._max_chunk)
        return not control.is_cancelled

    def _start(
        self, tokens: list[int], sampling: SamplingParams, restart: int = 0
    ) -> Generator[int, Any, None]:
        # After "Answer now" the sampler starts again; a shifted seed keeps a
        # fixed-seed reply reproducible without replaying the same draws.
        seed = sampling.seed + restart if sampling.seed is not None else random.randrange(2**31)
        self._llama.set_seed(seed)
        return self._llama.generate(
            tokens,
            top_k=sampling.top_k,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            temp=sampling.temperature,
            repeat_penalty=sampling.repeat_penalty,
            reset=True,
        )

    def _stream(
        self, messages: list[ChatMessage], options: GenerateOptions, control: GenerationControl
    ) -> Iterator[StreamEvent]:
        started = time.perf_counter()
        sampling = options.sampling
        fitted = self.prompts.fit(messages, self._n_ctx, sampling.max_tokens, options.math_mode)
        prompt = fitted.prompt
        if fitted.dropped_messages:
            yield Notice(
                NoticeKind.TRIMMED,
                f"The {fitted.dropped_messages} oldest messages were left out so the "
                f"conversation fits the model's context of {self._n_ctx:,} tokens.",
            )
        profile = self.profile
        splitter = ReasoningSplitter(
            profile.think_open, profile.think_close, prompt.starts_in_reasoning
        )
        loops = LoopDetector() if options.detect_loops else None
        loop_text: list[str] = []
        decoder = TokenTextDecoder(self._token_bytes)
        is_eog = llama_cpp.llama_vocab_is_eog
        vocab = self._vocab
        n_ctx = self._n_ctx
        max_tokens = fitted.max_tokens
        budget = options.thinking_budget

        context = list(prompt.tokens)
        self.eval_batches.clear()
        self.prompt_batch_count = 0
        generator: Generator[int, Any, None] | None = None
        first_token_at: float | None = None
        evaluated = 0
        completion = 0
        reasoning_tokens = 0
        is_closed_by_engine = False
        stop = StopReason.EOS
        try:
            while True:
                if control.is_cancelled:
                    stop = StopReason.CANCELLED
                    break
                if not is_closed_by_engine and splitter.in_reasoning:
                    kind: NoticeKind | None = None
                    if control.is_answer_now_requested:
                        kind = NoticeKind.ANSWER_NOW
                    elif budget is not None and reasoning_tokens >= budget:
                        kind = NoticeKind.BUDGET_REACHED
                    if kind is not None:
                        is_closed_by_engine = True
                        if generator is not None:
                            generator.close()
                            generator = None
                        tail = decoder.flush()
                        deltas = splitter.feed(tail) if tail else []
                        splitter.close_reasoning()
                        deltas += splitter.feed("")
                        for delta in deltas:
                            yield delta
                        context += self._tokenize(f"\n{profile.think_close}\n\n", False)
                        yield Notice(kind, close_message(kind, budget))
                        if len(context) >= n_ctx:
                            stop = StopReason.CONTEXT_FULL
                            break
                if generator is None:
                    if not self._prefill(context, control):
                        stop = StopReason.CANCELLED
                        break
                    generator = self._start(context, sampling, int(is_closed_by_engine))
                token = next(generator)
                if first_token_at is None:
                    first_token_at = time.perf_counter()
                    evaluated = sum(self.eval_batches)
                    self.prompt_batch_count = len(self.eval_batches)
                if is_eog(vocab, token):
                    stop = StopReason.EOS
                    break
                context.append(token)
                completion += 1
                text = decoder.push(token)
                was_reasoning = splitter.in_reasoning
                if text:
                    for delta in splitter.feed(text):
                        yield delta
                if was_reasoning:
                    reasoning_tokens += 1
                    if loops is not None and not loops.has_fired:
                        loop_text.append(text)
                        if len(loop_text) >= LOOP_CHECK_EVERY:
                            if loops.feed("".join(loop_text)):
                                yield Notice(
                                    NoticeKind.REASONING_LOOP,
                                    "The reasoning repeats itself. Press Answer now to "
                                    "get an answer from what it has so far.",
                                )
                            loop_text.clear()
                if completion >= max_tokens:
                    # A reply room shrunk to fit the context ends as "context full".
                    is_shrunk = max_tokens < sampling.max_tokens
                    stop = StopReason.CONTEXT_FULL if is_shrunk else StopReason.MAX_TOKENS
                    break
                if len(context) >= n_ctx:
                    stop = StopReason.CONTEXT_FULL
                    break
        except StopIteration:
            stop = StopReason.EOS
        except (RuntimeError, ValueError, OSError) as exc:
            LOG.exception("generation failed")
            raise BackendError(
                f"The model failed while writing its reply ({exc}). Try again; if it "
                "keeps failing, reload the model with a smaller context."
            ) from exc
        finally:
            if generator is not None:
                generator.close()

        tail = decoder.flush()
        deltas = splitter.feed(tail) if tail else []
        deltas += splitter.flush()
        for delta in deltas:
            yield delta
        ended = time.perf_counter()
        if first_token_at is None:
            first_token_at = ended
        decode_s = ended - first_token_at
        answer = splitter.answer
        stats = GenerationStats(
            prompt_tokens=len(prompt.tokens),
            evaluated_tokens=evaluated,
            completion_tokens=completion,
            reasoning_tokens=reasoning_tokens,
            ttft_s=first_token_at - started,
            decode_tps=decode_rate(completion, decode_s),
            total_s=ended - started,
            stop_reason=stop,
            trimmed_messages=fitted.dropped_messages,
        )
        yield Finished(
            answer=answer, reasoning=splitter.reasoning, stats=stats, boxed=extract_boxed(answer)
        )
