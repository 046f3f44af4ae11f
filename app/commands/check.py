"""`ponder check`: ask a question once, then check the answer by voting; print JSON.

    ponder check --model FILE.gguf --samples N [--max-tokens M] "question"

The model answers once (the original, sample 0), then N - 1 more answers are
drawn as one batch of parallel sequences (app.services.tutor) and their boxed
results are grouped by mathematical equivalence (app.tutor.equivalence). The
vote is printed as one JSON object on stdout: the summary, the groups, every
sample's answer, tokens and the seconds taken. Progress goes to stderr.
Errors print one line to stderr and exit 1; Ctrl+C stops the check and
prints what was voted so far (exit 130).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from app.core.errors import PonderError
from app.core.terminal import ctrl_c_cancels, quiet_llama_logs
from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    Role,
    SamplingParams,
)
from app.services.host import ModelHost
from app.services.loading import LoadedModel, ModelLoader, ModelSource
from app.services.sampling import resolve_options
from app.services.tutor import plan_check, run_check
from app.store.settings import Settings, load_settings, with_values
from app.tutor.vote import CheckPlan, SampleDone, VoteFinished, VoteResult

EXIT_CANCELLED = 130


def add_parser(subparsers: Any) -> None:
    """Register `ponder check` and its options."""
    parser = subparsers.add_parser(
        "check",
        help="check a math answer by voting over several samples (prints JSON)",
        description="Ask a model one question, draw more answers in one batch and vote "
        "on their \\boxed{} results; prints the vote as JSON.",
    )
    parser.add_argument("question", help="what to ask")
    parser.add_argument("--model", required=True, metavar="FILE.gguf|NAME",
                        help="the GGUF file, or with --remote the server's model name")
    parser.add_argument("--samples", type=int, default=None, metavar="N",
                        help="answers compared in all, the first included (default: the "
                        "settings', else what this machine batches well)")
    parser.add_argument("--max-tokens", type=int, default=None,
                        help="token budget of each answer (default: 4096, shortened to fit "
                        "the context)")
    parser.add_argument("--remote", metavar="URL",
                        help="an OpenAI-compatible server (one request per sample)")
    parser.add_argument("--api-key", default=None, help="API key for --remote")
    parser.add_argument("--ctx", type=int, default=None, help="context length in tokens")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads")
    parser.add_argument("--gpu-layers", type=int, default=None,
                        help="layers to offload to the GPU (-1: all)")
    parser.add_argument("--temperature", type=float, default=None,
                        help="sampling temperature (default: the model family's)")
    parser.add_argument("--seed", type=int, default=None, help="sampling seed")
    parser.add_argument("--no-math", action="store_true",
                        help="do not add the step-by-step, \\boxed{} instruction")
    parser.add_argument("--verbose", action="store_true", help="show llama.cpp's log on stderr")



def _source(args: argparse.Namespace) -> ModelSource:
    if args.remote:
        return ModelSource(remote_url=args.remote, remote_model=args.model, api_key=args.api_key)
    return ModelSource(path=Path(args.model))


def _options(args: argparse.Namespace, loaded: LoadedModel, settings: Settings
             ) -> GenerateOptions:
    profile = getattr(loaded.backend, "profile", None)
    base = profile.default_sampling if profile is not None else SamplingParams()
    request: dict[str, Any] = {"max_tokens": args.max_tokens, "seed": args.seed,
                               "temperature": args.temperature,
                               "math_mode": not args.no_math, "hints": False}
    return resolve_options(base, settings, request=request)


def _say(line: str) -> None:
    print(f"ponder: {line}", file=sys.stderr, flush=True)


def _ask(host: ModelHost, messages: list[ChatMessage], options: GenerateOptions,
         control: GenerationControl) -> Finished:
    finished: Finished | None = None
    for event in host.stream(messages, options, control):
        if isinstance(event, Finished):
            finished = event
    if finished is None:
        raise PonderError("The model ended without a reply. Try again.")
    return finished


def report(question: str, loaded: LoadedModel, first: Finished, plan: CheckPlan,
           result: VoteResult) -> dict[str, Any]:
    """The JSON object `ponder check` prints."""
    info = loaded.backend.info
    body = result.to_dict()
    return {
        "question": question,
        "model": info.model_name,
        "backend": info.backend,
        "summary": body.pop("summary"),
        "plan": {"samples": plan.samples, "max_tokens": plan.max_tokens,
                 "seconds_estimate": round(plan.seconds, 1), "note": plan.note},
        "first_answer": {"boxed": first.boxed, "tokens": first.stats.completion_tokens,
                         "seconds": round(first.stats.total_s, 3),
                         "decode_tps": round(first.stats.decode_tps, 2)},
        **body,
    }


def _check(args: argparse.Namespace, control: GenerationControl) -> int:
    settings = with_values(load_settings(), n_ctx=args.ctx, n_threads=args.threads,
                               n_gpu_layers=args.gpu_layers)
    loaded = ModelLoader().load(_source(args), settings, _say)
    host = ModelHost()
    host.adopt(loaded)
    try:
        options = _options(args, loaded, settings)
        messages = [ChatMessage(Role.USER, args.question)]
        first = _ask(host, messages, options, control)
        if control.is_cancelled:
            _say("stopped.")
            return EXIT_CANCELLED
        measure = host.measure(messages, options)
        wanted = args.samples if args.samples is not None else settings.check_samples
        plan = plan_check(loaded, measure.tokens if measure else 0, wanted, args.max_tokens,
                          decode_tps=first.stats.decode_tps)
        if plan.note:
            _say(plan.note)
        _say(f"first answer: {first.boxed}; drawing {plan.samples - 1} more of up to "
             f"{plan.max_tokens:,} tokens each (about {plan.seconds:.0f} s at most)")
        from app.tutor.equivalence import MathJudge

        result: VoteResult | None = None
        began = time.perf_counter()
        with MathJudge() as judge:
            for event in run_check(host, messages, options, first.answer, plan, control, judge,
                                   original_reasoning=first.reasoning):
                if isinstance(event, SampleDone):
                    s = event.sample
                    _say(f"sample {s.index}: {s.answer} ({s.tokens} tokens, {s.stop}, "
                         f"{time.perf_counter() - began:.1f} s)")
                elif isinstance(event, VoteFinished):
                    result = event.result
        assert result is not None, "run_check always ends with VoteFinished"
        json.dump(report(args.question, loaded, first, plan, result), sys.stdout,
                  ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_CANCELLED if result.cancelled else 0
    finally:
        host.unload()


def run(args: argparse.Namespace) -> int:
    """Run `ponder check`; returns the exit code."""
    quiet_llama_logs(args.verbose)
    if args.samples is not None and args.samples < 2:
        _say("--samples counts every answer compared, the first included: use 2 or more.")
        return 2
    control = GenerationControl()
    with ctrl_c_cancels(control):
        return _run_check(args, control)


def _run_check(args: argparse.Namespace, control: GenerationControl) -> int:
    try:
        return _check(args, control)
    except PonderError as exc:
        _say(" ".join(str(exc).split()))
        return 1
    except KeyboardInterrupt:
        _say("stopped.")
        return EXIT_CANCELLED
    except Exception as exc:  # a bug: still one line for the user, details in the log
        logging.getLogger(__name__).debug("ponder check failed", exc_info=True)
        _say(f"unexpected error: {type(exc).__name__}: {exc}")
        return 1
