"""Choose quantization, GPU layers and context for a model on this machine.

Memory needed = weights + KV cache at the chosen context + a margin for
llama.cpp's compute buffers and the app itself. Among the quantizations that
fit, the planner prefers quality (up to Q8_0, which is practically lossless;
F16 only on request) as long as decoding stays comfortable (20 tok/s: R1
writes long reasoning); on slow machines it takes the fastest that fits. It
never refuses: if nothing fits it still returns the smallest, marked
``fits=False`` with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.hardware.cpu import describe_features
from app.hardware.speed import cpu_bandwidth, estimate_tps
from app.hardware.types import GpuInfo, GpuKind, HardwareReport

MIB = 1024**2
GIB = 1024**3

APP_MARGIN = 250 * MIB  # Ponder itself (Qt, Python, rendering)
COMPUTE_BUFFER = 300 * MIB  # llama.cpp's scratch buffers for one batch
CUDA_CONTEXT = 300 * MIB  # what creating a CUDA context takes from VRAM
OS_RESERVE_MIN = int(1.5 * GIB)  # the OS and other programs keep at least this
OS_RESERVE_FRACTION = 0.25  # ... or this share of RAM, whichever is more
COMFORTABLE_TPS = 20.0
LOSSLESS_QUANT = "Q8_0"
CONTEXT_FALLBACKS = (4096, 2048)


@dataclass(frozen=True)
class QuantOption:
    """One downloadable file of a model.

    Attributes:
        quant: e.g. "Q4_K_M".
        size_bytes: the file's size.
    """

    quant: str
    size_bytes: int


@dataclass(frozen=True)
class ModelShape:
    """What the planner needs to know about a model, independent of quantization.

    Attributes:
        name: display name.
        n_layers: transformer blocks (llama.cpp can offload n_layers + 1 with the output).
        kv_bytes_per_token: f16 KV cache per token of context (28 KiB for the R1 1.5B).
        max_context: the model's trained context length.
        default_context: the context to plan for unless the user says otherwise.
        embedding_fraction: share of the weights in the token embedding, which
            stays in RAM and is read only one row per token.
    """

    name: str
    n_layers: int
    kv_bytes_per_token: int
    max_context: int
    default_context: int = 8192
    embedding_fraction: float = 0.1


@dataclass(frozen=True)
class PlanOverrides:
    """What the user fixed by hand; None leaves the choice to the planner.

    Attributes:
        quant: the quantization to use.
        n_gpu_layers: layers to offload (-1: all, 0: none).
        n_ctx: context length in tokens.
    """

    quant: str | None = None
    n_gpu_layers: int | None = None
    n_ctx: int | None = None


@dataclass(frozen=True)
class Plan:
    """How to run one model on this machine.

    Attributes:
        quant: chosen quantization.
        size_bytes: size of that file.
        n_gpu_layers: for LoadParams: -1 all layers, 0 CPU only, else a count.
        offloaded: layers on the GPU out of total_layers (for display).
        total_layers: n_layers + 1 (the output layer counts as one).
        n_ctx: context length in tokens.
        device: "CPU", "CUDA", "CUDA + CPU", "Metal".
        expected_tps: expected decode tokens/s (an estimate until measured).
        memory_bytes: memory needed (RAM + VRAM) for weights, KV cache and margins.
        fits: whether it fits the memory the planner may use.
        reason: one sentence for the user explaining the choice.
        warnings: further things the user should know.
        measured: True once expected_tps comes from a real measurement.
    """

    quant: str
    size_bytes: int
    n_gpu_layers: int
    offloaded: int
    total_layers: int
    n_ctx: int
    device: str
    expected_tps: float
    memory_bytes: int
    fits: bool
    reason: str
    warnings: tuple[str, ...] = ()
    measured: bool = False


@dataclass(frozen=True)
class _Placement:
    option: QuantOption
    offloaded: int
    tps: float
    memory: int
    fits: bool
    gpu: GpuInfo | None


def ram_budget(report: HardwareReport) -> int:
    """Bytes of RAM a model may take: RAM minus the OS reserve and the app."""
    total = report.ram_total_bytes
    reserve = max(OS_RESERVE_MIN, int(total * OS_RESERVE_FRACTION))
    return max(0, total - reserve - APP_MARGIN)


def gpu_budget(gpu: GpuInfo) -> int:
    """Bytes of GPU memory weights and KV cache may take."""
    overhead = COMPUTE_BUFFER + (CUDA_CONTEXT if gpu.kind is GpuKind.CUDA else 0)
    return max(0, gpu.free_bytes - overhead)


def kv_bytes(shape: ModelShape, n_ctx: int) -> int:
    """The f16 KV cache for `n_ctx` tokens."""
    return shape.kv_bytes_per_token * n_ctx


def _place(
    report: HardwareReport,
    shape: ModelShape,
    option: QuantOption,
    n_ctx: int,
    gpu: GpuInfo | None,
    forced_layers: int | None,
) -> _Placement:
    total_layers = shape.n_layers + 1
    embed = int(option.size_bytes * shape.embedding_fraction)
    unit = (option.size_bytes - embed) / total_layers  # bytes per offloadable layer
    kv_layer = kv_bytes(shape, n_ctx) / shape.n_layers
    ram = ram_budget(report)
    cpu_bw = cpu_bandwidth(report.cpu, report.is_apple_silicon)

    def layer_bytes(k: int) -> float:
        return k * unit + min(k, shape.n_layers) * kv_layer

    if gpu is None:
        offloaded = 0
    elif forced_layers is not None:
        offloaded = total_layers if forced_layers < 0 else min(forced_layers, total_layers)
    else:
        vram = gpu_budget(gpu)
        if gpu.kind is GpuKind.METAL:
            vram = min(vram, ram)  # unified memory: the same bytes count against RAM
        offloaded = 0
        while offloaded < total_layers and layer_bytes(offloaded + 1) <= vram:
            offloaded += 1
    cpu_part = layer_bytes(total_layers) - layer_bytes(offloaded) + embed + COMPUTE_BUFFER
    gpu_part = layer_bytes(offloaded)
    if gpu is not None and offloaded > 0:
        gpu_fits = gpu_part <= gpu_budget(gpu)
        gpu_part += COMPUTE_BUFFER + (CUDA_CONTEXT if gpu.kind is GpuKind.CUDA else 0)
    else:
        gpu_fits = True
    if gpu is not None and gpu.kind is GpuKind.METAL and offloaded > 0:
        fits = gpu_fits and cpu_part + gpu_part <= ram
    else:
        fits = gpu_fits and cpu_part <= ram
    read_per_token = option.size_bytes - embed
    gpu_read = read_per_token * offloaded / total_layers
    tps = estimate_tps(gpu_read, read_per_token - gpu_read, cpu_bw, gpu if offloaded else None)
    return _Placement(option, offloaded, tps, int(cpu_part + gpu_part), fits, gpu)


def _choose(placements: list[_Placement]) -> _Placement:
    """Highest quality that fits and is comfortable, else the fastest that fits."""
    fitting = [p for p in placements if p.fits]
    if not fitting:
        return min(placements, key=lambda p: p.option.size_bytes)
    comfortable = [p for p in fitting if p.tps >= COMFORTABLE_TPS]
    if comfortable:
        return max(comfortable, key=lambda p: p.option.size_bytes)
    return max(fitting, key=lambda p: p.tps)


def plan_model(
    report: HardwareReport,
    shape: ModelShape,
    options: list[QuantOption],
    *,
    gpu_offload_supported: bool,
    overrides: PlanOverrides | None = None,
) -> Plan:
    """Plan quantization, GPU layers and context for one model.

    Args:
        report: what the hardware probe found.
        shape: the model's layer count, KV cache size and context.
        options: the downloadable quantizations (at least one).
        gpu_offload_supported: whether the installed llama.cpp build can use a
            GPU (``app.engine.capabilities.gpu_offload_supported()``).
        overrides: the user's own choices, which win.

    Returns:
        The plan, with a one-sentence reason.

    Raises:
        ValueError: `options` is empty or an overridden quant is not among them.
    """
    if not options:
        raise ValueError("a model needs at least one quantization option")
    over = overrides or PlanOverrides()
    gpu = report.gpus[0] if report.gpus and gpu_offload_supported else None
    if over.n_gpu_layers == 0:
        gpu = None
    candidates = sorted(options, key=lambda o: o.size_bytes)
    if over.quant is not None:
        candidates = [o for o in candidates if o.quant.upper() == over.quant.upper()]
        if not candidates:
            known = ", ".join(o.quant for o in options)
            raise ValueError(f"unknown quantization {over.quant!r}; choose one of {known}")
    elif any(o.quant == LOSSLESS_QUANT for o in candidates):
        lossless = next(o for o in candidates if o.quant == LOSSLESS_QUANT)
        candidates = [o for o in candidates if o.size_bytes <= lossless.size_bytes]

    warnings: list[str] = []
    n_ctx = min(over.n_ctx or shape.default_context, shape.max_context)
    chosen = _choose([_place(report, shape, o, n_ctx, gpu, over.n_gpu_layers)
                      for o in candidates])
    if not chosen.fits and over.n_ctx is None:
        for smaller in CONTEXT_FALLBACKS:
            if smaller >= n_ctx:
                continue
            retry = _choose([_place(report, shape, o, smaller, gpu, over.n_gpu_layers)
                             for o in candidates])
            if retry.fits:
                warnings.append(
                    f"The context was lowered to {smaller:,} tokens so the model fits; "
                    "long reasoning may be cut short."
                )
                chosen, n_ctx = retry, smaller
                break
    if not chosen.fits:
        warnings.append(
            f"{chosen.option.quant} needs about {_gb(chosen.memory)} but this machine has "
            f"about {_gb(ram_budget(report))} to spare: it may load slowly or fail. "
            "Close other programs or pick a smaller context."
        )
    elif chosen.memory > report.ram_available_bytes and chosen.offloaded == 0:
        warnings.append(
            f"Only {_gb(report.ram_available_bytes)} of RAM is free right now; "
            "close other programs before loading the model."
        )
    if report.gpus and not gpu_offload_supported:
        warnings.append(
            f"{report.gpus[0].name} was found, but this llama.cpp build has no GPU support; "
            "install a CUDA or Metal build to use it."
        )
    if not report.cpu.is_arm and not report.cpu.has_avx2:
        warnings.append(
            "This CPU has no AVX2, so llama.cpp uses slower generic code on the CPU."
        )
    total_layers = shape.n_layers + 1
    device = _device(chosen, total_layers)
    plan = Plan(
        quant=chosen.option.quant,
        size_bytes=chosen.option.size_bytes,
        n_gpu_layers=-1 if chosen.offloaded >= total_layers else chosen.offloaded,
        offloaded=chosen.offloaded,
        total_layers=total_layers,
        n_ctx=n_ctx,
        device=device,
        expected_tps=chosen.tps,
        memory_bytes=chosen.memory,
        fits=chosen.fits,
        reason="",
        warnings=tuple(warnings),
    )
    return replace(plan, reason=explain(report, shape, plan, gpu_offload_supported))


def _device(p: _Placement, total_layers: int) -> str:
    if p.gpu is None or p.offloaded == 0:
        return "CPU"
    kind = "Metal" if p.gpu.kind is GpuKind.METAL else "CUDA"
    return kind if p.offloaded >= total_layers else f"{kind} + CPU"


def _gb(n: float) -> str:
    return f"{n / GIB:.1f} GB"


def _ram_label(report: HardwareReport) -> str:
    return f"{round(report.ram_total_bytes / GIB)} GB RAM"


def explain(
    report: HardwareReport, shape: ModelShape, plan: Plan, gpu_offload_supported: bool
) -> str:
    """The one sentence that tells the user what was chosen and why."""
    tps = f"about {plan.expected_tps:.0f} tok/s {'measured' if plan.measured else 'expected'}"
    cpu = report.cpu
    cpu_desc = f"{cpu.physical_cores} cores, {describe_features(cpu.features)}"
    if not report.gpus:
        where = "no GPU"
    else:
        g = report.gpus[0]
        usable = "usable" if g.kind is GpuKind.METAL else "free"
        where = f"{g.name} with {_gb(g.free_bytes)} {usable}"
        if not gpu_offload_supported:
            where += " (not usable by this llama.cpp build)"
    head = f"{_ram_label(report)}, {where}: {plan.quant}"
    if plan.device == "CPU":
        sentence = f"{head} on the CPU ({cpu_desc}), {tps}"
        if (report.gpus and gpu_offload_supported and plan.offloaded == 0
                and not _gpu_takes_a_layer(report, shape, plan)):
            sentence += "; the GPU has too little free memory for even one layer"
    elif plan.offloaded >= plan.total_layers:
        sentence = f"{head} fully on the GPU ({plan.total_layers} layers), {tps}"
    else:
        sentence = (
            f"{head} with {plan.offloaded} of {plan.total_layers} layers on the GPU and the rest "
            f"on the CPU, because the weights plus the KV cache for {plan.n_ctx:,} tokens do "
            f"not fit in its memory; {tps}"
        )
    if not cpu.is_arm and not cpu.has_avx2 and plan.device != "CUDA" and plan.device != "Metal":
        sentence += " (this CPU lacks AVX2, which makes llama.cpp several times slower)"
    if not plan.fits:
        sentence += ", though it may not fit in memory"
    return sentence + "."


def _gpu_takes_a_layer(report: HardwareReport, shape: ModelShape, plan: Plan) -> bool:
    """Whether the first GPU has room for a layer (then CPU-only was the user's choice)."""
    option = QuantOption(plan.quant, plan.size_bytes)
    return _place(report, shape, option, plan.n_ctx, report.gpus[0], None).offloaded > 0


def refine_with_measurement(
    report: HardwareReport,
    shape: ModelShape,
    plan: Plan,
    measured_tps: float,
    gpu_offload_supported: bool,
) -> Plan:
    """The plan with the expected speed replaced by a measured one."""
    updated = replace(plan, expected_tps=measured_tps, measured=True)
    return replace(updated, reason=explain(report, shape, updated, gpu_offload_supported))
