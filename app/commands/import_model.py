"""`ponder import FILE.gguf`: bring a local GGUF into the models folder (offline)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.core.errors import PonderError
from app.core.paths import models_dir
from app.models.catalog import CatalogError, load_catalog
from app.models.importer import ImportMode
from app.services.library import import_model


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    p = subparsers.add_parser("import", help="import a GGUF file you already have")
    p.add_argument("file", type=Path, help="the .gguf file")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--hardlink", action="store_const", const=ImportMode.HARDLINK, dest="mode",
                     help="hard-link instead of copying (same drive)")
    how.add_argument("--symlink", action="store_const", const=ImportMode.SYMLINK, dest="mode",
                     help="link to the file where it is instead of copying")
    p.add_argument("--default", action="store_true", help="make it the default model")


def run(args: argparse.Namespace) -> int:
    """Import the file; 0 on success, 1 with a clear message otherwise."""
    folder = models_dir()
    try:
        try:
            catalog = load_catalog()
        except CatalogError:
            catalog = None
        model = import_model(args.file, folder, mode=args.mode or ImportMode.COPY,
                             catalog=catalog, make_default=args.default)
    except PonderError as exc:
        print(f"ponder import: {exc}", file=sys.stderr)
        return 1
    ctx = f"{model.context_length:,}" if model.context_length else "unknown"
    print(f"Imported {model.file_name}: {model.architecture}, {model.quant}, context {ctx}, "
          f"{model.size_bytes / 1e9:.2f} GB -> {model.path}")
    return 0
