"""native_model_path: Windows gets an ASCII path to the same bytes (the Windows API is
faked so this runs everywhere); other systems and ASCII paths are left alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.native_path import is_ascii_path, native_model_path

NAME = "模型 文件 Q4.gguf"


@pytest.fixture
def model(tmp_path: Path) -> Path:
    folder = tmp_path / "用户 张三" / "模型"
    folder.mkdir(parents=True)
    path = folder / NAME
    path.write_bytes(b"GGUF" + bytes(range(256)))
    return path


def _no_short(_path: str) -> str | None:
    return None


def test_unchanged_off_windows_and_for_ascii_paths(model: Path, tmp_path: Path) -> None:
    assert native_model_path(model, platform="linux") == model
    plain = tmp_path / "plain.gguf"
    plain.write_bytes(b"x")
    called: list[str] = []
    assert native_model_path(plain, platform="win32",
                             short_name=lambda p: called.append(p) or None) == plain
    assert called == []  # no Windows call for an ASCII path


def test_the_short_name_is_used_when_windows_has_one(model: Path) -> None:
    asked: list[str] = []

    def short(p: str) -> str:
        asked.append(p)
        return r"C:\Users\7E1~1\5C0F~1\MODEL~1.GGU"

    got = native_model_path(model, platform="win32", short_name=short)
    assert got == Path(r"C:\Users\7E1~1\5C0F~1\MODEL~1.GGU")
    assert asked == [os.path.abspath(model)]


def test_without_short_names_a_link_in_an_ascii_folder(model: Path, tmp_path: Path) -> None:
    links = tmp_path / "links"
    got = native_model_path(model, platform="win32", short_name=_no_short,
                            link_dirs=[tmp_path / "链接", links])
    assert got.parent == links and is_ascii_path(got) and got.suffix == ".gguf"
    assert got.read_bytes() == model.read_bytes() and os.path.samefile(got, model)
    # Asked again, the same link is reused; a different file gets another one.
    assert native_model_path(model, platform="win32", short_name=_no_short,
                             link_dirs=[links]) == got
    other = model.with_name("其他.gguf")
    other.write_bytes(b"other")
    assert native_model_path(other, platform="win32", short_name=_no_short,
                             link_dirs=[links]) != got


def test_a_short_name_that_is_not_ascii_is_not_used(model: Path, tmp_path: Path) -> None:
    got = native_model_path(model, platform="win32", short_name=lambda p: p,
                            link_dirs=[tmp_path / "links"])
    assert is_ascii_path(got) and os.path.samefile(got, model)


def test_nothing_possible_returns_the_path_itself(model: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    assert native_model_path(model, platform="win32", short_name=_no_short,
                             link_dirs=[blocker / "links"]) == model
