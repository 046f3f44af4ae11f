"""Planner table: what the hardware check chooses on typical machines, and why."""

from __future__ import annotations

import pytest

from app.hardware.planner import (
    ModelShape,
    PlanOverrides,
    QuantOption,
    gpu_budget,
    kv_bytes,
    plan_model,
    ram_budget,
)
from app.hardware.types import CpuInfo, GpuInfo, GpuKind, HardwareReport

GIB = 1024**3
AVX2 = frozenset({"avx", "avx2", "fma", "f16c"})

# DeepSeek-R1-Distill-Qwen-1.5B: 28 layers, 28 KiB of f16 KV per token.
R1_15B = ModelShape("R1 1.5B", n_layers=28, kv_bytes_per_token=28 * 1024,
                    max_context=131072, default_context=8192, embedding_fraction=0.131)
QUANTS = [
    QuantOption("Q4_K_M", 1_120_000_000),
    QuantOption("Q5_K_M", 1_290_000_000),
    QuantOption("Q6_K", 1_460_000_000),
    QuantOption("Q8_0", 1_890_000_000),
    QuantOption("F16", 3_560_000_000),
]


def x86(cores: int, features: frozenset[str] = AVX2) -> CpuInfo:
    return CpuInfo("x86_64", "x86 CPU", cores, cores * 2, features)


def cuda(name: str, total_gib: float, free_gib: float, bw_gbs: float) -> GpuInfo:
    return GpuInfo(GpuKind.CUDA, name, int(total_gib * GIB), int(free_gib * GIB), bw_gbs * 1e9)


LAPTOP_8GB = HardwareReport("Windows", x86(4), 8 * GIB, 5 * GIB)
PI_4GB = HardwareReport("Linux", CpuInfo("arm64", "Cortex-A76", 4, 4, frozenset({"neon"})),
                        4 * GIB, 3 * GIB)
M1_16GB = HardwareReport(
    "Darwin", CpuInfo("arm64", "Apple M1", 8, 8, frozenset({"neon", "dotprod"})), 16 * GIB,
    9 * GIB, (GpuInfo(GpuKind.METAL, "Apple M1", int(16 * GIB * 2 / 3), int(16 * GIB * 2 / 3),
                      68.25e9),))
RTX3060 = HardwareReport("Windows", x86(6), 16 * GIB, 10 * GIB,
                         (cuda("NVIDIA GeForce RTX 3060", 12, 11.2, 360),))
GTX960M = HardwareReport("Windows", x86(4), 16 * GIB, 10 * GIB,
                         (cuda("NVIDIA GeForce GTX 960M", 2, 1.7, 80),))
WORKSTATION = HardwareReport("Linux", x86(16), 64 * GIB, 50 * GIB,
                             (cuda("NVIDIA GeForce RTX 4090", 24, 23, 1008),))
NO_AVX2 = HardwareReport("Linux", x86(4, frozenset({"avx"})), 8 * GIB, 6 * GIB)


def plan(report: HardwareReport, offload: bool = True, **over: object):  # type: ignore[no-untyped-def]
    return plan_model(report, R1_15B, QUANTS, gpu_offload_supported=offload,
                      overrides=PlanOverrides(**over))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("report", "quant", "device", "gpu_layers", "phrases"),
    [
        (LAPTOP_8GB, "Q8_0", "CPU", 0, ["8 GB RAM, no GPU: Q8_0 on the CPU", "tok/s expected"]),
        (PI_4GB, "Q4_K_M", "CPU", 0, ["4 GB RAM, no GPU: Q4_K_M on the CPU", "NEON"]),
        (M1_16GB, "Q8_0", "Metal", -1, ["16 GB RAM, Apple M1", "fully on the GPU"]),
        (RTX3060, "Q8_0", "CUDA", -1, ["RTX 3060 with 11.2 GB free", "fully on the GPU"]),
        (GTX960M, "Q8_0", "CUDA + CPU", 18,
         ["GTX 960M with 1.7 GB free", "18 of 29 layers on the GPU",
          "KV cache for 8,192 tokens do not fit"]),
        (WORKSTATION, "Q8_0", "CUDA", -1, ["64 GB RAM, NVIDIA GeForce RTX 4090", "fully"]),
    ],
    ids=["laptop-8gb", "pi-4gb", "m1-16gb", "rtx3060", "gtx960m", "workstation"],
)
def test_table(report: HardwareReport, quant: str, device: str, gpu_layers: int,
               phrases: list[str]) -> None:
    p = plan(report)
    assert (p.quant, p.device, p.n_gpu_layers) == (quant, device, gpu_layers)
    assert p.fits
    assert p.n_ctx == 8192
    for phrase in phrases:
        assert phrase in p.reason
    assert p.reason.endswith(".") and p.reason.count(". ") == 0  # one sentence


def test_speeds_are_ordered_by_hardware_class() -> None:
    speeds = {name: plan(r, quant="Q4_K_M").expected_tps for name, r in
              [("pi", PI_4GB), ("laptop", LAPTOP_8GB), ("m1", M1_16GB), ("3060", RTX3060),
               ("4090", WORKSTATION)]}
    assert speeds["pi"] < speeds["laptop"] < speeds["m1"] < speeds["3060"] < speeds["4090"]
    assert 5 < speeds["pi"] < 12


def test_calibration_points_match_measurements() -> None:
    vm = HardwareReport("Linux", x86(2), 23 * GIB, 22 * GIB)
    assert plan(vm, quant="Q4_K_M").expected_tps == pytest.approx(19.4, rel=0.1)
    h200 = HardwareReport("Linux", x86(16), 128 * GIB, 100 * GIB,
                          (cuda("NVIDIA H200", 141, 140, 4800),))
    assert plan(h200, quant="Q4_K_M").expected_tps == pytest.approx(577, rel=0.1)


def test_gtx960m_partial_offload_fits_the_vram_it_uses() -> None:
    p = plan(GTX960M)
    gpu = GTX960M.gpus[0]
    assert 0 < p.offloaded < p.total_layers
    per_layer = (1_890_000_000 * (1 - 0.131)) / 29 + kv_bytes(R1_15B, 8192) / 28
    assert p.offloaded * per_layer <= gpu_budget(gpu)
    assert (p.offloaded + 1) * per_layer > gpu_budget(gpu)
    # with everything forced onto the GPU it would not fit: the plan says so
    forced = plan(GTX960M, n_gpu_layers=-1, quant="Q8_0", n_ctx=8192)
    assert not forced.fits and "may not fit" in forced.reason
    # asking only for all layers on the GPU: the smallest quant fits at a 4k context
    all_gpu = plan(GTX960M, n_gpu_layers=-1)
    assert (all_gpu.quant, all_gpu.n_ctx, all_gpu.fits) == ("Q4_K_M", 4096, True)


def test_cpu_without_avx2_is_explained() -> None:
    p = plan(NO_AVX2)
    assert p.device == "CPU"
    assert "lacks AVX2" in p.reason
    assert any("no AVX2" in w for w in p.warnings)
    with_avx2 = plan(HardwareReport("Linux", x86(4), 8 * GIB, 6 * GIB), quant=p.quant)
    assert with_avx2.expected_tps > 2 * p.expected_tps


def test_gpu_unusable_by_cpu_only_build_is_said() -> None:
    p = plan(RTX3060, offload=False)
    assert p.device == "CPU" and p.n_gpu_layers == 0
    assert "not usable by this llama.cpp build" in p.reason
    assert any("no GPU support" in w for w in p.warnings)


def test_overrides_win() -> None:
    p = plan(RTX3060, quant="q4_k_m", n_gpu_layers=10, n_ctx=32768)
    assert (p.quant, p.n_gpu_layers, p.n_ctx, p.device) == ("Q4_K_M", 10, 32768, "CUDA + CPU")
    assert plan(RTX3060, quant="F16").quant == "F16"  # F16 only on request
    cpu_only = plan(RTX3060, n_gpu_layers=0)
    assert cpu_only.device == "CPU"
    assert "too little free memory" not in cpu_only.reason  # the user chose the CPU
    with pytest.raises(ValueError, match="Q4_K_M"):
        plan(RTX3060, quant="Q3_K_S")


def test_tiny_machine_is_not_refused_but_warned() -> None:
    tiny = HardwareReport("Linux", x86(2), 2 * GIB, 1 * GIB)
    p = plan(tiny)
    assert p.quant == "Q4_K_M"
    assert not p.fits
    assert any("Close other programs" in w for w in p.warnings)


def test_context_is_lowered_when_only_a_smaller_one_fits() -> None:
    # 3.25 GiB: 8k context does not fit next to Q4_K_M, 4k does
    small = HardwareReport("Linux", x86(4), int(3.25 * GIB), 2 * GIB)
    assert ram_budget(small) > 0
    p = plan(small)
    assert p.fits and p.n_ctx < 8192
    assert any("context was lowered" in w for w in p.warnings)


def test_more_memory_never_gives_a_worse_quant() -> None:
    order = [q.quant for q in QUANTS]
    last = -1
    for gib in (3, 4, 6, 8, 12, 16, 32):
        p = plan(HardwareReport("Linux", x86(8), gib * GIB, gib * GIB))
        assert order.index(p.quant) >= last
        last = order.index(p.quant)
