"""`ponder hardware [--json]`: what this machine has and how the default model will run."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from app.core.errors import PonderError
from app.core.paths import models_dir
from app.hardware.cpu import describe_features
from app.hardware.planner import Plan, PlanOverrides
from app.hardware.types import HardwareReport
from app.models.catalog import CatalogModel, load_catalog
from app.services.setup import recommend

GIB = 1024**3


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    p = subparsers.add_parser("hardware", help="show the hardware and the plan for the model")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--model", default=None, help="catalog model id (default: the default model)")
    p.add_argument("--quant", default=None, help="plan with this quantization")
    p.add_argument("--gpu-layers", type=int, default=None, help="plan with N GPU layers (-1: all)")
    p.add_argument("--ctx", type=int, default=None, help="plan with this context length")


def make_plan(args: argparse.Namespace) -> tuple[HardwareReport, CatalogModel, Plan, bool]:
    """Probe, load the catalog and plan (app.services.setup); shared with `ponder download`."""
    catalog = load_catalog()
    model = catalog.get(args.model) if getattr(args, "model", None) else catalog.default
    overrides = PlanOverrides(
        quant=getattr(args, "quant", None),
        n_gpu_layers=getattr(args, "gpu_layers", None),
        n_ctx=getattr(args, "ctx", None),
    )
    rec = recommend(models_dir(), catalog, model, overrides=overrides)
    return rec.report, rec.model, rec.plan, rec.gpu_offload


def report_json(report: HardwareReport, model: CatalogModel, plan: Plan, offload: bool
                ) -> dict[str, Any]:
    """The JSON `ponder hardware --json` prints."""
    hw = asdict(report)
    hw["cpu"]["features"] = sorted(report.cpu.features)
    hw["gpus"] = [{**asdict(g), "kind": g.kind.value} for g in report.gpus]
    return {
        "hardware": hw,
        "gpu_offload_supported": offload,
        "model": {"id": model.id, "name": model.name, "repo_id": model.repo_id},
        "plan": asdict(plan),
    }


def report_text(report: HardwareReport, model: CatalogModel, plan: Plan, offload: bool) -> str:
    """The text `ponder hardware` prints."""
    cpu = report.cpu
    lines = [
        f"CPU:   {cpu.brand or 'unknown'} ({cpu.arch}), {cpu.physical_cores} cores / "
        f"{cpu.logical_cores} threads; SIMD: {describe_features(cpu.features)}",
        f"RAM:   {report.ram_total_bytes / GIB:.1f} GB total, "
        f"{report.ram_available_bytes / GIB:.1f} GB available",
    ]
    if not report.gpus:
        lines.append("GPU:   none found")
    for g in report.gpus:
        lines.append(f"GPU:   {g.name} ({g.kind.value}): {g.free_bytes / GIB:.1f} GB free "
                     f"of {g.total_bytes / GIB:.1f} GB")
    lines.append(f"llama.cpp GPU offload: {'yes' if offload else 'no (CPU-only build)'}")
    if report.disk_free_bytes is not None:
        lines.append(f"Disk:  {report.disk_free_bytes / 1e9:.1f} GB free at {report.disk_path}")
    layers = ("all" if plan.n_gpu_layers < 0 else str(plan.n_gpu_layers))
    lines += [
        "",
        f"Plan for {model.name}: {plan.quant}, {plan.device}, GPU layers {layers}, "
        f"context {plan.n_ctx:,}, about {plan.expected_tps:.0f} tok/s",
        f"  {plan.reason}",
    ]
    lines += [f"  Note: {w}" for w in (*plan.warnings, *report.notes)]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the hardware report and plan; 0 on success, 1 with a message on failure."""
    try:
        report, model, plan, offload = make_plan(args)
    except PonderError as exc:
        print(f"ponder hardware: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report_json(report, model, plan, offload), indent=2))
    else:
        print(report_text(report, model, plan, offload))
    return 0
