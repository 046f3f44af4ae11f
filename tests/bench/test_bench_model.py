"""The benchmark's GGUF generator writes files that real llama.cpp loads and runs."""

from __future__ import annotations

import math
from pathlib import Path

import llama_cpp
import pytest

from app.core.gguf_header import read_gguf_header
from bench._model import R1_1_5B, TINY, Qwen2Shape, parameter_count, write_qwen2_gguf

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def tiny_bench_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("bench-model")
    return write_qwen2_gguf(work / "tiny.gguf", TINY, work, seed=1)


def test_r1_shape_has_the_published_parameter_count() -> None:
    # DeepSeek-R1-Distill-Qwen-1.5B: 1,777,088,000 weights (untied output, q/k/v biases).
    assert parameter_count(R1_1_5B) == 1_777_088_000
    assert R1_1_5B.head_dim == 128 and R1_1_5B.n_embd_kv == 256


def test_header_describes_the_shape_and_exact_tensor_bytes(tiny_bench_gguf: Path) -> None:
    header = read_gguf_header(tiny_bench_gguf)
    assert header.architecture == "qwen2"
    assert header.chat_template == (DATA / "r1-distill-chat-template.jinja").read_text("utf-8")
    assert header.bos_token_id == 151646 and header.eos_token_id == 151643
    # F16 matrices, F32 norms and biases: 2 bytes per matrix weight, 4 per vector weight.
    vectors = TINY.n_layer * (2 * TINY.n_embd + TINY.n_embd + 2 * TINY.n_embd_kv) + TINY.n_embd
    assert header.parameter_bytes == 2 * (parameter_count(TINY) - vectors) + 4 * vectors
    names = {t.name for t in header.tensors}
    assert {"output.weight", "token_embd.weight", "blk.1.attn_q.bias"} <= names


def test_real_llama_cpp_loads_tokenizes_and_decodes_it(tiny_bench_gguf: Path) -> None:
    llm = llama_cpp.Llama(
        model_path=str(tiny_bench_gguf), n_ctx=256, n_threads=1, verbose=False, logits_all=True
    )
    try:
        assert llm.n_vocab() == TINY.n_vocab
        tokens = llm.tokenize("<｜User｜>1+1=?<｜Assistant｜>".encode(), add_bos=True, special=True)
        # BOS, then the user and assistant markers as single special tokens.
        assert tokens[0] == 151646
        assert tokens[1] == 151644 and tokens[-1] == 151645
        llm.eval(tokens)
        logits = llm.scores[len(tokens) - 1]
        assert all(math.isfinite(float(x)) for x in logits[:1000])
        assert float(logits.std()) > 0.0  # random weights give varied logits, not a constant
    finally:
        llm.close()


def test_vocabulary_mismatch_is_refused(tmp_path: Path) -> None:
    wrong = Qwen2Shape(n_layer=1, n_embd=64, n_ff=64, n_head=4, n_head_kv=2, n_vocab=1000)
    with pytest.raises(ValueError, match="151936 tokens"):
        write_qwen2_gguf(tmp_path / "wrong.gguf", wrong, tmp_path)
    assert not (tmp_path / "wrong.gguf").exists()
