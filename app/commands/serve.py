"""`ponder serve`: the model behind an OpenAI-compatible API, without a window.

Loads one model (as the window would: the settings, then the saved plan)
and serves it on 127.0.0.1 until Ctrl+C. It imports no Qt, writes no
settings (the window's last model stays as it was) and takes no window
lock, so it runs beside the window and `ponder chat`.

The model: `--model FILE`, else `--catalog ID` (an installed file of that
catalog model), else the window's last model, else the default installed
model. The key: `--api-key`, else the PONDER_API_KEY environment variable,
else the settings' api_server_key.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from pathlib import Path
from typing import Any

from app.core.errors import PonderError
from app.core.paths import models_dir
from app.models.catalog import Catalog, CatalogError, load_catalog
from app.models.installed import get_default_model
from app.store.settings import Settings, load_settings

log = logging.getLogger(__name__)

KEY_ENV = "PONDER_API_KEY"


def add_parser(subparsers: Any) -> None:
    """Register `ponder serve` and its options."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the model through an OpenAI-compatible API on 127.0.0.1",
        description="Serve a model through an OpenAI-compatible API (/v1/chat/completions, "
        "/v1/completions, /v1/models) until Ctrl+C. See docs/api.md.",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--model", type=Path, metavar="FILE.gguf", help="the GGUF file to serve")
    which.add_argument("--catalog", metavar="ID",
                       help="an installed catalog model, e.g. deepseek-r1-distill-qwen-1.5b")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; any other needs a key)")
    parser.add_argument("--port", type=int, default=None,
                        help="port (default: the settings', 7323 unless changed)")
    parser.add_argument("--api-key", default=None,
                        help=f"require this key (default: ${KEY_ENV}, else the settings')")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also answer requests addressed to NAME (repeatable)")
    parser.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                        help="let web pages from ORIGIN call the API (repeatable; default none)")
    parser.add_argument("--ctx", type=int, default=None, help="context length in tokens")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads")
    parser.add_argument("--gpu-layers", type=int, default=None,
                        help="layers to offload to the GPU (-1: all)")
    parser.add_argument("--verbose", action="store_true", help="log requests and llama.cpp")


def catalog_ids(catalog: Catalog | None) -> dict[str, str]:
    """Model file name (lower case) -> catalog id, offered and withheld files alike."""
    ids: dict[str, str] = {}
    for model in catalog.models if catalog is not None else ():
        for entry in (*model.files, *model.withheld):
            ids[entry.filename.lower()] = model.id
    return ids


def _catalog() -> Catalog | None:
    try:
        return load_catalog()
    except CatalogError as exc:
        log.warning("no catalog: %s", exc)
        return None


def choose_model(args: argparse.Namespace, settings: Settings, catalog: Catalog | None) -> Path:
    """The GGUF file to serve.

    Raises:
        PonderError: nothing to serve, or the catalog model is not installed.
    """
    if args.model is not None:
        return Path(args.model)
    folder = models_dir()
    if args.catalog:
        if catalog is None:
            raise PonderError("The model catalog cannot be read; use --model FILE instead.")
        model = catalog.get(args.catalog)
        for entry in (*model.files, *model.withheld):
            if (folder / entry.filename).exists():
                return folder / entry.filename
        raise PonderError(f"No file of {args.catalog} is installed in {folder}. Download it "
                          f"first: ponder download {args.catalog}")
    if settings.last_model and Path(settings.last_model).exists():
        return Path(settings.last_model)
    default = get_default_model(folder)
    if default is None:
        raise PonderError("No model to serve: pass --model FILE.gguf or --catalog ID, or "
                          "download one first (ponder download).")
    return default


def _settings(args: argparse.Namespace) -> Settings:
    changes: dict[str, Any] = {}
    for flag, key in (("ctx", "n_ctx"), ("threads", "n_threads"), ("gpu_layers", "n_gpu_layers")):
        if getattr(args, flag) is not None:
            changes[key] = getattr(args, flag)
    return dataclasses.replace(load_settings(), **changes)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C; 1 with one sentence on stderr when it cannot start."""
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from app.server.config import ServerConfig
    from app.server.runner import ApiServer
    from app.services.host import ModelHost
    from app.services.loading import ModelSource

    settings = _settings(args)
    catalog = _catalog()
    key = args.api_key or os.environ.get(KEY_ENV) or settings.api_server_key or None
    allowed = [*args.allow_host,
               *(n for n in settings.api_server_allowed_hosts.split(",") if n.strip())]
    config = ServerConfig(
        port=settings.api_server_port if args.port is None else args.port,
        host=args.host, api_key=key, allowed_hosts=tuple(allowed),
        cors_origins=tuple(args.cors_origin), catalog_ids=catalog_ids(catalog),
    )
    host = ModelHost()
    server = ApiServer(host, config)
    try:
        config.check()
        path = choose_model(args, settings, catalog)
        print(f"Loading {path.name} ...", file=sys.stderr, flush=True)
        host.load(ModelSource(path=path), settings,
                  on_fallback=lambda reason: print(reason, file=sys.stderr, flush=True))
        server.start()
    except PonderError as exc:
        print(f"ponder serve: {exc}", file=sys.stderr)
        host.unload()
        return 1
    print(f"Serving {server.state.names()[0]} on {server.address} "
          f"({'key required' if key else 'no key needed'}). Ctrl+C stops.", flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        print("Stopping.", file=sys.stderr)
    finally:
        server.stop()
        host.unload()
    return 0
