"""`ponder chat`: ask a model one question in the terminal.

Streams the reasoning (dimmed when stdout is a terminal) and the answer, then
prints the numbers of the reply. `--json` prints one machine-readable summary
instead. `--remote URL --model NAME` asks an OpenAI-compatible server. Errors
print one line to stderr and exit 1; Ctrl+C stops the reply and prints what
was written so far (exit 130).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from app.core import paths
from app.core.errors import PonderError
from app.core.terminal import ctrl_c_cancels, quiet_llama_logs
from app.core.types import (
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    Notice,
    Role,
    SamplingParams,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.services.host import ModelHost
from app.services.loading import LoadedModel, ModelLoader, ModelSource
from app.services.replies import ReplyService
from app.services.sampling import resolve_options
from app.services.states import forget_deleted
from app.store import ChatStore
from app.store.settings import Settings, load_settings, with_values

DIM = "\x1b[2m"
RESET = "\x1b[0m"
EXIT_CANCELLED = 130


def add_parser(subparsers: Any) -> None:
    """Register `ponder chat` and its options."""
    parser = subparsers.add_parser(
        "chat",
        help="ask a model one question in the terminal",
        description="Ask a local GGUF model (or a server) one question and stream the reply.",
    )
    parser.add_argument("question", help="what to ask")
    parser.add_argument("--model", required=True, metavar="FILE.gguf|NAME",
                        help="the GGUF file, or with --remote the server's model name")
    parser.add_argument("--remote", metavar="URL",
                        help="an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1")
    parser.add_argument("--api-key", default=None, help="API key for --remote")
    parser.add_argument("--math", action="store_true",
                        help="ask for step-by-step reasoning and a \\boxed{} answer")
    parser.add_argument("--temperature", type=float, default=None,
                        help="sampling temperature (default: the model family's)")
    parser.add_argument("--max-tokens", type=int, default=None,
                        help="reply length limit (default: the settings')")
    parser.add_argument("--ctx", type=int, default=None,
                        help="context length in tokens (default: the settings', else the plan's)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads")
    parser.add_argument("--gpu-layers", type=int, default=None,
                        help="layers to offload to the GPU (-1: all; default: the settings', "
                        "else the plan's)")
    parser.add_argument("--thinking-budget", type=int, default=None,
                        help="reasoning tokens after which the model must answer")
    parser.add_argument("--seed", type=int, default=None, help="sampling seed")
    parser.add_argument("--template", type=Path, default=None, metavar="FILE.jinja",
                        help="a chat template to use instead of the model's own")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds to wait for a --remote server")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON summary (answer, reasoning, boxed, stats)")
    parser.add_argument("--conversation", type=int, default=None, metavar="ID",
                        help="continue the stored conversation ID (the question and the "
                        "reply are saved in it; the model's saved state of it is reused)")
    parser.add_argument("--verbose", action="store_true", help="show llama.cpp's log on stderr")


def _source(args: argparse.Namespace) -> ModelSource:
    template = None
    if args.template is not None:
        try:
            template = args.template.read_text(encoding="utf-8")
        except OSError as exc:
            raise PonderError(
                f"The chat template {args.template} cannot be read ({exc.strerror}). "
                "Check the path."
            ) from None
    if args.remote:
        return ModelSource(remote_url=args.remote, remote_model=args.model,
                           api_key=args.api_key, timeout_s=args.timeout)
    return ModelSource(path=Path(args.model), chat_template=template)



def _options(args: argparse.Namespace, backend: Any, settings: Settings) -> GenerateOptions:
    profile = getattr(backend, "profile", None)
    base = profile.default_sampling if profile is not None else SamplingParams()
    request: dict[str, Any] = {"max_tokens": args.max_tokens, "seed": args.seed,
                               "temperature": args.temperature,
                               "thinking_budget": args.thinking_budget}
    if args.math:
        request["math_mode"] = True
    return resolve_options(base, settings, request=request)


class _Printer:
    """Writes the stream to the terminal, dimming reasoning on a tty."""

    def __init__(self, out: TextIO, is_json: bool) -> None:
        self.out = out
        self.is_json = is_json
        self.use_ansi = out.isatty() and not is_json
        self.channel: Channel | None = None

    def delta(self, delta: TextDelta) -> None:
        if self.is_json:
            return
        if delta.channel is not self.channel:
            if self.channel is Channel.REASONING:
                self.out.write(RESET if self.use_ansi else "")
                self.out.write("\n\n")
            if delta.channel is Channel.REASONING and self.use_ansi:
                self.out.write(DIM)
            self.channel = delta.channel
        self.out.write(delta.text)
        self.out.flush()

    def notice(self, notice: Notice) -> None:
        print(f"[{notice.kind.value}] {notice.message}", file=sys.stderr, flush=True)

    def finish(self, fin: Finished) -> None:
        if self.is_json:
            return
        s = fin.stats
        if self.use_ansi and self.channel is Channel.REASONING:
            self.out.write(RESET)
        line = (
            f"{s.completion_tokens} tokens ({s.reasoning_tokens} reasoning), "
            f"{s.decode_tps:.1f} tok/s, first token after {s.ttft_s:.2f} s, "
            f"prompt {s.prompt_tokens} tokens ({s.evaluated_tokens} evaluated), "
            f"stop: {s.stop_reason.value}"
        )
        if fin.boxed is not None:
            line = f"answer: {fin.boxed} | " + line
        dim, reset = (DIM, RESET) if self.use_ansi else ("", "")
        self.out.write(f"\n\n{dim}-- {line}{reset}\n")
        self.out.flush()


def _summary(fin: Finished, notices: list[Notice], backend: Any) -> dict[str, Any]:
    stats = dataclasses.asdict(fin.stats)
    stats["stop_reason"] = fin.stats.stop_reason.value
    info = backend.info
    return {
        "model": info.model_name,
        "backend": info.backend,
        "answer": fin.answer,
        "reasoning": fin.reasoning,
        "boxed": fin.boxed,
        "stats": stats,
        "notices": [{"kind": n.kind.value, "message": n.message} for n in notices],
    }


def _tell_fallback(reason: str) -> None:
    print(f"ponder: {reason}", file=sys.stderr, flush=True)


def _continue(args: argparse.Namespace, loaded: LoadedModel, options: GenerateOptions,
              control: GenerationControl, on_event: Callable[[StreamEvent], None]) -> None:
    """The next turn of stored conversation `args.conversation`, saved in the chats database."""
    store = ChatStore(paths.db_path())
    try:
        store.get_conversation(args.conversation)
        forget_deleted(store)
        host = ModelHost()
        host.adopt(loaded)
        ReplyService(host, store).reply_in_conversation(
            args.conversation, args.question, options, control, on_event)
    finally:
        store.close()


def run(args: argparse.Namespace) -> int:
    """Run `ponder chat`; returns the exit code."""
    quiet_llama_logs(args.verbose)
    control = GenerationControl()
    with ctrl_c_cancels(control):
        return _answer(args, control)


def _answer(args: argparse.Namespace, control: GenerationControl) -> int:
    backend: Any = None
    try:
        settings = with_values(load_settings(), n_ctx=args.ctx, n_threads=args.threads,
                               n_gpu_layers=args.gpu_layers)
        loaded = ModelLoader().load(_source(args), settings, _tell_fallback)
        backend = loaded.backend
        options = _options(args, backend, settings)
        printer = _Printer(sys.stdout, args.json)
        notices: list[Notice] = []
        finished: Finished | None = None

        def on_event(event: StreamEvent) -> None:
            nonlocal finished
            if isinstance(event, TextDelta):
                printer.delta(event)
            elif isinstance(event, Notice):
                notices.append(event)
                printer.notice(event)
            else:
                finished = event

        if args.conversation is None:
            for event in backend.generate([ChatMessage(Role.USER, args.question)], options,
                                          control):
                on_event(event)
        else:
            _continue(args, loaded, options, control, on_event)
        if finished is None:
            raise PonderError("The model ended without a reply. Try again.")
        printer.finish(finished)
        if args.json:
            json.dump(_summary(finished, notices, backend), sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        return EXIT_CANCELLED if finished.stats.stop_reason is StopReason.CANCELLED else 0
    except PonderError as exc:
        print(f"ponder: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ponder: stopped.", file=sys.stderr)
        return EXIT_CANCELLED
    except Exception as exc:  # a bug: still one line for the user, details in the log
        logging.getLogger(__name__).debug("ponder chat failed", exc_info=True)
        print(f"ponder: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        if backend is not None:
            backend.close()
