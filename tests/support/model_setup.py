"""Helpers for the model-setup GUI tests: a one-model catalog and made-up machines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.hardware.types import CpuInfo, GpuInfo, GpuKind, HardwareReport
from app.models.catalog import Catalog, parse_catalog
from app.models.download import DownloadSettings
from app.models.mirrors import Mirror

REPO = "test/smol"
GIB = 1024**3


def one_model_catalog(files: list[tuple[str, str, int, str | None]]) -> Catalog:
    """A catalog with one SmolLM2-shaped model; files are (quant, name, size, sha256)."""
    data: dict[str, Any] = {
        "default_model": "smol",
        "models": [{
            "id": "smol", "name": "SmolLM2 135M", "repo_id": REPO, "license": "apache-2.0",
            "architecture": "llama", "parameters": 135_000_000, "n_layers": 30,
            "kv_bytes_per_token": 30 * 2 * 3 * 64 * 2, "context_length": 8192,
            "default_context": 2048,
            "files": [{"quant": q, "file": name, "size_bytes": size, "size_exact": True,
                       "sha256": sha, "memory_bytes": size * 2}
                      for q, name, size, sha in files],
        }],
    }
    return parse_catalog(data)


def fast_settings(**overrides: Any) -> DownloadSettings:
    """Downloader settings with short waits for tests."""
    values: dict[str, Any] = {"timeout_s": 10.0, "retries_per_mirror": 2, "backoff_s": 0.05,
                              "backoff_max_s": 0.1, "progress_interval_s": 0.05,
                              "disk_margin": 0, "chunk_size": 64 * 1024}
    values.update(overrides)
    return DownloadSettings(**values)


def hub_mirror(endpoint: str) -> Mirror:
    """The fake hub as the only mirror."""
    return Mirror("local-hub", endpoint)


def machine(*, avx2: bool = True, gpu_gib: float | None = None, ram_gib: int = 16
            ) -> HardwareReport:
    """A made-up machine (for the paths the test machine cannot show: GPUs, no AVX2)."""
    features = frozenset({"avx", "fma", "f16c"} | ({"avx2"} if avx2 else set()))
    gpus = ()
    if gpu_gib is not None:
        gpus = (GpuInfo(GpuKind.CUDA, "NVIDIA GeForce RTX 3060", int(gpu_gib * GIB),
                        int(gpu_gib * GIB), 360e9),)
    return HardwareReport(
        os_name="Linux",
        cpu=CpuInfo("x86_64", "Test CPU", 4, 8, features),
        ram_total_bytes=ram_gib * GIB,
        ram_available_bytes=ram_gib * GIB // 2,
        gpus=gpus,
        disk_free_bytes=200 * GIB,
        disk_path="/",
    )


def fixed_probe(report: HardwareReport) -> Any:
    """A probe function that returns `report`."""

    def probe(_models_dir: Path) -> HardwareReport:
        return report

    return probe
