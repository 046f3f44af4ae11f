"""The GGUF header check: real files parse, each kind of broken file gets its sentence."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.errors import ModelFileError
from app.core.gguf_header import check_model_file, read_gguf_header, tensor_nbytes
from tests.support.gguf_bytes import GGUFSpec, Tensor, malformed_corpus, valid_spec

CORPUS = malformed_corpus()


def test_valid_handmade_file_parses_all_fields(tmp_path: Path) -> None:
    path = valid_spec().write(tmp_path / "ok.gguf")
    header = check_model_file(path)
    assert header.version == 3
    assert header.architecture == "llama"
    assert header.name == "Tiny test"
    assert header.context_length == 2048
    assert header.file_type == 0
    assert header.chat_template == "{{ messages }}"
    assert (header.bos_token_id, header.eos_token_id) == (1, 2)
    assert [t.name for t in header.tensors] == ["a.weight", "b.weight"]
    assert header.tensors[0].shape == (8, 4)
    assert header.tensors[1].offset == 128  # 8*4 floats, already aligned
    assert header.data_offset % 32 == 0
    assert header.data_offset + header.data_size == path.stat().st_size


def test_version_1_with_32_bit_counts_parses(tmp_path: Path) -> None:
    spec = GGUFSpec(version=1)
    spec.kv_string("general.architecture", "llama")
    spec.tensors = [Tensor("t", (16,))]
    header = read_gguf_header(spec.write(tmp_path / "v1.gguf"))
    assert header.version == 1
    assert header.architecture == "llama"
    assert header.tensors[0].nbytes == 64


def test_real_r1_tokenizer_header(r1_tokenizer_gguf: Path) -> None:
    header = read_gguf_header(r1_tokenizer_gguf)
    assert header.architecture == "qwen2"
    assert header.vocab_size == 151936
    assert header.bos_token_id == 151646
    assert header.eos_token_id == 151643
    assert header.add_bos_token is True
    assert header.chat_template is not None and "<｜Assistant｜>" in header.chat_template
    assert header.tensors == ()
    with pytest.raises(ModelFileError, match="without any weights"):
        check_model_file(r1_tokenizer_gguf)


def test_tiny_r1_model_written_by_gguf_package(tiny_r1_gguf: Path) -> None:
    header = check_model_file(tiny_r1_gguf)
    assert header.architecture == "qwen2"
    assert header.context_length == 4096
    assert len(header.tensors) == 2 + 2 * 12
    embd = next(t for t in header.tensors if t.name == "token_embd.weight")
    assert embd.shape == (64, 151936)
    assert embd.nbytes == 64 * 151936 * 2
    # the data section ends exactly at the end of the file
    assert header.data_offset + header.data_size == tiny_r1_gguf.stat().st_size


def test_smollm2_header(smollm2_path: Path) -> None:
    header = check_model_file(smollm2_path)
    assert header.architecture == "llama"
    assert header.chat_template is not None and "<|im_start|>" in header.chat_template
    assert header.file_type == 3  # MOSTLY_Q4_1
    assert header.data_offset + header.data_size <= smollm2_path.stat().st_size


@pytest.mark.parametrize(("case", "data", "pattern"), CORPUS, ids=[c[0] for c in CORPUS])
def test_malformed_file_gets_its_own_sentence(
    tmp_path: Path, case: str, data: bytes, pattern: str
) -> None:
    path = tmp_path / f"{case}.gguf"
    path.write_bytes(data)
    with pytest.raises(ModelFileError) as info:
        check_model_file(path)
    message = str(info.value)
    assert re.search(pattern, message), message
    assert f'"{case}.gguf"' in message  # names the file
    assert message.endswith(".")


def test_corpus_is_large_and_messages_are_distinct() -> None:
    assert len(CORPUS) >= 20
    # each corpus case differs from the valid file, and the valid file passes
    valid = valid_spec().build()
    assert all(data != valid for _, data, _ in CORPUS)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="does not exist"):
        check_model_file(tmp_path / "nope.gguf")
    with pytest.raises(ModelFileError, match="is a folder"):
        check_model_file(tmp_path)


def test_truncated_download_percentage(tmp_path: Path) -> None:
    data = valid_spec().build()
    path = tmp_path / "half.gguf"
    path.write_bytes(data[: len(data) - 82])
    with pytest.raises(ModelFileError, match=r"holds [\d,]+ of the [\d,]+ bytes .*\(\d+%\)"):
        check_model_file(path)
    # the header alone is still readable when the data is not checked
    assert read_gguf_header(path, check_data=False).name == "Tiny test"


def test_tensor_nbytes_follows_block_sizes() -> None:
    assert tensor_nbytes((4096, 4096), 12) == 4096 * 4096 // 256 * 144  # Q4_K
    assert tensor_nbytes((32, 2), 2) == 2 * 18  # Q4_0
    assert tensor_nbytes((3,), 30) == 6  # BF16
    with pytest.raises(ValueError):
        tensor_nbytes((33,), 2)


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=0, max_value=400), flips=st.lists(
    st.tuples(st.integers(min_value=0, max_value=399), st.integers(min_value=0, max_value=255)),
    max_size=4))
def test_random_damage_never_escapes_as_another_error(
    tmp_path_factory: pytest.TempPathFactory, cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(valid_spec().build())
    for pos, value in flips:
        if pos < len(data):
            data[pos] = value
    path = tmp_path_factory.mktemp("fuzz") / "m.gguf"
    path.write_bytes(bytes(data[:cut] if cut < len(data) else data))
    try:
        check_model_file(path)
    except ModelFileError as exc:
        assert str(exc)
    # a surviving file really is consistent
    else:
        header = read_gguf_header(path)
        assert header.data_offset + header.data_size <= len(data)


def test_header_bytes_layout_matches_the_spec(tmp_path: Path) -> None:
    data = valid_spec().build()
    assert data[:4] == b"GGUF"
    assert struct.unpack_from("<IQQ", data, 4) == (3, 2, 7)
