"""Write GGUF files byte by byte, to build valid and malformed test files.

The gguf package refuses to write broken files; these helpers write exactly
what a test asks for (any version, counts, types, offsets), so each malformed
case differs from a valid file in one place.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

STRING = 8
ARRAY = 9
UINT32 = 4
F32 = 0
Q4_0 = 2


def gguf_string(text: str | bytes, *, wide: bool = True, length: int | None = None) -> bytes:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    n = len(raw) if length is None else length
    return struct.pack("<Q" if wide else "<I", n) + raw


@dataclass
class Tensor:
    """A tensor entry; `data` defaults to zero bytes of the right size."""

    name: str
    shape: tuple[int, ...] = (8,)
    ggml_type: int = F32
    offset: int | None = None
    n_dims: int | None = None


@dataclass
class GGUFSpec:
    """What to write; fields override the counts and layout for broken files."""

    version: int = 3
    magic: bytes = b"GGUF"
    kv: list[bytes] = field(default_factory=list)
    tensors: list[Tensor] = field(default_factory=list)
    tensor_count: int | None = None
    kv_count: int | None = None
    alignment: int = 32
    data_bytes: int | None = None

    @property
    def wide(self) -> bool:
        return self.version != 1

    def kv_string(self, key: str, value: str) -> GGUFSpec:
        self.kv.append(
            gguf_string(key, wide=self.wide)
            + struct.pack("<I", STRING)
            + gguf_string(value, wide=self.wide)
        )
        return self

    def kv_u32(self, key: str, value: int) -> GGUFSpec:
        self.kv.append(gguf_string(key, wide=self.wide) + struct.pack("<II", UINT32, value))
        return self

    def kv_raw(self, raw: bytes) -> GGUFSpec:
        self.kv.append(raw)
        return self

    def build(self) -> bytes:
        count = "<Q" if self.wide else "<I"
        out = bytearray(self.magic + struct.pack("<I", self.version))
        n_tensors = len(self.tensors) if self.tensor_count is None else self.tensor_count
        n_kv = len(self.kv) if self.kv_count is None else self.kv_count
        out += struct.pack(count, n_tensors) + struct.pack(count, n_kv)
        for entry in self.kv:
            out += entry
        offset = 0
        total = 0
        for tensor in self.tensors:
            nbytes = _nbytes(tensor)
            at = offset if tensor.offset is None else tensor.offset
            out += gguf_string(tensor.name, wide=self.wide)
            n_dims = len(tensor.shape) if tensor.n_dims is None else tensor.n_dims
            out += struct.pack("<I", n_dims)
            for dim in tensor.shape:
                out += struct.pack(count, dim)
            out += struct.pack("<IQ", tensor.ggml_type, at)
            offset = at + -(-nbytes // self.alignment) * self.alignment
            total = max(total, at + nbytes)
        if self.tensors:
            out += b"\0" * (-len(out) % self.alignment)
        data = total if self.data_bytes is None else self.data_bytes
        out += bytes(range(256)) * (data // 256) + bytes(data % 256)
        return bytes(out)

    def write(self, path: Path) -> Path:
        path.write_bytes(self.build())
        return path


def _nbytes(tensor: Tensor) -> int:
    count = 1
    for dim in tensor.shape:
        count *= dim
    if tensor.ggml_type == Q4_0:
        return count // 32 * 18
    return count * 4


def valid_spec() -> GGUFSpec:
    """A small, valid GGUF: a few metadata entries and two F32 tensors."""
    spec = GGUFSpec()
    spec.kv_string("general.architecture", "llama")
    spec.kv_string("general.name", "Tiny test")
    spec.kv_u32("llama.context_length", 2048)
    spec.kv_u32("general.file_type", 0)
    spec.kv_string("tokenizer.chat_template", "{{ messages }}")
    spec.kv_u32("tokenizer.ggml.bos_token_id", 1)
    spec.kv_u32("tokenizer.ggml.eos_token_id", 2)
    spec.tensors = [Tensor("a.weight", (8, 4)), Tensor("b.weight", (64,), Q4_0)]
    return spec


def _with(**changes: object) -> bytes:
    spec = valid_spec()
    for key, value in changes.items():
        setattr(spec, key, value)
    return spec.build()


def _truncated_at(fraction: float) -> bytes:
    data = valid_spec().build()
    header_end = len(data) - (8 * 4 * 4 + 64 // 32 * 18)
    return data[: int(header_end * fraction)]


def _tensor_case(tensor: Tensor, data_bytes: int | None = None) -> bytes:
    spec = valid_spec()
    spec.tensors = [tensor]
    spec.data_bytes = data_bytes
    return spec.build()


def _kv_case(raw: bytes) -> bytes:
    spec = valid_spec()
    spec.kv.insert(1, raw)
    return spec.build()


HTML_PAGE = (
    b"<!DOCTYPE html>\n<html lang=\"en\"><head><title>404 Not Found</title></head>"
    b"<body><h1>Repository not found</h1></body></html>\n" + b" " * 64
)
LFS_POINTER = (
    b"version https://git-lfs.github.com/spec/v1\n"
    b"oid sha256:6a1a2eb6d15622bf3c96857206351ba97e1af16c30d7a74ee38970e434e9407e\n"
    b"size 1117320576\n"
)


def malformed_corpus() -> list[tuple[str, bytes, str]]:
    """(case id, file bytes, regex the error message must match) for broken GGUFs."""
    valid = valid_spec().build()
    return [
        ("empty", b"", r"is empty \(0 bytes\)"),
        ("three_bytes", b"GGU", r"only 3 bytes long"),
        ("magic_only", b"GGUF\x03\x00", r"only 6 bytes long"),
        ("wrong_magic", b"\x7fELF" + valid[4:], r"not a GGUF model .*signature"),
        ("html_page", HTML_PAGE, r"web page \(HTML\)"),
        ("lfs_pointer", LFS_POINTER, r"Git LFS pointer"),
        ("json_error", b'{"error": "Access to model is restricted"}' + b" " * 40, r"JSON"),
        ("old_ggml", b"tjgg" + valid[4:], r"old GGML format"),
        ("zip", b"PK\x03\x04" + valid[4:], r"ZIP archive"),
        ("safetensors", struct.pack("<Q", 120) + b'{"__metadata__": {}}' + b" " * 100,
         r"safetensors"),
        ("version_0", _with(version=0), r"damaged \(unknown GGUF version 0\)"),
        ("version_4", _with(version=4), r"GGUF version 4, newer"),
        ("version_99", _with(version=99), r"GGUF version 99, newer"),
        ("version_huge", _with(version=0x01000000), r"unknown GGUF version"),
        ("absurd_tensor_count", _with(tensor_count=1 << 40), r"claims 1,099,511,627,776 tensors"),
        ("absurd_kv_count", _with(kv_count=1 << 50), r"claims [\d,]+ metadata entries"),
        ("absurd_key_length", _kv_case(gguf_string("k", length=1 << 60)),
         r"metadata key claims a length"),
        ("absurd_value_length",
         _kv_case(gguf_string("general.x") + struct.pack("<I", STRING)
                  + gguf_string("v", length=1 << 33)), r"value of 'general.x' claims a length"),
        ("bad_value_type", _kv_case(gguf_string("general.x") + struct.pack("<II", 13, 0)),
         r"'general.x' has unknown type 13"),
        ("bad_array_item_type",
         _kv_case(gguf_string("general.arr") + struct.pack("<IIQ", ARRAY, 99, 3)),
         r"'general.arr' has items of unknown type 99"),
        ("absurd_array_length",
         _kv_case(gguf_string("general.arr") + struct.pack("<IIQ", ARRAY, UINT32, 1 << 62)),
         r"'general.arr' claims [\d,]+ items"),
        ("key_not_utf8", _kv_case(gguf_string(b"\xff\xfe") + struct.pack("<II", UINT32, 1)),
         r"not valid UTF-8"),
        ("truncated_header_30", valid[:30], r"ends in the middle of its header"),
        ("truncated_header_100", valid[:100], r"ends in the middle of its header"),
        ("truncated_header_half", _truncated_at(0.5), r"ends in the middle of its header"),
        ("truncated_header_tensors", _truncated_at(0.95), r"ends in the middle of its header"),
        ("truncated_data", valid[:-40], r"incomplete: it holds [\d,]+ of the [\d,]+ bytes"),
        ("no_data", _with(data_bytes=0), r"incomplete"),
        ("offset_past_end", _tensor_case(Tensor("a.weight", (8,), offset=1 << 20), 32),
         r"starts at offset 1,048,576, expected 0"),
        ("misaligned", _tensor_case(Tensor("a.weight", (8,), offset=7)), r"misaligned"),
        ("five_dims", _tensor_case(Tensor("a.weight", (2, 2, 2, 2, 2))),
         r"5 dimensions \(at most 4\)"),
        ("zero_dims", _tensor_case(Tensor("a.weight", (), n_dims=0)), r"0 dimensions"),
        ("zero_size_dim", _tensor_case(Tensor("a.weight", (8, 0))), r"impossible dimensions"),
        ("unknown_ggml_type", _tensor_case(Tensor("a.weight", (8,), ggml_type=77)),
         r"ggml type 77\) that this version of Ponder does not know"),
        ("block_mismatch", _tensor_case(Tensor("a.weight", (33,), ggml_type=Q4_0)),
         r"block size"),
        ("duplicate_tensor",
         _with(tensors=[Tensor("a.weight", (8,)), Tensor("a.weight", (8,))]),
         r"'a.weight' appears twice"),
        ("bad_alignment", _kv_case(gguf_string("general.alignment")
                                   + struct.pack("<II", UINT32, 3)), r"not a power of two"),
    ]
