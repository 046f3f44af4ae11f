"""What the wizard and the Models page work with; tests swap parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core import paths
from app.hardware.probe import probe_hardware
from app.hardware.types import HardwareReport
from app.models.catalog import Catalog, load_catalog
from app.models.demo import DemoModel, find_demo_models
from app.models.download import DownloadSettings
from app.models.mirrors import Mirror, resolve_mirrors
from app.models.sources import SourceSettings, load_sources
from app.services.loading import BackendBuilder, local_builder
from app.services.setup import TRIAL_QUESTION


@dataclass
class SetupDeps:
    """What the wizard and the Models page work with (tests swap parts).

    Attributes:
        models_dir: the models folder.
        catalog: the model catalog.
        mirrors: download mirrors, in order.
        download_settings: downloader knobs.
        probe: the hardware probe.
        gpu_offload: whether llama.cpp can use a GPU; None asks llama.cpp.
        build: loads one attempt of a model for services.loading.ModelLoader
            (llama.cpp by default; tests record the parameters).
        speed_seconds: length of the speed measurement after the first answer.
        question: the first test question.
        demo_models: finds a small demo model shipped in a Python package.
        sources: the user's download source and proxy; when set, the download
            step shows them and downloads through them (not `mirrors`).
        config_dir: where `sources` are saved (None: the real config folder).
    """

    models_dir: Path
    catalog: Catalog
    mirrors: list[Mirror]
    download_settings: DownloadSettings = field(default_factory=DownloadSettings)
    probe: Callable[[Path], HardwareReport] = probe_hardware
    gpu_offload: Callable[[], bool] | None = None
    build: BackendBuilder = local_builder
    speed_seconds: float = 10.0
    question: str = TRIAL_QUESTION
    demo_models: Callable[[], list[DemoModel]] = find_demo_models
    sources: SourceSettings | None = None
    config_dir: Path | None = None

    @classmethod
    def default(cls) -> SetupDeps:
        """The real folders, catalog and mirrors."""
        sources = load_sources(paths.config_dir())
        return cls(models_dir=paths.models_dir(), catalog=load_catalog(),
                   mirrors=resolve_mirrors(), sources=sources, config_dir=paths.config_dir())
