"""LocalBackend refuses broken files with the header check's sentence, never a crash."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import ModelFileError, ModelLoadError
from app.core.types import LoadParams
from app.engine.local import LocalBackend
from tests.support.gguf_bytes import malformed_corpus, valid_spec

CORPUS = malformed_corpus()
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("case", "data", "pattern"), CORPUS, ids=[c[0] for c in CORPUS])
def test_load_path_gives_the_specific_sentence(
    tmp_path: Path, case: str, data: bytes, pattern: str
) -> None:
    path = tmp_path / f"{case}.gguf"
    path.write_bytes(data)
    with pytest.raises(ModelFileError) as info:
        LocalBackend(LoadParams(model_path=path, n_ctx=128, n_threads=1))
    assert re.search(pattern, str(info.value))


def test_missing_and_weightless_files(tmp_path: Path, r1_tokenizer_gguf: Path) -> None:
    with pytest.raises(ModelFileError, match="does not exist"):
        LocalBackend(LoadParams(model_path=tmp_path / "missing.gguf"))
    with pytest.raises(ModelFileError, match="without any weights"):
        LocalBackend(LoadParams(model_path=r1_tokenizer_gguf))


_CHILD = """
import json, sys
from pathlib import Path
from app.core.errors import PonderError
from app.core.types import LoadParams
from app.engine.local import LocalBackend
results = {}
for name in sys.argv[1:]:
    try:
        LocalBackend(LoadParams(model_path=Path(name), n_ctx=128, n_threads=1)).close()
        results[name] = ["loaded", ""]
    except PonderError as exc:
        results[name] = [type(exc).__name__, str(exc)]
print(json.dumps(results))
"""


@pytest.mark.slow
def test_header_valid_but_unloadable_files_in_a_subprocess(tmp_path: Path) -> None:
    """Files that pass the header check but that llama.cpp cannot use: no segfault."""
    valid = valid_spec().write(tmp_path / "not-a-real-llama.gguf")  # no vocab, toy tensors
    unknown_arch = valid_spec()
    unknown_arch.kv[0] = unknown_arch.kv[0].replace(b"llama", b"zzzzz")
    other = unknown_arch.write(tmp_path / "unknown-arch.gguf")
    some_bad = []
    for case, data, _ in CORPUS[::6]:
        path = tmp_path / f"{case}.gguf"
        path.write_bytes(data)
        some_bad.append(str(path))
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(valid), str(other), *some_bad],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(proc.stdout)
    for name in (str(valid), str(other)):
        kind, message = results[name]
        assert kind == ModelLoadError.__name__
        assert "could not load" in message and "header looks fine" in message
    assert all(results[name][0] == ModelFileError.__name__ for name in some_bad)
