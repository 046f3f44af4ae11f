"""Put the individual probes together into one HardwareReport."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from app.hardware.cpu import _sysctl, probe_cpu
from app.hardware.gpu import probe_apple_gpu, probe_nvidia
from app.hardware.memory import existing_ancestor, probe_disk_free, probe_ram
from app.hardware.types import GpuInfo, HardwareReport


def probe_hardware(models_dir: Path) -> HardwareReport:
    """Probe this machine; never raises (unknowns become notes).

    Args:
        models_dir: where models are stored (free disk space is measured there).

    Returns:
        What was found. Takes well under a second (NVML init is the slowest part).
    """
    notes: list[str] = []
    cpu = probe_cpu()
    ram_total, ram_avail = probe_ram()
    if ram_total <= 0:
        notes.append("Could not read the amount of RAM; assuming 8 GB.")
        ram_total = ram_avail = 8 * 1024**3
    gpus: list[GpuInfo] = []
    os_name = platform.system() or sys.platform
    if os_name == "Darwin" and cpu.is_arm:
        gpus.append(probe_apple_gpu(cpu.brand, ram_total, _sysctl))
    else:
        nvidia, note = probe_nvidia()
        gpus.extend(nvidia)
        if note:
            notes.append(note)
    disk_free = probe_disk_free(models_dir)
    if disk_free is None:
        notes.append(f"Could not read the free space at {models_dir}.")
    return HardwareReport(
        os_name=os_name,
        cpu=cpu,
        ram_total_bytes=ram_total,
        ram_available_bytes=ram_avail,
        gpus=tuple(gpus),
        disk_free_bytes=disk_free,
        disk_path=str(existing_ancestor(models_dir)),
        notes=tuple(notes),
    )
