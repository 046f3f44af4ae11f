"""`ponder download [--quant Q] [--mirror NAME|URL]`: fetch a catalog model, resumable.

The quantization defaults to the hardware plan's. Ctrl+C pauses: the partial
file stays and the next `ponder download` resumes it.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from app.core.errors import PonderError
from app.core.paths import models_dir
from app.hardware.planner import refine_with_measurement
from app.models.download import (
    Downloader,
    DownloadProgress,
    DownloadResult,
    DownloadSettings,
    DownloadStatus,
    Phase,
    format_bytes,
)
from app.models.installed import get_default_model
from app.models.mirrors import resolve_mirrors
from app.services.library import download_model
from app.services.loading import ModelLoader, ModelSource
from app.services.setup import measure_decode_speed, save_plan
from app.store.settings import load_settings


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    p = subparsers.add_parser("download", help="download a model (resumable, verified)")
    p.add_argument("--model", default=None, help="catalog model id (default: the default model)")
    p.add_argument("--quant", default=None, help="quantization, e.g. Q4_K_M (default: planned)")
    p.add_argument("--mirror", default=None, metavar="NAME|URL",
                   help="huggingface, hf-mirror, or a URL (HF_ENDPOINT is honoured too)")
    p.add_argument("--proxy", default=None, metavar="URL",
                   help="proxy for http and https (default: HTTPS_PROXY from the environment)")
    p.add_argument("--no-measure", dest="measure", action="store_false",
                   help="skip the 10-second speed measurement after the download")


def measure_model_speed(
    path: Path,
    *,
    n_gpu_layers: int | None = None,
    seconds: float = 10.0,
    cancel: threading.Event | None = None,
) -> float:
    """Load `path` as the app would (settings, plan, GPU fallback) and measure decode speed.

    Raises:
        ModelFileError, ModelLoadError: the model cannot be loaded.
    """
    settings = load_settings()
    if n_gpu_layers is not None and settings.n_gpu_layers is None:
        settings = dataclasses.replace(settings, plan_n_gpu_layers=n_gpu_layers)
    backend = ModelLoader().load(ModelSource(path=path), settings).backend
    try:
        return measure_decode_speed(backend, seconds, cancel)
    finally:
        backend.close()


class ProgressBar:
    """Draws one updating line on a terminal; messages go on their own lines."""

    def __init__(self, out: TextIO, width: int = 30) -> None:
        self.out = out
        self.width = width
        self._last = 0.0
        self._is_tty = out.isatty()

    def __call__(self, p: DownloadProgress) -> None:
        if p.message:
            self.out.write(("\r\033[K" if self._is_tty else "") + p.message + "\n")
        if p.phase is not Phase.DOWNLOADING or not p.total_bytes:
            self.out.flush()
            return
        now = time.monotonic()
        if now - self._last < 0.2 and p.done_bytes < p.total_bytes:
            return
        self._last = now
        frac = p.done_bytes / p.total_bytes
        filled = int(frac * self.width)
        eta = f"{int(p.eta_s) // 60}:{int(p.eta_s) % 60:02d}" if p.eta_s is not None else "--:--"
        line = (f"[{'#' * filled}{'-' * (self.width - filled)}] {frac * 100:5.1f}%  "
                f"{format_bytes(p.done_bytes)} / {format_bytes(p.total_bytes)}  "
                f"{format_bytes(p.speed_bps)}/s  ETA {eta}")
        self.out.write(("\r\033[K" + line) if self._is_tty else line + "\n")
        self.out.flush()


def run(args: argparse.Namespace) -> int:
    """Download; 0 when verified, 1 with a clear message on errors, 130 when paused."""
    from app.commands.hardware import make_plan

    try:
        report, model, plan, offload = make_plan(args)
        entry = model.file(args.quant or plan.quant)
        mirrors = resolve_mirrors(args.mirror)
    except PonderError as exc:
        print(f"ponder download: {exc}", file=sys.stderr)
        return 1
    folder = models_dir()
    target = folder / entry.filename
    if target.exists():
        print(f"{entry.filename} is already installed at {target}.")
        return 0
    print(f"Downloading {model.name} {entry.quant} (~{format_bytes(entry.size_bytes)}) "
          f"from {mirrors[0].name}: {plan.reason}", file=sys.stderr)
    remote = entry.remote_file()
    downloader = Downloader(mirrors, DownloadSettings(proxy=args.proxy))
    pause = threading.Event()
    outcome: list[DownloadResult | BaseException] = []

    def work() -> None:
        try:
            outcome.append(download_model(downloader, remote, target, ProgressBar(sys.stderr),
                                          pause=pause))
        except BaseException as exc:  # handed to the main thread
            outcome.append(exc)

    worker = threading.Thread(target=work, name="download", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        pause.set()
        print("\nPausing (the partial file is kept)…", file=sys.stderr)
        while worker.is_alive():
            try:
                worker.join(0.2)
            except KeyboardInterrupt:
                continue  # a second Ctrl+C: pausing is already under way
    result = outcome[0] if outcome else PonderError("The download stopped unexpectedly.")
    if isinstance(result, PonderError):
        print(f"\nponder download: {result}", file=sys.stderr)
        return 1
    if isinstance(result, BaseException):
        raise result
    if result.status is DownloadStatus.PAUSED:
        print("\nPaused. Run the same command again to resume.", file=sys.stderr)
        return 130
    if get_default_model(folder) == target:
        save_plan(plan)
    print(f"\nVerified (SHA-256 {result.sha256}) and saved to {target}.")
    if args.measure and entry.quant == plan.quant:
        print("Measuring the speed for 10 seconds…", file=sys.stderr)
        try:
            tps = measure_model_speed(target, n_gpu_layers=plan.n_gpu_layers)
        except PonderError as exc:
            print(f"The speed could not be measured: {exc}", file=sys.stderr)
            return 0
        measured = refine_with_measurement(report, model.shape, plan, tps, offload)
        print(measured.reason)
        if get_default_model(folder) == target:
            save_plan(measured)
    return 0
