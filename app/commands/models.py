"""`ponder models [--json]`: list installed models; set the default; delete one."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.core.errors import PonderError
from app.core.paths import models_dir
from app.models.catalog import Catalog, CatalogError, load_catalog
from app.models.installed import (
    delete_model,
    list_installed,
    list_partial_downloads,
    set_default_model,
)


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    p = subparsers.add_parser("models", help="list installed models")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--set-default", metavar="FILE", help="make this installed model the default")
    p.add_argument("--delete", metavar="FILE", help="delete this installed model")


def _catalog() -> Catalog | None:
    try:
        return load_catalog()
    except CatalogError:
        return None  # listing works without the catalog


def run(args: argparse.Namespace) -> int:
    """List (or change) installed models; 0 on success, 1 with a message on failure."""
    folder = models_dir()
    try:
        if args.set_default:
            set_default_model(folder, folder / args.set_default)
        if args.delete:
            delete_model(folder, folder / args.delete)
    except PonderError as exc:
        print(f"ponder models: {exc}", file=sys.stderr)
        return 1
    models = list_installed(folder, _catalog())
    partial = list_partial_downloads(folder)
    if args.json:
        print(json.dumps({
            "models_dir": str(folder),
            "models": [
                {
                    "file": m.file_name, "path": str(m.path), "name": m.name,
                    "size_bytes": m.size_bytes, "quant": m.quant,
                    "architecture": m.architecture, "context_length": m.context_length,
                    "has_chat_template": m.has_chat_template, "catalog_id": m.catalog_id,
                    "is_default": m.is_default, "is_link": m.is_link, "problem": m.problem,
                }
                for m in models
            ],
            "partial_downloads": [
                {"file": p.target_name, "done_bytes": p.done_bytes, "total_bytes": p.total_bytes}
                for p in partial
            ],
        }, indent=2))
        return 0
    if not models:
        print(f"No models installed in {folder}. "
              "Use `ponder download` or `ponder import FILE.gguf`.")
    for m in models:
        mark = "*" if m.is_default else " "
        ctx = f"{m.context_length:,}" if m.context_length else "?"
        line = (f"{mark} {m.file_name}  {m.size_bytes / 1e9:.2f} GB  {m.quant}  "
                f"{m.architecture}  ctx {ctx}")
        print(line + (f"\n    problem: {m.problem}" if m.problem else ""))
    for p in partial:
        total = f"{p.total_bytes / 1e9:.2f} GB" if p.total_bytes else "?"
        print(f"  (incomplete) {p.target_name}: {p.done_bytes / 1e9:.2f} of {total}; "
              "`ponder download` resumes it")
    return 0
