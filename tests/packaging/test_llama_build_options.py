"""The llama.cpp compile options: portable (never -march=native), per platform."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

# A faithful excerpt of llama.cpp's ggml/src/CMakeLists.txt (release b6xxx):
# the x86 block with its 14 variants, then the ARM block that must stay.
GGML_CMAKE_EXCERPT = """\
if (GGML_CPU_ALL_VARIANTS)
    if (GGML_SYSTEM_ARCH STREQUAL "x86")
        ggml_add_cpu_backend_variant(x64)
        ggml_add_cpu_backend_variant(sse42              SSE42)
        ggml_add_cpu_backend_variant(sandybridge        SSE42 AVX)
        if (NOT MSVC)
            ggml_add_cpu_backend_variant(ivybridge      SSE42 AVX F16C)
            ggml_add_cpu_backend_variant(piledriver     SSE42 AVX F16C FMA)
        endif()
        ggml_add_cpu_backend_variant(haswell            SSE42 AVX F16C FMA AVX2 BMI2)
        ggml_add_cpu_backend_variant(skylakex           SSE42 AVX F16C FMA AVX2 BMI2 AVX512)
        ggml_add_cpu_backend_variant(icelake            SSE42 AVX512 AVX512_VBMI AVX512_VNNI)
        ggml_add_cpu_backend_variant(alderlake          SSE42 AVX F16C FMA AVX2 BMI2 AVX_VNNI)
    elseif(GGML_SYSTEM_ARCH STREQUAL "ARM")
        if (CMAKE_SYSTEM_NAME MATCHES "Linux")
            ggml_add_cpu_backend_variant(armv8.0_1)
            ggml_add_cpu_backend_variant(x64_lookalike DOTPROD)
        endif()
    endif()
endif()
"""


def _built_variants(text: str) -> list[str]:
    return [line.split("(")[1].split()[0].rstrip(")") for line in text.splitlines()
            if line.strip().startswith("ggml_add_cpu_backend_variant(")]


def test_cpu_flavor_on_x86_64_linux_is_portable(build_scripts: dict[str, ModuleType]) -> None:
    flavors = build_scripts["llama_flavors"]
    flavor = flavors.flavor_for("cpu", "linux", "x86_64")
    args = flavor.cmake_args
    assert "-DGGML_NATIVE=OFF" in args
    assert not any("NATIVE=ON" in a or "march=native" in a for a in args)
    assert {"-DGGML_BACKEND_DL=ON", "-DGGML_CPU_ALL_VARIANTS=ON"} <= set(args)
    include = next(a for a in args if a.startswith("-DCMAKE_PROJECT_INCLUDE="))
    assert include.split("=", 1)[1].endswith("install_cpu_variants.cmake")
    assert flavors.VARIANTS_CMAKE.is_file()
    assert flavor.has_cpu_variants


def test_cuda_adds_cuda_and_keeps_the_cpu_variants(build_scripts: dict[str, ModuleType]) -> None:
    flavor = build_scripts["llama_flavors"].flavor_for("cuda", "win32", "AMD64")
    assert "-DGGML_CUDA=ON" in flavor.cmake_args
    assert any(a.startswith("-DCMAKE_CUDA_ARCHITECTURES=") for a in flavor.cmake_args)
    assert flavor.has_cpu_variants


def test_metal_on_apple_silicon_targets_every_m_chip(build_scripts: dict[str, ModuleType]) -> None:
    flavors = build_scripts["llama_flavors"]
    flavor = flavors.flavor_for("metal", "darwin", "arm64")
    assert "-DGGML_METAL=ON" in flavor.cmake_args
    assert "-DGGML_NATIVE=OFF" in flavor.cmake_args
    assert f"-DGGML_CPU_ARM_ARCH={flavors.APPLE_ARM_ARCH}" in flavor.cmake_args
    assert not flavor.has_cpu_variants
    assert flavors.default_flavor("darwin") == "metal"
    assert flavors.default_flavor("linux") == "cpu"


@pytest.mark.parametrize(("name", "system"), [("metal", "linux"), ("cuda", "darwin"),
                                              ("rocm", "linux")])
def test_impossible_flavors_are_refused(build_scripts: dict[str, ModuleType], name: str,
                                        system: str) -> None:
    with pytest.raises(ValueError):
        build_scripts["llama_flavors"].flavor_for(name, system, "x86_64")


def test_cache_key_follows_the_options(build_scripts: dict[str, ModuleType]) -> None:
    flavors = build_scripts["llama_flavors"]
    cpu = flavors.flavor_for("cpu", "linux", "x86_64")
    assert cpu.cache_key() == flavors.flavor_for("cpu", "linux", "x86_64").cache_key()
    assert cpu.cache_key().startswith("cpu-")
    changed = flavors.Flavor("cpu", (*cpu.cmake_args, "-DGGML_OPENMP=OFF"), True)
    assert changed.cache_key() != cpu.cache_key()
    assert cpu.cache_key("llama-cpp-python==0.3.35") != cpu.cache_key()


def test_build_env_drops_source_date_epoch(build_scripts: dict[str, ModuleType]) -> None:
    wheel = build_scripts["llama_wheel"]
    flavor = build_scripts["llama_flavors"].flavor_for("cpu", "linux", "x86_64")
    env = wheel.build_env(flavor, base={"SOURCE_DATE_EPOCH": "1700000000", "PATH": "/bin"},
                          jobs=3)
    assert "SOURCE_DATE_EPOCH" not in env
    assert env["CMAKE_ARGS"] == flavor.cmake_args_string()
    assert env["CMAKE_BUILD_PARALLEL_LEVEL"] == "3"
    assert env["PATH"] == "/bin"


def test_variant_list_is_trimmed_only_on_x86(build_scripts: dict[str, ModuleType]) -> None:
    source = build_scripts["llama_source"]
    keep = build_scripts["llama_flavors"].KEPT_X86_VARIANTS
    edited = source.limit_x86_variants(GGML_CMAKE_EXCERPT, keep)
    built = _built_variants(edited)
    x86_built = [v for v in built if v not in {"armv8.0_1", "x64_lookalike"}]
    assert x86_built == list(keep)
    # The ARM block is untouched, even a variant whose name looks like x86's.
    assert "armv8.0_1" in built and "x64_lookalike" in built
    assert "# ponder: not built: ggml_add_cpu_backend_variant(alderlake" in edited
    assert len(edited.splitlines()) == len(GGML_CMAKE_EXCERPT.splitlines())


def test_variant_trim_refuses_an_unexpected_source(build_scripts: dict[str, ModuleType]) -> None:
    source = build_scripts["llama_source"]
    with pytest.raises(source.SourceEditError, match="not found: zen9"):
        source.limit_x86_variants(GGML_CMAKE_EXCERPT, ("x64", "zen9"))
    with pytest.raises(source.SourceEditError, match="no x86 CPU variants"):
        source.limit_x86_variants("project(x)\n", ("x64",))


def test_cached_wheel_needs_a_finished_build(build_scripts: dict[str, ModuleType],
                                             tmp_path: Path) -> None:
    wheel = build_scripts["llama_wheel"]
    folder = tmp_path / "cpu-abc"
    folder.mkdir()
    (folder / "llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl").write_bytes(b"PK")
    assert wheel.cached_wheel(folder) is None, "a half-finished build must not be reused"
    (folder / "complete").write_text("args")
    assert wheel.cached_wheel(folder).name.startswith("llama_cpp_python-0.3.36")


def test_linux_cuda_keeps_static_runtime_symbols_private(
        build_scripts: dict[str, ModuleType]) -> None:
    """libggml-cuda.so exported 2,531 libstdc++ symbols without it (docs/gpu.md: numpy first)."""
    flavors = build_scripts["llama_flavors"]
    flag = "-DCMAKE_SHARED_LINKER_FLAGS=-Wl,--exclude-libs,ALL"
    assert flag in flavors.flavor_for("cuda", "linux", "x86_64").cmake_args
    assert flag not in flavors.flavor_for("cuda", "win32", "AMD64").cmake_args  # not GNU ld
    assert flag not in flavors.flavor_for("cpu", "linux", "x86_64").cmake_args
