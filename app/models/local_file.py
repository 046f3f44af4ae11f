"""What a local GGUF file is: architecture, quantization, context, template.

The header check itself is ``app.core.gguf_header.check_model_file``, which
names the exact problem of a broken file; this module turns its header into
the few facts the models list and the import dialog show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.core.gguf_header import check_model_file

# llama_ftype values (general.file_type) -> quantization names, as in llama.h.
FILE_TYPES: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
    10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
    16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
    22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
    28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
}
_QUANT_IN_NAME = re.compile(
    r"(?<![A-Za-z0-9])(I?Q\d_[A-Z0-9_]*?(?:_[SML]|_XXS|_XS|_NL)?|BF16|F16|F32)(?=[.\-]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ModelFileInfo:
    """Facts about one checked GGUF model file.

    Attributes:
        path: the file.
        size_bytes: its size.
        name: general.name, or the file name without .gguf.
        architecture: general.architecture, e.g. "qwen2", "llama".
        quant: quantization name, e.g. "Q4_K_M" ("unknown" if neither the
            header nor the file name says).
        context_length: trained context, if the header says.
        has_chat_template: whether the file carries its own chat template.
        parameter_bytes: bytes of weights.
    """

    path: Path
    size_bytes: int
    name: str
    architecture: str
    quant: str
    context_length: int | None
    has_chat_template: bool
    parameter_bytes: int


def quant_from_name(filename: str) -> str | None:
    """The quantization in a file name like "Model-Q4_K_M.gguf", if any."""
    stem = filename[:-5] if filename.lower().endswith(".gguf") else filename
    match = _QUANT_IN_NAME.search(stem)
    return match.group(1).upper() if match else None


def read_model_info(path: Path) -> ModelFileInfo:
    """Check a GGUF file and read what the app shows about it.

    Raises:
        ModelFileError: the file is missing, broken, incomplete or not a
            model; the message names the problem and the next step.
    """
    header = check_model_file(path)
    ftype = header.file_type
    quant = FILE_TYPES.get(ftype) if ftype is not None else None
    return ModelFileInfo(
        path=path,
        size_bytes=header.file_size,
        name=header.name or path.name.removesuffix(".gguf"),
        architecture=header.architecture or "unknown",
        quant=quant or quant_from_name(path.name) or "unknown",
        context_length=header.context_length,
        has_chat_template=bool(header.chat_template),
        parameter_bytes=header.parameter_bytes,
    )
