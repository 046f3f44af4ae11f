"""Write random-weight qwen2 GGUF files that run exactly like the real ones.

Decode speed depends on tensor shapes and quantization types, not on the
values, so a random-weight file with the shape of DeepSeek-R1-Distill-Qwen-1.5B
measures the same speed as the real model. The file carries the real R1
tokenizer and chat template (from `tests/data/`), so prompts tokenize and
template exactly like the real model's.

The weights are F16 (norms and biases F32), as a converter would write them;
`llama-quantize` turns the file into Q4_K_M afterwards.
"""

from __future__ import annotations

import gzip
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gguf
import numpy as np

REPO = Path(__file__).resolve().parent.parent
TOKENIZER_GZ = REPO / "tests" / "data" / "r1-distill-qwen-tokenizer.gguf.gz"
TEMPLATE = REPO / "tests" / "data" / "r1-distill-chat-template.jinja"


@dataclass(frozen=True)
class Qwen2Shape:
    """The hyper-parameters that decide a qwen2 model's size and speed.

    Attributes:
        n_layer: transformer blocks.
        n_embd: hidden size.
        n_ff: feed-forward size.
        n_head: attention heads.
        n_head_kv: key/value heads (grouped-query attention).
        n_vocab: vocabulary size (must match the tokenizer).
        n_ctx_train: trained context length written into the header.
        rope_freq_base: RoPE theta.
        rms_eps: RMS norm epsilon.
    """

    n_layer: int
    n_embd: int
    n_ff: int
    n_head: int
    n_head_kv: int
    n_vocab: int = 151936
    n_ctx_train: int = 131072
    rope_freq_base: float = 10000.0
    rms_eps: float = 1e-6

    @property
    def head_dim(self) -> int:
        """Size of one attention head."""
        return self.n_embd // self.n_head

    @property
    def n_embd_kv(self) -> int:
        """Width of the key (and value) projection."""
        return self.head_dim * self.n_head_kv


# DeepSeek-R1-Distill-Qwen-1.5B: 1,777,088,000 parameters, untied output.
R1_1_5B = Qwen2Shape(n_layer=28, n_embd=1536, n_ff=8960, n_head=12, n_head_kv=2)
# A few MB: enough for llama.cpp to load, tokenize and decode in tests.
TINY = Qwen2Shape(n_layer=2, n_embd=64, n_ff=128, n_head=4, n_head_kv=2, n_ctx_train=4096)

_F16 = np.dtype(np.float16)
_F32 = np.dtype(np.float32)


def tensor_plan(shape: Qwen2Shape) -> list[tuple[str, tuple[int, ...], np.dtype[Any]]]:
    """Tensor names, numpy shapes (rows, cols) and dtypes in file order.

    Names follow llama.cpp's qwen2 loader: q/k/v carry biases, the output
    matrix is separate from the token embedding (untied).
    """
    e, kv, ff, v = shape.n_embd, shape.n_embd_kv, shape.n_ff, shape.n_vocab
    plan: list[tuple[str, tuple[int, ...], np.dtype[Any]]] = [("token_embd.weight", (v, e), _F16)]
    for i in range(shape.n_layer):
        b = f"blk.{i}"
        plan += [
            (f"{b}.attn_norm.weight", (e,), _F32),
            (f"{b}.attn_q.weight", (e, e), _F16),
            (f"{b}.attn_q.bias", (e,), _F32),
            (f"{b}.attn_k.weight", (kv, e), _F16),
            (f"{b}.attn_k.bias", (kv,), _F32),
            (f"{b}.attn_v.weight", (kv, e), _F16),
            (f"{b}.attn_v.bias", (kv,), _F32),
            (f"{b}.attn_output.weight", (e, e), _F16),
            (f"{b}.ffn_norm.weight", (e,), _F32),
            (f"{b}.ffn_gate.weight", (ff, e), _F16),
            (f"{b}.ffn_up.weight", (ff, e), _F16),
            (f"{b}.ffn_down.weight", (e, ff), _F16),
        ]
    plan += [("output_norm.weight", (e,), _F32), ("output.weight", (v, e), _F16)]
    return plan


def parameter_count(shape: Qwen2Shape) -> int:
    """Number of weights in a model of this shape."""
    return sum(int(np.prod(dims)) for _, dims, _ in tensor_plan(shape))


_SCALARS: dict[int, str] = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f",
                            7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def _tokenizer_fields(path: Path) -> dict[str, Any]:
    """Read the key/value header of a GGUF file.

    A small reader of our own: gguf.GGUFReader maps every array element
    separately and needs over a minute for a 151k-token vocabulary.
    """
    buf = memoryview(path.read_bytes())
    pos = 0

    def unpack(fmt: str) -> Any:
        nonlocal pos
        (value,) = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return value

    def string() -> str:
        nonlocal pos
        n = unpack("<Q")
        text = bytes(buf[pos : pos + n]).decode("utf-8")
        pos += n
        return text

    def value(kind: int) -> Any:
        nonlocal pos
        if kind == 8:
            return string()
        if kind == 9:
            item, count = unpack("<I"), unpack("<Q")
            if item == 8:
                return [string() for _ in range(count)]
            fmt = _SCALARS[item]
            size = struct.calcsize(fmt)
            items = np.frombuffer(buf[pos : pos + size * count], dtype=np.dtype(fmt)).tolist()
            pos += size * count
            return items
        return unpack(_SCALARS[kind])

    if bytes(buf[:4]) != b"GGUF":
        raise ValueError(f"{path} is not a GGUF file")
    pos = 4
    unpack("<I")  # version
    unpack("<Q")  # tensor count
    fields: dict[str, Any] = {}
    for _ in range(unpack("<Q")):
        key = string()
        fields[key] = value(unpack("<I"))
    return fields


def _unzip_tokenizer(workdir: Path) -> Path:
    out = workdir / "r1-tokenizer.gguf"
    if not out.exists():
        tmp = out.with_suffix(".part")
        with gzip.open(TOKENIZER_GZ) as src, tmp.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        tmp.replace(out)
    return out


class _RandomPool:
    """Serves slices of one large random buffer so 1.8 B weights take seconds.

    Distinct tensors get different offsets; values are N(0, 0.02), like a
    trained model's scale, so nothing overflows or turns into NaN.
    """

    def __init__(self, seed: int, size: int = 1 << 22) -> None:
        rng = np.random.default_rng(seed)
        self._f32 = (rng.standard_normal(size, dtype=np.float32) * 0.02).astype(np.float32)
        self._f16 = self._f32.astype(np.float16)
        self._offset = 0

    def take(self, count: int, dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
        pool = self._f16 if dtype == _F16 else self._f32
        out = np.empty(count, dtype=dtype)
        done = 0
        while done < count:
            start = self._offset % len(pool)
            n = min(count - done, len(pool) - start)
            out[done : done + n] = pool[start : start + n]
            done += n
            self._offset += n + 7919  # a prime stride: neighbouring rows differ
        return out


def write_qwen2_gguf(out: Path, shape: Qwen2Shape, workdir: Path, seed: int = 0) -> Path:
    """Write a random-weight F16 qwen2 GGUF with the real R1 tokenizer and template.

    Args:
        out: the file to write (replaced atomically).
        shape: the model's hyper-parameters; n_vocab must be the tokenizer's.
        workdir: where the unpacked tokenizer file is kept.
        seed: random seed of the weights.

    Returns:
        `out`.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    tok = _tokenizer_fields(_unzip_tokenizer(workdir))
    tokens = tok["tokenizer.ggml.tokens"]
    if len(tokens) != shape.n_vocab:
        raise ValueError(f"tokenizer has {len(tokens)} tokens, shape wants {shape.n_vocab}")
    tmp = out.with_name(out.name + ".part")
    writer = gguf.GGUFWriter(tmp, "qwen2")
    writer.add_name("random-weight qwen2 (Ponder benchmark)")
    writer.add_context_length(shape.n_ctx_train)
    writer.add_embedding_length(shape.n_embd)
    writer.add_block_count(shape.n_layer)
    writer.add_feed_forward_length(shape.n_ff)
    writer.add_head_count(shape.n_head)
    writer.add_head_count_kv(shape.n_head_kv)
    writer.add_rope_freq_base(shape.rope_freq_base)
    writer.add_layer_norm_rms_eps(shape.rms_eps)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_tokenizer_model(tok["tokenizer.ggml.model"])
    writer.add_tokenizer_pre(tok["tokenizer.ggml.pre"])
    writer.add_token_list(tokens)
    writer.add_token_types(tok["tokenizer.ggml.token_type"])
    writer.add_token_merges(tok["tokenizer.ggml.merges"])
    writer.add_bos_token_id(tok["tokenizer.ggml.bos_token_id"])
    writer.add_eos_token_id(tok["tokenizer.ggml.eos_token_id"])
    writer.add_pad_token_id(tok["tokenizer.ggml.padding_token_id"])
    writer.add_add_bos_token(bool(tok["tokenizer.ggml.add_bos_token"]))
    writer.add_add_eos_token(bool(tok["tokenizer.ggml.add_eos_token"]))
    writer.add_chat_template(TEMPLATE.read_text(encoding="utf-8"))

    plan = tensor_plan(shape)
    for name, dims, dtype in plan:
        count = int(np.prod(dims))
        writer.add_tensor_info(name, dims, dtype, count * dtype.itemsize)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    pool = _RandomPool(seed)
    for name, dims, dtype in plan:
        if name.endswith("norm.weight"):
            data = np.ones(dims, dtype=dtype)  # RMS norm gains near 1, like trained models
        else:
            data = pool.take(int(np.prod(dims)), dtype).reshape(dims)
        writer.write_tensor_data(data)
    writer.close()
    tmp.replace(out)
    return out
