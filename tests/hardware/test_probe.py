"""The real probes on this machine, parsers on captured text, and the speed measurement."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from app.hardware.cpu import normalize_arch, parse_proc_cpuinfo, probe_cpu
from app.hardware.gpu import apple_bandwidth, metal_working_set, probe_apple_gpu, probe_nvidia
from app.hardware.memory import existing_ancestor, probe_disk_free, probe_ram
from app.hardware.probe import probe_hardware
from app.hardware.speed import measure_speed
from app.hardware.types import GpuKind

GIB = 1024**3

X86_CPUINFO = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Core(TM) i7-6700HQ CPU @ 2.60GHz
physical id\t: 0
cpu cores\t: 4
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma f16c

processor\t: 1
model name\t: Intel(R) Core(TM) i7-6700HQ CPU @ 2.60GHz
physical id\t: 0
cpu cores\t: 4
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma f16c
"""

PI_CPUINFO = """processor\t: 0
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp \
cpuid asimdrdm lrcpc dcpop asimddp
CPU implementer\t: 0x41

processor\t: 1
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp \
cpuid asimdrdm lrcpc dcpop asimddp
"""

OLD_CPUINFO = """processor\t: 0
model name\t: Intel(R) Core(TM)2 Duo CPU
physical id\t: 0
cpu cores\t: 2
flags\t\t: fpu sse sse2 ssse3 sse4_1
"""


def test_parse_x86_cpuinfo() -> None:
    brand, features, cores = parse_proc_cpuinfo(X86_CPUINFO)
    assert brand.startswith("Intel(R) Core(TM) i7-6700HQ")
    assert {"avx", "avx2", "fma", "f16c"} <= features and "avx512f" not in features
    assert cores == 4


def test_parse_arm_cpuinfo() -> None:
    _brand, features, cores = parse_proc_cpuinfo(PI_CPUINFO)
    assert {"neon", "dotprod"} <= features and "avx2" not in features
    assert cores is None


def test_parse_old_cpu_has_no_avx() -> None:
    _brand, features, _cores = parse_proc_cpuinfo(OLD_CPUINFO)
    assert "avx" not in features and "avx2" not in features


def test_normalize_arch() -> None:
    assert normalize_arch("AMD64") == "x86_64"
    assert normalize_arch("aarch64") == "arm64"
    assert normalize_arch("riscv64") == "riscv64"


def test_probe_cpu_on_this_machine_agrees_with_the_os() -> None:
    cpu = probe_cpu()
    assert 1 <= cpu.physical_cores <= cpu.logical_cores
    assert cpu.logical_cores == os.cpu_count()
    if Path("/proc/cpuinfo").exists():
        flags = Path("/proc/cpuinfo").read_text()
        assert ("avx2" in flags.split()) == cpu.has_avx2 or cpu.is_arm


def test_ram_and_disk_on_this_machine(tmp_path: Path) -> None:
    total, avail = probe_ram()
    assert total > 256 * 1024**2 and 0 < avail <= total
    missing = tmp_path / "not" / "yet" / "models"
    assert existing_ancestor(missing) == tmp_path
    free = probe_disk_free(missing)
    assert free is not None and free > 0


def test_nvml_absence_means_no_gpu_not_an_error() -> None:
    gpus, note = probe_nvidia()
    for g in gpus:  # on a GPU machine: plausible values
        assert g.kind is GpuKind.CUDA and 0 < g.free_bytes <= g.total_bytes
    assert note is None or "CPU" in note


def test_probe_hardware_report(tmp_path: Path) -> None:
    report = probe_hardware(tmp_path / "models")
    assert report.ram_total_bytes > 0
    assert report.disk_path == str(tmp_path)
    assert report.cpu.physical_cores >= 1


def test_metal_working_set_and_apple_bandwidth() -> None:
    assert metal_working_set(16 * GIB) == int(16 * GIB * 2 / 3)
    assert metal_working_set(64 * GIB) == int(64 * GIB * 0.75)
    assert metal_working_set(16 * GIB, wired_limit_mb=14000) == 14000 * 1024 * 1024
    assert apple_bandwidth("Apple M1") == pytest.approx(68.25e9)
    assert apple_bandwidth("Apple M2 Max") == pytest.approx(400e9)
    assert apple_bandwidth("Apple M3 Pro") == pytest.approx(150e9)
    gpu = probe_apple_gpu("Apple M1 Pro", 32 * GIB, lambda key: "0")
    assert gpu.kind is GpuKind.METAL and gpu.bandwidth_bytes_s == pytest.approx(200e9)
    assert gpu.free_bytes == int(32 * GIB * 2 / 3)


class FakeDecoder:
    """Decodes at a fixed rate on a fake clock."""

    def __init__(self, tps: float) -> None:
        self.tps = tps
        self.now = 0.0
        self.calls: list[int] = []

    def clock(self) -> float:
        return self.now

    def run(self, n: int) -> float:
        self.calls.append(n)
        took = n / self.tps
        self.now += took
        return took


def test_measure_speed_on_a_fake_clock() -> None:
    dec = FakeDecoder(tps=40.0)
    tps = measure_speed(dec.run, seconds=10, clock=dec.clock)
    assert tps == pytest.approx(40.0)
    assert 9.5 <= dec.now <= 11.5  # warm-up + about ten seconds
    assert dec.calls[0] == 8 and len(dec.calls) > 5  # batches small enough to stay cancellable


def test_measure_speed_stops_on_cancel() -> None:
    dec = FakeDecoder(tps=100.0)
    cancel = threading.Event()

    def run(n: int) -> float:
        if len(dec.calls) >= 3:
            cancel.set()
        return dec.run(n)

    tps = measure_speed(run, seconds=10, clock=dec.clock, cancel=cancel)
    assert tps == pytest.approx(100.0)
    assert dec.now < 3


def test_measure_speed_with_a_real_cpu_workload() -> None:
    import time

    def run(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            sum(range(2000))
        return time.perf_counter() - start

    tps = measure_speed(run, seconds=0.3)
    assert tps > 100
