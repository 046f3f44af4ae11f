"""Check the model file that an offline installer carries.

The offline variant ships one GGUF (normally DeepSeek-R1-Distill-Qwen-1.5B
Q4_K_M) inside the bundle at ``resources/models/``, so the first run needs no
network. Before it goes in, the file must be a GGUF and match the SHA-256 the
release names; a wrong or truncated file would otherwise reach every user.
Stdlib only.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

GGUF_MAGIC = b"GGUF"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 4 * 1024 * 1024


class OfflineModelError(ValueError):
    """The offline model is missing, not a GGUF, or not the expected file."""


def sha256_of(path: Path) -> str:
    """The lowercase hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_offline_model(path: Path, expected_sha256: str) -> str:
    """Check that `path` is a GGUF whose SHA-256 is `expected_sha256`.

    Args:
        path: the model file given to ``--offline-model``.
        expected_sha256: the hash given to ``--expect-sha256`` (64 hex digits).

    Returns:
        The verified hash.

    Raises:
        OfflineModelError: with a sentence that says what is wrong and what to do.
    """
    expected = expected_sha256.strip().lower()
    if not _HEX64.match(expected):
        raise OfflineModelError(
            f"--expect-sha256 must be 64 hexadecimal digits, not {expected_sha256!r}. "
            "Copy the SHA-256 from the model's download page."
        )
    if not path.is_file():
        raise OfflineModelError(f"The offline model {path} does not exist. Check the path.")
    with path.open("rb") as stream:
        magic = stream.read(4)
    if magic != GGUF_MAGIC:
        raise OfflineModelError(
            f"{path.name} is not a GGUF file (it starts with {magic!r}). "
            "Download the .gguf file itself, not a web page or a Git LFS pointer."
        )
    actual = sha256_of(path)
    if actual != expected:
        raise OfflineModelError(
            f"{path.name} has SHA-256 {actual}, but {expected} was expected: the file is "
            "incomplete or a different one. Download it again and retry."
        )
    return actual
