"""Read and check the header of a GGUF model file (stdlib only).

llama.cpp refuses every malformed file with the same generic "Failed to load
model" error. This reader walks the header first so that the user learns the
real reason: an empty file, a web page or Git LFS pointer saved as .gguf, an
incomplete download, a file from a newer tool. It also returns the metadata
the app needs before loading (architecture, name, context length, chat
template, special token ids) without touching the weights.

The layout (GGUF v1-v3, little-endian): magic "GGUF", version (u32), tensor
count and metadata count (u64; u32 in v1), the metadata key/value pairs, the
tensor infos (name, dims, ggml type, offset), padding to `general.alignment`
(default 32), then the tensor data.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import ModelFileError

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (1, 2, 3)
DEFAULT_ALIGNMENT = 32
MAX_DIMS = 4
# Longer strings than this in a header are damage, not data (the largest real
# values, chat templates, are a few tens of KiB).
MAX_STRING_BYTES = 64 * 1024 * 1024
# Arrays this small are kept in `metadata`; longer ones (the vocabulary) only
# as their length.
SMALL_ARRAY = 64

# ggml tensor type -> (elements per block, bytes per block), as in ggml.h.
GGML_TYPE_SIZES: dict[int, tuple[int, int]] = {
    0: (1, 4),  # F32
    1: (1, 2),  # F16
    2: (32, 18),  # Q4_0
    3: (32, 20),  # Q4_1
    6: (32, 22),  # Q5_0
    7: (32, 24),  # Q5_1
    8: (32, 34),  # Q8_0
    9: (32, 40),  # Q8_1
    10: (256, 84),  # Q2_K
    11: (256, 110),  # Q3_K
    12: (256, 144),  # Q4_K
    13: (256, 176),  # Q5_K
    14: (256, 210),  # Q6_K
    15: (256, 292),  # Q8_K
    16: (256, 66),  # IQ2_XXS
    17: (256, 74),  # IQ2_XS
    18: (256, 98),  # IQ3_XXS
    19: (256, 50),  # IQ1_S
    20: (32, 18),  # IQ4_NL
    21: (256, 110),  # IQ3_S
    22: (256, 82),  # IQ2_S
    23: (256, 136),  # IQ4_XS
    24: (1, 1),  # I8
    25: (1, 2),  # I16
    26: (1, 4),  # I32
    27: (1, 8),  # I64
    28: (1, 8),  # F64
    29: (256, 56),  # IQ1_M
    30: (1, 2),  # BF16
    34: (256, 54),  # TQ1_0
    35: (256, 66),  # TQ2_0
    39: (32, 17),  # MXFP4
}

# GGUF metadata value types: id -> (struct format, size) for fixed-size ones.
_SCALARS: dict[int, tuple[str, int]] = {
    0: ("<B", 1),
    1: ("<b", 1),
    2: ("<H", 2),
    3: ("<h", 2),
    4: ("<I", 4),
    5: ("<i", 4),
    6: ("<f", 4),
    7: ("<?", 1),
    10: ("<Q", 8),
    11: ("<q", 8),
    12: ("<d", 8),
}
_STRING = 8
_ARRAY = 9

# Counts above these are damage even when the file is large; below them a
# count the file cannot hold means the header was cut off.
PLAUSIBLE_COUNT = 1 << 16
PLAUSIBLE_ARRAY = 1 << 24


@dataclass(frozen=True)
class ArrayInfo:
    """A long metadata array, kept only as its element type and length."""

    value_type: int
    length: int


MetadataValue = int | float | bool | str | tuple[object, ...] | ArrayInfo


@dataclass(frozen=True)
class TensorInfo:
    """One tensor as the header describes it.

    Attributes:
        name: tensor name, e.g. "blk.0.attn_q.weight".
        shape: dimensions, innermost first (as ggml stores them).
        ggml_type: the ggml type id (see GGML_TYPE_SIZES).
        offset: byte offset inside the data section.
        nbytes: bytes of data the tensor needs.
    """

    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class GGUFHeader:
    """What the header of a GGUF file says.

    Attributes:
        path: the file.
        file_size: its size in bytes.
        version: GGUF version (1-3).
        metadata: all key/value pairs; long arrays appear as ArrayInfo.
        tensors: the tensor infos in file order.
        alignment: data alignment (general.alignment, default 32).
        data_offset: where the tensor data section starts.
        data_size: bytes the tensors need after data_offset.
    """

    path: Path
    file_size: int
    version: int
    metadata: dict[str, MetadataValue]
    tensors: tuple[TensorInfo, ...]
    alignment: int
    data_offset: int
    data_size: int
    vocab_size: int = 0

    def _get(self, key: str) -> MetadataValue | None:
        return self.metadata.get(key)

    def _get_str(self, key: str) -> str | None:
        value = self.metadata.get(key)
        return value if isinstance(value, str) else None

    def _get_int(self, key: str) -> int | None:
        value = self.metadata.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return value

    @property
    def architecture(self) -> str:
        """general.architecture, e.g. "qwen2" ("" when missing)."""
        return self._get_str("general.architecture") or ""

    @property
    def name(self) -> str:
        """general.name ("" when missing)."""
        return self._get_str("general.name") or ""

    @property
    def file_type(self) -> int | None:
        """general.file_type: the llama_ftype of the quantization."""
        return self._get_int("general.file_type")

    @property
    def context_length(self) -> int | None:
        """<arch>.context_length: the context the model was trained for."""
        return self._get_int(f"{self.architecture}.context_length")

    @property
    def chat_template(self) -> str | None:
        """tokenizer.chat_template, the Jinja chat template, if any."""
        return self._get_str("tokenizer.chat_template")

    @property
    def bos_token_id(self) -> int | None:
        """tokenizer.ggml.bos_token_id."""
        return self._get_int("tokenizer.ggml.bos_token_id")

    @property
    def eos_token_id(self) -> int | None:
        """tokenizer.ggml.eos_token_id."""
        return self._get_int("tokenizer.ggml.eos_token_id")

    @property
    def add_bos_token(self) -> bool | None:
        """tokenizer.ggml.add_bos_token: whether tokenizing adds BOS."""
        value = self._get("tokenizer.ggml.add_bos_token")
        return value if isinstance(value, bool) else None

    @property
    def parameter_bytes(self) -> int:
        """Total tensor bytes (what loading needs in RAM or VRAM)."""
        return sum(t.nbytes for t in self.tensors)


def tensor_nbytes(shape: tuple[int, ...], ggml_type: int) -> int:
    """Bytes a tensor of `shape` and `ggml_type` occupies.

    Raises:
        KeyError: the type is unknown.
        ValueError: the innermost dimension is not a whole number of blocks.
    """
    block, size = GGML_TYPE_SIZES[ggml_type]
    count = 1
    for dim in shape:
        count *= dim
    if shape and shape[0] % block:
        raise ValueError("row not a multiple of the block size")
    return count // block * size


def _damaged(label: str, detail: str) -> ModelFileError:
    return ModelFileError(
        f"The model file {label} is damaged ({detail}). "
        "Download it again, or pick another copy of the model."
    )


class _Truncated(Exception):
    """The header ends before a field it announced."""


class _Cursor:
    """Reads little-endian fields from a buffer; raises _Truncated at the end."""

    def __init__(self, buf: bytes | mmap.mmap, wide: bool) -> None:
        self.buf = buf
        self.pos = 0
        self.size = len(buf)
        self._count_fmt = "<Q" if wide else "<I"
        self.count_size = 8 if wide else 4

    def unpack(self, fmt: str, size: int) -> object:
        if self.pos + size > self.size:
            raise _Truncated
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return value

    def u32(self) -> int:
        value = self.unpack("<I", 4)
        assert isinstance(value, int)
        return value

    def u64(self) -> int:
        value = self.unpack("<Q", 8)
        assert isinstance(value, int)
        return value

    def count(self) -> int:
        value = self.unpack(self._count_fmt, self.count_size)
        assert isinstance(value, int)
        return value

    def string_length(self, what: str, label: str) -> int:
        length = self.count()
        if length > MAX_STRING_BYTES:
            raise _damaged(label, f"{what} claims a length of {length:,} bytes")
        if length > self.size - self.pos:
            # A plausible length that runs past the end: a cut-off header.
            raise _Truncated
        return length

    def string(self, what: str, label: str) -> str:
        length = self.string_length(what, label)
        raw = bytes(self.buf[self.pos : self.pos + length])
        self.pos += length
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _damaged(label, f"{what} is not valid UTF-8 text") from None

    def skip(self, nbytes: int) -> None:
        if self.pos + nbytes > self.size:
            raise _Truncated
        self.pos += nbytes


def _foreign_format_message(head: bytes, label: str) -> str:
    """A sentence for a file that does not start with the GGUF magic."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"version https://git-lfs"):
        return (
            f"The model file {label} is a Git LFS pointer (a small placeholder text), "
            "not the model itself. Fetch the real file with `git lfs pull`, "
            "or download the .gguf file directly."
        )
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml", b"<body")) or (
        b"<html" in text[:1024]
    ):
        return (
            f"The model file {label} is a web page (HTML) saved under a .gguf name, "
            "not a model. The download link probably pointed to a page (or an error "
            "or login page); download the file itself again."
        )
    if text.startswith((b"{", b"[")):
        return (
            f"The model file {label} is a JSON text file, not a GGUF model "
            "(perhaps an error message from a server). Download the model again."
        )
    if head[:4] in (b"lmgg", b"fmgg", b"tjgg"):
        return (
            f"The model file {label} uses the old GGML format, which llama.cpp no "
            "longer reads. Download a GGUF version of the model."
        )
    if head.startswith(b"PK\x03\x04"):
        return (
            f"The model file {label} is a ZIP archive (perhaps a PyTorch checkpoint), "
            "not a GGUF model. Unpack it, or download a GGUF version of the model."
        )
    if len(head) >= 10 and head[8:10] == b'{"':
        return (
            f"The model file {label} is a safetensors file, not a GGUF model. "
            "Download a GGUF version, or convert it with llama.cpp's converter."
        )
    return (
        f"The model file {label} is not a GGUF model (it does not start with the "
        "GGUF signature). Ponder reads .gguf files; download a GGUF version of the model."
    )


def _incomplete_message(label: str, have: int, need: int) -> str:
    percent = 100.0 * have / need if need else 0.0
    return (
        f"The model file {label} is incomplete: it holds {have:,} of the {need:,} "
        f"bytes its weights need ({percent:.0f}%). The download was probably "
        "interrupted; resume it or download the file again."
    )


def read_gguf_header(path: Path | str, *, check_data: bool = True) -> GGUFHeader:
    """Read and check the header of the GGUF file at `path`.

    Args:
        path: the file.
        check_data: also check that the file holds all the tensor data the
            header announces (catches incomplete downloads).

    Returns:
        The parsed header.

    Raises:
        ModelFileError: the file is missing, not a GGUF, damaged, from an
            unsupported version, or incomplete; the message says which and
            what to do.
    """
    path = Path(path)
    label = f'"{path.name}"'
    try:
        if path.is_dir():
            raise ModelFileError(
                f"{path} is a folder, not a model file. Choose the .gguf file inside it."
            )
        size = path.stat().st_size
        with path.open("rb") as handle:
            if size == 0:
                raise ModelFileError(
                    f"The model file {label} is empty (0 bytes): its download or copy "
                    "failed. Download it again."
                )
            if size < 24:
                head = handle.read(size)
                if head[:4] == GGUF_MAGIC or GGUF_MAGIC.startswith(head):
                    raise ModelFileError(
                        f"The model file {label} is only {size} bytes long, far too short "
                        "for a model: the download stopped right at the start. "
                        "Download it again."
                    )
                raise ModelFileError(_foreign_format_message(head, label))
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
                return _parse(buf, path, label, size, check_data)
    except FileNotFoundError:
        raise ModelFileError(
            f"The model file {path} does not exist. Check the path, "
            "or download the model again."
        ) from None
    except PermissionError:
        raise ModelFileError(
            f"Ponder may not read the model file {path}. Check its permissions."
        ) from None
    except OSError as exc:
        raise ModelFileError(
            f"The model file {path} cannot be read ({exc.strerror or exc}). "
            "Check the disk and the path."
        ) from None


def _parse(
    buf: mmap.mmap, path: Path, label: str, size: int, check_data: bool
) -> GGUFHeader:
    head = bytes(buf[:1024])
    if head[:4] != GGUF_MAGIC:
        raise ModelFileError(_foreign_format_message(head, label))
    (version,) = struct.unpack_from("<I", buf, 4)
    if version not in SUPPORTED_VERSIONS:
        if version > 3 and version < 256:
            raise ModelFileError(
                f"The model file {label} uses GGUF version {version}, newer than this "
                "version of Ponder reads (1 to 3). Update Ponder, or download the "
                "model converted for current llama.cpp."
            )
        raise _damaged(label, f"unknown GGUF version {version}")
    cur = _Cursor(buf, wide=version >= 2)
    cur.pos = 8
    try:
        return _parse_body(cur, path, label, size, version, check_data)
    except _Truncated:
        raise ModelFileError(
            f"The model file {label} ends in the middle of its header (after "
            f"{size:,} bytes): the download is incomplete. Download it again."
        ) from None


def _parse_body(
    cur: _Cursor, path: Path, label: str, size: int, version: int, check_data: bool
) -> GGUFHeader:
    n_tensors = cur.count()
    n_kv = cur.count()
    # Smallest possible entries: a tensor info is name length + 1 byte +
    # n_dims + one dim + type + offset; a key/value is key length + 1 byte +
    # type + a 1-byte value.
    width = 8 if version >= 2 else 4
    min_tensor = width + 1 + 4 + width + 4 + 8
    min_kv = width + 1 + 4 + 1
    if n_tensors * min_tensor > size and n_tensors > PLAUSIBLE_COUNT:
        raise _damaged(label, f"it claims {n_tensors:,} tensors, more than the file can hold")
    if n_kv * min_kv > size and n_kv > PLAUSIBLE_COUNT:
        raise _damaged(
            label, f"it claims {n_kv:,} metadata entries, more than the file can hold"
        )

    metadata: dict[str, MetadataValue] = {}
    vocab_size = 0
    for _ in range(n_kv):
        key = cur.string("a metadata key", label)
        value_type = cur.u32()
        value = _read_value(cur, value_type, key, label)
        metadata[key] = value
        if key == "tokenizer.ggml.tokens" and isinstance(value, ArrayInfo | tuple):
            vocab_size = value.length if isinstance(value, ArrayInfo) else len(value)

    alignment = DEFAULT_ALIGNMENT
    align_value = metadata.get("general.alignment")
    if align_value is not None:
        if (
            isinstance(align_value, bool)
            or not isinstance(align_value, int)
            or align_value <= 0
            or align_value & (align_value - 1)
        ):
            raise _damaged(label, f"general.alignment is {align_value!r}, not a power of two")
        alignment = align_value

    tensors: list[TensorInfo] = []
    names: set[str] = set()
    expected_offset = 0
    for _ in range(n_tensors):
        name = cur.string("a tensor name", label)
        n_dims = cur.u32()
        if n_dims == 0 or n_dims > MAX_DIMS:
            raise _damaged(label, f"tensor {name!r} has {n_dims} dimensions (at most 4)")
        shape = tuple(cur.count() for _ in range(n_dims))
        ggml_type = cur.u32()
        offset = cur.u64()
        if name in names:
            raise _damaged(label, f"tensor {name!r} appears twice")
        names.add(name)
        if ggml_type not in GGML_TYPE_SIZES:
            raise ModelFileError(
                f"The model file {label} stores tensor {name!r} in a format (ggml type "
                f"{ggml_type}) that this version of Ponder does not know. Update Ponder, "
                "or download another quantization of the model."
            )
        if any(dim <= 0 or dim >= 1 << 40 for dim in shape):
            raise _damaged(label, f"tensor {name!r} has impossible dimensions {shape}")
        try:
            nbytes = tensor_nbytes(shape, ggml_type)
        except ValueError:
            raise _damaged(
                label, f"tensor {name!r} rows do not fit its type's block size"
            ) from None
        if offset % alignment:
            raise _damaged(label, f"tensor {name!r} data is misaligned (offset {offset:,})")
        if offset != expected_offset:
            # llama.cpp lays tensors out back to back, each padded to the
            # alignment, and refuses anything else.
            raise _damaged(
                label, f"tensor {name!r} starts at offset {offset:,}, expected {expected_offset:,}"
            )
        expected_offset += -(-nbytes // alignment) * alignment
        tensors.append(TensorInfo(name, shape, ggml_type, offset, nbytes))

    data_offset = -(-cur.pos // alignment) * alignment
    data_size = max((t.offset + t.nbytes for t in tensors), default=0)
    header = GGUFHeader(
        path=path,
        file_size=size,
        version=version,
        metadata=metadata,
        tensors=tuple(tensors),
        alignment=alignment,
        data_offset=data_offset,
        data_size=data_size,
        vocab_size=vocab_size,
    )
    if check_data and tensors:
        need = data_offset + data_size
        if need > size:
            raise ModelFileError(_incomplete_message(label, size, need))
    return header


def _skip_strings(cur: _Cursor, count: int, key: str, label: str) -> None:
    """Skip `count` strings fast (the vocabulary holds ~150k of them)."""
    unpack = struct.Struct("<Q" if cur.count_size == 8 else "<I").unpack_from
    width = cur.count_size
    buf, pos, end = cur.buf, cur.pos, cur.size
    for _ in range(count):
        if pos + width > end:
            raise _Truncated
        (length,) = unpack(buf, pos)
        if length > MAX_STRING_BYTES:
            raise _damaged(label, f"an item of {key!r} claims a length of {length:,} bytes")
        pos += width + length
    if pos > end:
        raise _Truncated
    cur.pos = pos


def _read_value(cur: _Cursor, value_type: int, key: str, label: str) -> MetadataValue:
    scalar = _SCALARS.get(value_type)
    if scalar is not None:
        value = cur.unpack(*scalar)
        assert isinstance(value, int | float | bool)
        return value
    if value_type == _STRING:
        return cur.string(f"the value of {key!r}", label)
    if value_type == _ARRAY:
        item_type = cur.u32()
        length = cur.count()
        item = _SCALARS.get(item_type)
        if item is not None:
            if length > PLAUSIBLE_ARRAY:
                raise _damaged(label, f"array {key!r} claims {length:,} items")
            if length * item[1] > cur.size - cur.pos:
                raise _Truncated
            if length <= SMALL_ARRAY:
                return tuple(cur.unpack(*item) for _ in range(length))
            cur.skip(length * item[1])
            return ArrayInfo(item_type, length)
        if item_type == _STRING:
            # Each string needs at least its length field.
            if length > PLAUSIBLE_ARRAY:
                raise _damaged(label, f"array {key!r} claims {length:,} items")
            if length * cur.count_size > cur.size - cur.pos:
                raise _Truncated
            if length <= SMALL_ARRAY:
                return tuple(cur.string(f"an item of {key!r}", label) for _ in range(length))
            _skip_strings(cur, length, key, label)
            return ArrayInfo(item_type, length)
        raise _damaged(label, f"array {key!r} has items of unknown type {item_type}")
    raise _damaged(label, f"metadata entry {key!r} has unknown type {value_type}")


def check_model_file(path: Path | str) -> GGUFHeader:
    """Check that `path` is a complete GGUF model with weights.

    Like read_gguf_header, and also refuses a GGUF that holds no tensors
    (a vocabulary-only file), which llama.cpp cannot run.

    Raises:
        ModelFileError: with a sentence that names the problem.
    """
    header = read_gguf_header(path, check_data=True)
    if not header.tensors:
        raise ModelFileError(
            f'The file "{header.path.name}" is a GGUF without any weights (only a '
            "vocabulary or metadata), so it cannot answer. Choose the full model file."
        )
    return header
