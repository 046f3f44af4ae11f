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
import time
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.errors import StoreError

log = logging.getLogger(__name__)

SETTINGS_FILENAME = "settings.json"


SETTINGS_VERSION = 2
"""Version 2: sampling, context, threads and GPU layers may be None ("auto")."""

DEFAULT_API_PORT = 7323
"""Ponder's local API port: clashes with none of LM Studio (1234), Jan (1337),
GPT4All (4891), llama.cpp's server (8080) or Ollama (11434)."""

_V1_DEFAULTS: dict[str, Any] = {
    "n_ctx": 4096, "n_gpu_layers": -1, "n_threads": 0, "temperature": 0.6, "top_p": 0.95,
    "top_k": 40, "min_p": 0.05, "repeat_penalty": 1.0, "max_tokens": 4096, "math_mode": False,
    "api_server_port": 8080,
}
"""Version-1 files stored every default; a value equal to one of these was
never the user's choice, so migration turns it into "auto"."""


@dataclass(frozen=True)
class Settings:
    """Everything the user can set that outlives a session.

    A value of None means "auto": inherit from the model family's profile, the
    preset, or the hardware plan (app.services resolves it). Only a value the
    user chose is stored as a value, so their choice always wins.

    Attributes:
        theme: "system", "light" or "dark".
        language: UI language code, "" for the system's.
        font_size: base font size of the chat view in points.
        last_model: path of the local model loaded last, "" for none.
        backend: "local" (a model on this computer) or "remote" (a server).
        n_ctx: context length for local models; None: the plan's.
        n_gpu_layers: layers to offload (-1 all, 0 CPU only); None: the plan's.
        n_threads: CPU threads; None: automatic.
        temperature: sampling temperature; None: the family's.
        top_p: nucleus sampling; None: the family's.
        top_k: sample among the k most likely tokens (0: all); None: the family's.
        min_p: drop tokens less likely than min_p times the best one; None: the family's.
        repeat_penalty: penalty for repeated tokens (1.0: none); None: the family's.
        preset: the preset last chosen ("math", "hints", "code" or "chat").
        max_tokens: longest reply in tokens; None: the preset's.
        math_mode: append the step-by-step/boxed instruction; None: the preset's.
        thinking_budget: reasoning tokens before answering; 0 for no budget.
        show_reasoning: show the reasoning of new replies unfolded.
        send_on_enter: Enter sends, Shift+Enter adds a line (else Ctrl+Enter sends).
        remote_url: base URL of an OpenAI-compatible server.
        remote_model: model name sent to that server.
        remote_api_key: the server's key when no system keyring is available
            (the file is then readable only by the user); "" otherwise.
        api_server_enabled: run Ponder's own OpenAI-compatible API on 127.0.0.1.
        api_server_port: its port.
        window_geometry: the main window's saved geometry (base64), "" if none.
        setup_skipped: the user skipped the first-run model wizard; do not open it
            by itself again (the Models page still offers it).
        plan_quant: the quantization the hardware plan chose ("" before the plan).
        plan_n_gpu_layers: GPU layers of the saved plan.
        plan_n_ctx: context length of the saved plan.
        plan_reason: the plan's one-sentence reason.
        settings_version: the file format (see SETTINGS_VERSION).
        api_server_key: the local API's key when no system keyring is available
            ("" = none: any key is accepted on 127.0.0.1; a non-loopback bind
            refuses to start without one).
        api_server_allowed_hosts: extra host names (comma-separated) the local
            API answers besides localhost/127.0.0.1/[::1] (Host-header check
            against DNS rebinding; a LAN bind needs its names here).
        state_budget_mb: disk space (MB) for the saved conversation states
            of a local model (app.services.states); 0 keeps them in memory only.
        check_samples: answers compared by "Check this answer" (the original
            included); None: as many as the machine affords (services.tutor plans it).
        code_run_confirmed: the user ticked "Don't ask again" when first running a
            code block, so Run starts at once (app.ui.chat.run_panel).
    """

    theme: str = "system"
    language: str = ""
    font_size: int = 11
    last_model: str = ""
    backend: str = "local"
    n_ctx: int | None = None
    n_gpu_layers: int | None = None
    n_threads: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    repeat_penalty: float | None = None
    preset: str = "chat"
    max_tokens: int | None = None
    math_mode: bool | None = None
    thinking_budget: int = 0
    show_reasoning: bool = True
    send_on_enter: bool = True
    remote_url: str = ""
    remote_model: str = ""
    remote_api_key: str = ""
    api_server_enabled: bool = False
    api_server_port: int = DEFAULT_API_PORT
    window_geometry: str = ""
    setup_skipped: bool = False
    plan_quant: str = ""
    plan_n_gpu_layers: int | None = None
    plan_n_ctx: int | None = None
    plan_reason: str = ""
    settings_version: int = SETTINGS_VERSION
    api_server_key: str = ""
    api_server_allowed_hosts: str = ""
    state_budget_mb: int = 2000
    check_samples: int | None = None
    code_run_confirmed: bool = False


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
    data = _migrated(data)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        if f.name not in data:
            continue
        value = data[f.name]
        if _accepts(hints[f.name], value):
            is_float = hints[f.name] in (float, float | None)
            values[f.name] = float(value) if is_float and value is not None else value
        else:
            log.warning("settings: ignoring %s=%r (wrong type)", f.name, value)
    return Settings(**values)


def _migrated(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 object with its stored defaults turned into "auto"."""
    version = data.get("settings_version", 1)
    if isinstance(version, int) and version >= SETTINGS_VERSION:
        return data
    out = {k: v for k, v in data.items() if not (k in _V1_DEFAULTS and v == _V1_DEFAULTS[k])}
    if out.get("n_threads") == 0:
        out.pop("n_threads")
    out["settings_version"] = SETTINGS_VERSION
    return out


def with_values(settings: Settings, **values: Any) -> Settings:
    """`settings` with the given fields replaced; a None value leaves its field as it is
    (a command-line flag that was not given)."""
    return dataclasses.replace(settings, **{k: v for k, v in values.items() if v is not None})


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings; never raises for a missing or broken file.

    A file that cannot be parsed is renamed to a free `<name>.bak[.N]` (an
    earlier backup is never overwritten) so the user's data is not lost, and
    the defaults are returned.
    """
    path = settings_path() if path is None else path
    _remove_stale_temporaries(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("settings: cannot read %s (%s); using defaults", path, exc)
        _keep_backup(path, "it could not be read")
        return Settings()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        log.warning("settings: %s is not valid JSON (%s); using defaults", path, exc)
        _keep_backup(path, "it is not valid JSON")
        return Settings()
    if not isinstance(data, dict):
        log.warning("settings: %s does not hold a JSON object; using defaults", path)
        _keep_backup(path, "it does not hold settings")
        return Settings()
    return settings_from_dict(data)


def backup_path(path: Path) -> Path:
    """A free backup name: `<name>.bak`, else `<name>.bak.1`, `.bak.2`, ..."""
    candidate = path.with_name(path.name + ".bak")
    number = 0
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.bak.{number}")
    return candidate


STALE_TMP_S = 60.0
"""A save's temporary file older than this was left by a killed process."""


def _remove_stale_temporaries(path: Path) -> None:
    """Delete `<name>.*.tmp` files a killed save left behind (never a fresh one)."""
    now = time.time()
    try:
        leftovers = list(path.parent.glob(path.name + ".*.tmp"))
    except OSError:
        return
    for leftover in leftovers:
        try:
            if now - leftover.stat().st_mtime > STALE_TMP_S:
                leftover.unlink()
        except OSError:
            continue


@dataclasses.dataclass(frozen=True)
class SettingsProblem:
    """A settings file that could not be used, for the window's notice.

    Attributes:
        path: the settings file.
        backup: where the unusable file is kept now (None if it could not be moved).
        reason: what was wrong, as a short clause ("it is not valid JSON").
    """

    path: Path
    backup: Path | None
    reason: str


_load_problem: SettingsProblem | None = None


def take_load_problem() -> SettingsProblem | None:
    """The last unusable settings file `load_settings` met in this process, once."""
    global _load_problem
    problem, _load_problem = _load_problem, None
    return problem


def _keep_backup(path: Path, reason: str) -> None:
    global _load_problem
    target = backup_path(path)
    backup: Path | None = target
    try:
        os.replace(path, target)
    except OSError as exc:
        log.warning("settings: could not keep %s as a backup (%s)", path, exc)
        backup = None
    _load_problem = SettingsProblem(path, backup, reason)


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
        # mkstemp creates the file readable only by the user (it may hold an API key).
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
