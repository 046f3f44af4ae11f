"""Build tiny random-weight qwen2 GGUFs that tokenize and template like R1.

The model is the DeepSeek-R1-Distill-Qwen architecture (qwen2 with q/k/v
biases) shrunk to 2 layers and 64 hidden units, with random seeded weights,
but with the REAL R1 tokenizer (151,936 tokens, copied from
tests/data/r1-distill-qwen-tokenizer.gguf.gz) and a chat template of the
caller's choice. It loads in real llama.cpp in a fraction of a second, so the
engine's prompt building, prefix reuse and "Answer now" run on the real path.
Its output is random text, which is all those tests need.
"""

from __future__ import annotations

import functools
import gzip
import struct
from dataclasses import dataclass
from pathlib import Path

import gguf
import numpy as np

DATA = Path(__file__).resolve().parent.parent / "data"
TOKENIZER_GZ = DATA / "r1-distill-qwen-tokenizer.gguf.gz"
R1_TEMPLATE_FILE = DATA / "r1-distill-chat-template.jinja"

R1_NAME = "DeepSeek-R1-Distill-Qwen-Tiny-Test"

# Special tokens the R1 template and the engine rely on.
R1_SPECIAL_TOKENS = (
    "<｜begin▁of▁sentence｜>",
    "<｜end▁of▁sentence｜>",
    "<｜User｜>",
    "<｜Assistant｜>",
    "<think>",
    "</think>",
)

CHATML_WRONG_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def r1_template() -> str:
    """The older R1-distill chat template (no <think> in the generation prompt)."""
    return R1_TEMPLATE_FILE.read_text(encoding="utf-8")


def r1_template_with_think() -> str:
    """A "newer" R1 template whose generation prompt already opens <think>."""
    old = r1_template()
    tail = "{{'<｜Assistant｜>'}}{% endif %}"
    assert old.endswith(tail)
    return old[: -len(tail)] + "{{'<｜Assistant｜><think>\\n'}}{% endif %}"


@dataclass(frozen=True)
class _Tokenizer:
    tokens: list[bytes]
    token_types: list[int]
    merges: list[bytes]
    bos: int
    eos: int
    pad: int


def _read_kv(data: bytes) -> dict[str, object]:
    """Read the metadata of a GGUF v3 file (fast: GGUFReader takes ~10 s here).

    Only the value types the tokenizer file uses are handled: strings, u32,
    bool, and arrays of strings or i32.
    """
    assert data[:4] == b"GGUF" and struct.unpack_from("<I", data, 4)[0] == 3
    n_kv = struct.unpack_from("<Q", data, 16)[0]
    pos = 24
    u64 = struct.Struct("<Q").unpack_from

    def string() -> bytes:
        nonlocal pos
        (length,) = u64(data, pos)
        pos += 8 + length
        return data[pos - length : pos]

    out: dict[str, object] = {}
    for _ in range(n_kv):
        key = string().decode("utf-8")
        (vtype,) = struct.unpack_from("<I", data, pos)
        pos += 4
        if vtype == 8:
            out[key] = string()
        elif vtype == 4:
            out[key] = struct.unpack_from("<I", data, pos)[0]
            pos += 4
        elif vtype == 7:
            out[key] = bool(data[pos])
            pos += 1
        elif vtype == 9:
            (itype,) = struct.unpack_from("<I", data, pos)
            (count,) = u64(data, pos + 4)
            pos += 12
            if itype == 8:
                out[key] = [string() for _ in range(count)]
            elif itype == 5:
                out[key] = np.frombuffer(data, dtype="<i4", count=count, offset=pos).tolist()
                pos += 4 * count
            else:
                raise AssertionError(f"unexpected array type {itype} for {key}")
        else:
            raise AssertionError(f"unexpected value type {vtype} for {key}")
    return out


@functools.lru_cache(maxsize=1)
def _tokenizer() -> _Tokenizer:
    kv = _read_kv(gzip.decompress(TOKENIZER_GZ.read_bytes()))
    tokens = kv["tokenizer.ggml.tokens"]
    types = kv["tokenizer.ggml.token_type"]
    merges = kv["tokenizer.ggml.merges"]
    assert isinstance(tokens, list) and isinstance(types, list) and isinstance(merges, list)
    result = _Tokenizer(
        tokens=tokens,
        token_types=types,
        merges=merges,
        bos=int(kv["tokenizer.ggml.bos_token_id"]),  # type: ignore[call-overload]
        eos=int(kv["tokenizer.ggml.eos_token_id"]),  # type: ignore[call-overload]
        pad=int(kv["tokenizer.ggml.padding_token_id"]),  # type: ignore[call-overload]
    )
    present = {t.decode("utf-8") for t in result.tokens[151640:151670]}
    missing = [t for t in R1_SPECIAL_TOKENS if t not in present]
    assert not missing, f"tokenizer lacks {missing}"
    return result


def write_tiny_gguf(
    path: Path,
    *,
    template: str | None = None,
    name: str = R1_NAME,
    context_length: int = 4096,
    hidden: int = 64,
    layers: int = 2,
    heads: int = 4,
    kv_heads: int = 2,
    ffn: int = 128,
    seed: int = 0,
    embed_dtype: type[np.floating] = np.float16,
) -> Path:
    """Write a tiny random qwen2 GGUF with the real R1 tokenizer to `path`.

    Args:
        path: where to write.
        template: chat template stored in the file (default: the R1 one);
            "" stores none.
        name: general.name.
        context_length: qwen2.context_length.
        hidden, layers, heads, kv_heads, ffn: model shape.
        seed: seed of the random weights.
        embed_dtype: dtype of the token embedding (F16 keeps the file ~20 MB).

    Returns:
        `path`.
    """
    tok = _tokenizer()
    rng = np.random.default_rng(seed)
    n_vocab = len(tok.tokens)
    writer = gguf.GGUFWriter(path, "qwen2")
    writer.add_name(name)
    writer.add_context_length(context_length)
    writer.add_embedding_length(hidden)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_rope_freq_base(10000.0)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("deepseek-r1-qwen")
    writer.add_token_list(tok.tokens)
    writer.add_token_types(tok.token_types)
    writer.add_token_merges(tok.merges)
    writer.add_bos_token_id(tok.bos)
    writer.add_eos_token_id(tok.eos)
    writer.add_pad_token_id(tok.pad)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    chosen = r1_template() if template is None else template
    if chosen:
        writer.add_chat_template(chosen)

    def weight(*shape: int, dtype: type[np.floating] = np.float32) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.05).astype(dtype)

    head_dim = hidden // heads
    writer.add_tensor("token_embd.weight", weight(n_vocab, hidden, dtype=embed_dtype))
    writer.add_tensor("output_norm.weight", np.ones(hidden, dtype=np.float32))
    for i in range(layers):
        blk = f"blk.{i}"
        writer.add_tensor(f"{blk}.attn_norm.weight", np.ones(hidden, dtype=np.float32))
        writer.add_tensor(f"{blk}.attn_q.weight", weight(hidden, hidden))
        writer.add_tensor(f"{blk}.attn_q.bias", weight(hidden))
        writer.add_tensor(f"{blk}.attn_k.weight", weight(kv_heads * head_dim, hidden))
        writer.add_tensor(f"{blk}.attn_k.bias", weight(kv_heads * head_dim))
        writer.add_tensor(f"{blk}.attn_v.weight", weight(kv_heads * head_dim, hidden))
        writer.add_tensor(f"{blk}.attn_v.bias", weight(kv_heads * head_dim))
        writer.add_tensor(f"{blk}.attn_output.weight", weight(hidden, hidden))
        writer.add_tensor(f"{blk}.ffn_norm.weight", np.ones(hidden, dtype=np.float32))
        writer.add_tensor(f"{blk}.ffn_gate.weight", weight(ffn, hidden))
        writer.add_tensor(f"{blk}.ffn_up.weight", weight(ffn, hidden))
        writer.add_tensor(f"{blk}.ffn_down.weight", weight(hidden, ffn))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
