"""Which model the window uses: a file on this computer or a model on a server.

The window keeps its choice in the settings (`backend`, `last_model`,
`remote_url`, `remote_model`, the key through app.services.secrets); these
functions turn the settings into a ModelSource, list the local choices with
the planner's verdict, remember the last local model, and give the loaded
model family's sampling defaults.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.core.types import SamplingParams
from app.hardware.planner import Plan
from app.hardware.probe import probe_hardware
from app.hardware.types import HardwareReport
from app.models.catalog import Catalog
from app.models.installed import InstalledModel
from app.services.loading import LoadedModel, ModelSource, gpu_offload_supported
from app.services.secrets import remote_key
from app.services.setup import verdicts
from app.store.settings import Settings, load_settings, save_settings

LOCAL = "local"
REMOTE = "remote"


@dataclass(frozen=True)
class LocalChoice:
    """A model that can run on this computer.

    Attributes:
        name: what the list shows.
        path: the installed file, None for a catalog model not downloaded yet.
        catalog_id: the catalog model it is, if any.
        plan: the planner's verdict for a catalog model (None when unknown).
    """

    name: str
    path: Path | None
    catalog_id: str | None
    plan: Plan | None

    @property
    def fits(self) -> bool | None:
        """Whether the planner thinks it fits this machine (None: unknown)."""
        return self.plan.fits if self.plan is not None else None


def local_choices(installed: list[InstalledModel], catalog: Catalog,
                  plans: Mapping[str, Plan]) -> list[LocalChoice]:
    """Installed models first, then the catalog's models not installed yet.

    Args:
        installed: the models folder (app.models.installed.list_installed).
        catalog: every model Ponder can download (the 7B included).
        plans: app.services.setup.verdicts for this machine (id -> plan).
    """
    choices = [LocalChoice(m.name, m.path, m.catalog_id,
                           plans.get(m.catalog_id) if m.catalog_id else None)
               for m in installed if m.is_usable]
    have = {c.catalog_id for c in choices if c.catalog_id}
    choices += [LocalChoice(m.name, None, m.id, plans.get(m.id))
                for m in catalog.models if m.id not in have]
    return choices


def machine_verdicts(
    models_dir: Path,
    catalog: Catalog,
    *,
    probe: Callable[[Path], HardwareReport] = probe_hardware,
    gpu_offload: Callable[[], bool] = gpu_offload_supported,
) -> dict[str, Plan]:
    """Probe this machine and give the planner's verdict for every catalog model."""
    return verdicts(catalog, probe(models_dir), gpu_offload())


def source_from_settings(settings: Settings) -> ModelSource | None:
    """The model the settings choose: the server's, or the last local file; None if none."""
    if settings.backend == REMOTE and settings.remote_url and settings.remote_model:
        return ModelSource(remote_url=settings.remote_url, remote_model=settings.remote_model,
                           api_key=remote_key(settings))
    if settings.last_model and Path(settings.last_model).is_file():
        return ModelSource(path=Path(settings.last_model))
    return None


def choice_key(settings: Settings) -> tuple[str, str, str, str]:
    """What identifies the model choice (a change means: load another model)."""
    if settings.backend == REMOTE:
        return (REMOTE, settings.remote_url, settings.remote_model, "")
    return (LOCAL, "", "", settings.last_model)


def remember_loaded(source: ModelSource, settings_file: Path | None = None) -> Settings:
    """Keep what the window loaded as its choice for the next start (local or server)."""
    settings = load_settings(settings_file)
    if source.is_remote:
        updated = dataclasses.replace(settings, backend=REMOTE, remote_url=source.remote_url,
                                      remote_model=source.remote_model)
    elif source.path is not None:
        updated = dataclasses.replace(settings, backend=LOCAL,
                                      last_model=str(source.path.resolve()))
    else:
        return settings
    if updated != settings:
        save_settings(updated, settings_file)
    return updated


def family_sampling(loaded: LoadedModel | None) -> SamplingParams:
    """The loaded model family's sampling defaults (generic ones without a model)."""
    from app.chat.profile import GENERIC_PROFILE  # jinja2: not before the window paints

    profile = getattr(loaded.backend, "profile", None) if loaded is not None else None
    sampling = getattr(profile, "default_sampling", None)
    return sampling if isinstance(sampling, SamplingParams) else GENERIC_PROFILE.default_sampling
