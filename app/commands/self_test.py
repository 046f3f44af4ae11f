"""`ponder --self-test [--model FILE.gguf]`: prove an installed build works.

Loads a GGUF model (the given file, else the one bundled in
``resources/models/`` of an offline build), generates a few tokens through the
real local backend, renders one message offscreen with Qt, prints one line
and exits 0. Any failure prints one line that starts with
``ponder self-test failed:`` and exits non-zero, so installers and CI can run
it on every platform without a display.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import ModelFileError, PonderError
from app.core.types import (
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    Role,
    SamplingParams,
    TextDelta,
)
from app.models.installed import bundled_models_dir

PROMPT = "Reply with one short friendly sentence about the number 7."
MAX_TOKENS = 16


@dataclass(frozen=True)
class SelfTestReport:
    """The numbers the one-line report prints.

    Attributes:
        version: Ponder's version.
        backend: the backend kind ("CPU", "CUDA", "Metal").
        model: the model file's name.
        load_s: seconds to load the model.
        tokens: tokens generated.
        tokens_per_s: decode speed.
        render_ms: milliseconds to render the reply offscreen.
        render_via: which renderer produced the HTML.
        cpu_variant: the llama.cpp CPU backend variant the portable build
            picked for this CPU ("" when the build has only one).
    """

    version: str
    backend: str
    model: str
    load_s: float
    tokens: int
    tokens_per_s: float
    render_ms: float
    render_via: str
    cpu_variant: str = ""

    def line(self) -> str:
        """The one-line report."""
        parts = [
            f"ponder {self.version} self-test ok:",
            f"backend={self.backend}",
        ]
        if self.cpu_variant:
            parts.append(f"cpu={self.cpu_variant}")
        parts += [
            f"model={self.model}",
            f"load_s={self.load_s:.2f}",
            f"tokens={self.tokens}",
            f"tok/s={self.tokens_per_s:.1f}",
            f"render_ms={self.render_ms:.1f}",
            f"render={self.render_via}",
        ]
        return " ".join(parts)


def find_model(model_path: str | None) -> Path:
    """The GGUF to test: the given path, else the first bundled one.

    Args:
        model_path: a path from ``--model``, or None.

    Raises:
        ModelFileError: the path does not exist, or no path was given and the
            build carries no model.
    """
    if model_path:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise ModelFileError(
                f"The model file {path} does not exist. Check the path given to --model."
            )
        return path
    bundled = sorted(bundled_models_dir().glob("*.gguf"))
    if not bundled:
        raise ModelFileError(
            "This build carries no model and none was given. "
            "Run `ponder --self-test --model FILE.gguf` with a GGUF file."
        )
    return bundled[0]


def _version() -> str:
    from app import __version__

    return __version__


def _generate(path: Path) -> tuple[str, str, float, int, float]:
    """Load `path` as the app would (settings, plan, GPU fallback), generate a few tokens.

    Returns (backend kind, answer, load_s, tokens, tok/s).
    """
    from app.services.loading import ModelLoader, ModelSource
    from app.store.settings import load_settings

    start = time.perf_counter()
    backend = ModelLoader().load(ModelSource(path=path), load_settings()).backend
    load_s = time.perf_counter() - start
    try:
        options = GenerateOptions(
            sampling=SamplingParams(temperature=0.0, max_tokens=MAX_TOKENS, seed=7),
            detect_loops=False,
        )
        pieces: list[str] = []
        finished: Finished | None = None
        for event in backend.generate(
            [ChatMessage(Role.USER, PROMPT)], options, GenerationControl()
        ):
            if isinstance(event, TextDelta):
                pieces.append(event.text)
            elif isinstance(event, Finished):
                finished = event
        if finished is None:
            raise PonderError("The engine ended without a result. Reinstall Ponder.")
        stats = finished.stats
        text = finished.answer or finished.reasoning or "".join(pieces)
        return backend.info.backend, text, load_s, stats.completion_tokens, stats.decode_tps
    finally:
        backend.close()


def collect_report(model_path: str | None) -> SelfTestReport:
    """Run every step and return the numbers; raises on the first failure."""
    # Before any Qt import: the self-test must run without a display.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    path = find_model(model_path)
    backend, text, load_s, tokens, tps = _generate(path)
    if tokens < 1:
        raise PonderError(
            f"The model {path.name} generated no tokens. Try another GGUF file."
        )
    _check_bundled_modules()
    from app.ui.selftest_render import render_offscreen

    rendered = render_offscreen(f"**Self-test** reply:\n\n{text}\n\n`x = 7`")
    if rendered.height < 1 or rendered.ink_pixels == 0:
        raise PonderError(
            "Qt rendered an empty message: fonts or Qt plugins are missing. "
            "Reinstall Ponder."
        )
    return SelfTestReport(
        version=_version(),
        backend=backend,
        model=path.name,
        load_s=load_s,
        tokens=tokens,
        tokens_per_s=tps,
        render_ms=rendered.ms,
        render_via=rendered.via,
        cpu_variant=os.environ.get("PONDER_CPU_VARIANT", ""),
    )


BUNDLED_MODULES = (
    "PySide6.QtNetwork",  # the one-window lock
    "app.ui.shell.single_instance",
    "starlette.applications",  # the local API
    "uvicorn.server",
    "uvicorn.protocols.http.h11_impl",
    "sympy",  # code run from an answer (ponder run-code) may import it
    "mpmath",
    "math_verify",  # the tutor's answer checks (ponder math-worker)
    "latex2sympy2_extended.latex2sympy2",
)
"""Modules the window and the local API import later; a frozen build must carry them."""


def _check_bundled_modules() -> None:
    import importlib

    for name in BUNDLED_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise PonderError(
                f"This build is missing {name} ({exc}). Reinstall Ponder."
            ) from exc


def _preload_note() -> str:
    """Why the bundled llama.cpp backend failed to preload, if the runtime hook said."""
    error = os.environ.get("PONDER_BACKEND_PRELOAD_ERROR", "")
    return f" (the llama.cpp backend did not load: {error})" if error else ""


def run_self_test(model_path: str | None) -> int:
    """Run the self-test, print one line, return the exit code.

    Args:
        model_path: the GGUF to load, or None for the bundled model.

    Returns:
        0 when everything worked, 1 on a failure the message explains.
    """
    try:
        report = collect_report(model_path)
    except PonderError as exc:
        print(f"ponder self-test failed: {exc}{_preload_note()}", flush=True)
        return 1
    except Exception as exc:  # the report must stay one line, whatever broke
        print(f"ponder self-test failed: {type(exc).__name__}: {exc}", flush=True)
        return 1
    print(report.line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_self_test(sys.argv[1] if len(sys.argv) > 1 else None))
