"""Model setup use cases: probe and plan (and keep the plan), speed, first answer.

The wizard, the Models page, `ponder hardware` and `ponder download` use
these; none of them plans or measures on its own. The plan is saved in the
settings (`save_plan`) the first time it is made and whenever the user redoes
it; a user's explicit context or GPU-layer setting still wins over it
(app.services.loading.load_params).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import PonderError
from app.core.types import (
    BackendInfo,
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    Role,
    SamplingParams,
    TextDelta,
)
from app.engine.backend import Backend
from app.hardware.planner import Plan, PlanOverrides, plan_model, refine_with_measurement
from app.hardware.probe import probe_hardware
from app.hardware.speed import measure_speed
from app.hardware.types import HardwareReport
from app.models.catalog import Catalog, CatalogModel
from app.services.loading import gpu_offload_supported
from app.store.settings import Settings, load_settings, save_settings

TRIAL_QUESTION = "What is 17 + 25? Answer in one short sentence."
SPEED_PROMPT = "Count from 1 to 300, writing each number as a word, separated by commas."


@dataclass(frozen=True)
class Recommendation:
    """What the hardware check found and what it suggests.

    Attributes:
        report: the hardware.
        model: the catalog model planned.
        plan: quantization, device and expected speed, with its reason.
        gpu_offload: whether this llama.cpp build can use a GPU.
    """

    report: HardwareReport
    model: CatalogModel
    plan: Plan
    gpu_offload: bool


def recommend(
    models_dir: Path,
    catalog: Catalog,
    model: CatalogModel | None = None,
    *,
    overrides: PlanOverrides | None = None,
    probe: Callable[[Path], HardwareReport] = probe_hardware,
    gpu_offload: Callable[[], bool] = gpu_offload_supported,
) -> Recommendation:
    """Probe the machine and plan `model` (default: the catalog's default).

    Raises:
        PonderError: the overrides ask for something the model does not offer.
    """
    report = probe(models_dir)
    offload = gpu_offload()
    chosen = model or catalog.default
    try:
        plan = plan_model(report, chosen.shape, chosen.quant_options,
                          gpu_offload_supported=offload, overrides=overrides)
    except ValueError as exc:
        raise PonderError(f"{exc}.") from exc
    return Recommendation(report, chosen, plan, offload)


def verdicts(
    catalog: Catalog,
    report: HardwareReport,
    gpu_offload: bool,
) -> dict[str, Plan]:
    """The planner's verdict for every catalog model on this machine (id -> plan)."""
    return {
        model.id: plan_model(report, model.shape, model.quant_options,
                             gpu_offload_supported=gpu_offload)
        for model in catalog.models
    }


def save_plan(plan: Plan, settings_file: Path | None = None) -> Settings:
    """Keep the plan in the settings; the user's explicit choices are untouched."""
    settings = load_settings(settings_file)
    updated = dataclasses.replace(
        settings,
        plan_quant=plan.quant,
        plan_n_gpu_layers=plan.n_gpu_layers,
        plan_n_ctx=plan.n_ctx,
        plan_reason=plan.reason,
    )
    save_settings(updated, settings_file)
    return updated


def refine_plan(rec: Recommendation, measured_tps: float) -> Plan:
    """The recommendation's plan with the measured speed in it."""
    return refine_with_measurement(rec.report, rec.model.shape, rec.plan, measured_tps,
                                   rec.gpu_offload)


def measure_decode_speed(
    backend: Backend, seconds: float = 10.0, cancel: threading.Event | None = None
) -> float:
    """Decode tokens/s of a loaded model over about `seconds`.

    The same prompt is reused, so after the first run only decoding is timed
    (the prompt stays in the KV cache).
    """
    messages = [ChatMessage(Role.USER, SPEED_PROMPT)]

    def run_tokens(n: int) -> float:
        control = GenerationControl()
        options = GenerateOptions(sampling=SamplingParams(max_tokens=n, seed=0),
                                  detect_loops=False)
        stats = None
        for event in backend.generate(messages, options, control):
            if cancel is not None and cancel.is_set():
                control.cancel()
            if isinstance(event, Finished):
                stats = event.stats
        if stats is None or stats.completion_tokens < 2 or stats.decode_tps <= 0:
            return 0.0
        # The reply may end before n tokens; time per token is what counts.
        return n / stats.decode_tps

    return measure_speed(run_tokens, seconds, cancel=cancel)


@dataclass(frozen=True)
class FirstAnswer:
    """The first answer of a freshly loaded model and its measured speed.

    Attributes:
        info: the loaded model.
        answer: the model's answer to the test question.
        reasoning: its reasoning, if it wrote any.
        measured_tps: decode tokens/s over the measurement (0.0 if skipped).
    """

    info: BackendInfo
    answer: str
    reasoning: str
    measured_tps: float


def first_answer(
    backend: Backend,
    on_answer: Callable[[str], None],
    cancel: threading.Event,
    *,
    question: str = TRIAL_QUESTION,
    max_tokens: int = 512,
    on_measuring: Callable[[float], None] | None = None,
    speed_seconds: float = 10.0,
) -> FirstAnswer:
    """Answer one question (the answer streams to `on_answer` ~10 times a second), then measure."""
    control = GenerationControl()
    options = GenerateOptions(sampling=SamplingParams(max_tokens=max_tokens))
    answer: list[str] = []
    last = 0.0
    finished: Finished | None = None
    for event in backend.generate([ChatMessage(Role.USER, question)], options, control):
        if cancel.is_set():
            control.cancel()
        if isinstance(event, TextDelta) and event.channel is Channel.ANSWER:
            answer.append(event.text)
            now = time.monotonic()
            if now - last >= 0.1:
                last = now
                on_answer("".join(answer))
        elif isinstance(event, Finished):
            finished = event
    text = finished.answer if finished else "".join(answer)
    on_answer(text)
    tps = 0.0
    if not cancel.is_set() and speed_seconds > 0:
        if on_measuring is not None:
            on_measuring(speed_seconds)
        tps = measure_decode_speed(backend, speed_seconds, cancel)
    reasoning = finished.reasoning if finished else ""
    return FirstAnswer(backend.info, text.strip(), reasoning.strip(), tps)
