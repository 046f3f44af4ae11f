"""App settings in one JSON file in the config folder.

Reading never fails: a missing file gives the defaults, unknown keys are
ignored, a value of the wrong type falls back to its default, and a file that
is not valid JSON is kept as `settings.json.bak` while the defaults are used.
Writing goes to a temporary file in the same folder that then replaces the
old one (os.replace), so a crash mid-write leaves the old settings intact.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.errors import StoreError
from app.core.types import SamplingParams

log = logging.getLogger(__name__)

SETTINGS_FILENAME = "settings.json"


_SAMPLING = SamplingParams()
"""The sampling defaults live in one place: app.core.types.SamplingParams."""


@dataclass(frozen=True)
class Settings:
    """Everything the user can set that outlives a session.

    Attributes:
        theme: "system", "light" or "dark".
        language: UI language code, "" for the system's.
        font_size: base font size of the chat view in points.
        last_model: id or path of the model loaded last, "" for none.
        n_ctx: context length for local models.
        n_gpu_layers: layers to offload (-1 all, 0 CPU only).
        n_threads: CPU threads, 0 for automatic.
        temperature: sampling temperature.
        top_p: nucleus sampling.
        top_k: sample among the k most likely tokens (0: all).
        min_p: drop tokens less likely than min_p times the best one.
        repeat_penalty: penalty for repeated tokens (1.0: none).
        preset: the preset last chosen ("math", "code" or "chat").
        max_tokens: longest reply in tokens.
        math_mode: append the step-by-step/boxed instruction to questions.
        thinking_budget: reasoning tokens before answering; 0 for no budget.
        show_reasoning: show the reasoning of new replies unfolded.
        send_on_enter: Enter sends, Shift+Enter adds a line (else Ctrl+Enter sends).
        remote_url: base URL of an OpenAI-compatible server, "" to run locally.
        remote_model: model name sent to that server.
        api_server_enabled: run Ponder's own OpenAI-compatible API on 127.0.0.1.
        api_server_port: its port.
        window_geometry: the main window's saved geometry (base64), "" if none.
        setup_skipped: the user skipped the first-run model wizard; do not open it
            by itself again (the Models page still offers it).
    """

    theme: str = "system"
    language: str = ""
    font_size: int = 11
    last_model: str = ""
    n_ctx: int = 4096
    n_gpu_layers: int = -1
    n_threads: int = 0
    temperature: float = _SAMPLING.temperature
    top_p: float = _SAMPLING.top_p
    top_k: int = _SAMPLING.top_k
    min_p: float = _SAMPLING.min_p
    repeat_penalty: float = _SAMPLING.repeat_penalty
    preset: str = "chat"
    max_tokens: int = _SAMPLING.max_tokens
    math_mode: bool = False
    thinking_budget: int = 0
    show_reasoning: bool = True
    send_on_enter: bool = True
    remote_url: str = ""
    remote_model: str = ""
    api_server_enabled: bool = False
    api_server_port: int = 8080
    window_geometry: str = ""
    setup_skipped: bool = False


def settings_path() -> Path:
    """The settings file (config_dir()/settings.json)."""
    return paths.config_dir() / SETTINGS_FILENAME


def _accepts(kind: Any, value: Any) -> bool:
    """Whether a JSON value fits a field's annotated type."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(k, value) for k in typing.get_args(kind))
    if kind is type(None):
        return value is None
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(kind, type):
        return isinstance(value, kind)
    return False


def settings_from_dict(data: dict[str, Any]) -> Settings:
    """Settings from a JSON object: unknown keys ignored, bad values defaulted."""
    hints = typing.get_type_hints(Settings)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        if f.name not in data:
            continue
        value = data[f.name]
        if _accepts(hints[f.name], value):
            values[f.name] = float(value) if hints[f.name] is float else value
        else:
            log.warning("settings: ignoring %s=%r (wrong type)", f.name, value)
    return Settings(**values)


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings; never raises for a missing or broken file.

    A file that cannot be parsed is renamed to `<name>.bak` (replacing an older
    backup) so the user's data is not lost, and the defaults are returned.
    """
    path = settings_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("settings: cannot read %s (%s); using defaults", path, exc)
        _keep_backup(path)
        return Settings()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        log.warning("settings: %s is not valid JSON (%s); using defaults", path, exc)
        _keep_backup(path)
        return Settings()
    if not isinstance(data, dict):
        log.warning("settings: %s does not hold a JSON object; using defaults", path)
        _keep_backup(path)
        return Settings()
    return settings_from_dict(data)


def _keep_backup(path: Path) -> None:
    try:
        os.replace(path, path.with_name(path.name + ".bak"))
    except OSError as exc:
        log.warning("settings: could not keep %s as a backup (%s)", path, exc)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically; return the file written.

    Raises:
        StoreError: the config folder cannot be written.
    """
    path = settings_path() if path is None else path
    text = json.dumps(dataclasses.asdict(settings), indent=2, sort_keys=True) + "\n"
    tmp_name = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except OSError as exc:
        if tmp_name:
            Path(tmp_name).unlink(missing_ok=True)
        raise StoreError(
            f"Ponder could not save its settings to {path} ({exc.strerror}). Check that "
            "the folder is writable and the disk has free space; the old settings are kept."
        ) from exc
    return path
