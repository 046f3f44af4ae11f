"""The diagnostics report: versions, hardware, llama.cpp, last errors, nothing personal."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import __version__
from app.engine.build_info import llama_build, parse_system_info
from app.hardware.types import CpuInfo, GpuInfo, GpuKind, HardwareReport
from app.services.diagnostics import DiagnosticsInput, diagnostics_report, last_errors, redact


def _log(tmp_path: Path) -> Path:
    home = str(Path.home())
    log = tmp_path / "ponder.log"
    lines = [
        "2026-12-01 10:00:00,001 INFO app.ui: started",
        f"2026-12-01 10:00:01,002 ERROR app.engine: cannot open {home}/Models/secret.gguf",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        "2026-12-01 10:00:02,003 WARNING app.models: slow disk",
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return log


def test_last_errors_keeps_errors_and_warnings_redacted(tmp_path: Path) -> None:
    errors = last_errors(_log(tmp_path))
    assert len(errors) == 2
    assert "ERROR app.engine: cannot open ~/Models/secret.gguf" in errors[0]
    assert str(Path.home()) not in "\n".join(errors)
    assert "WARNING app.models: slow disk" in errors[1]
    assert last_errors(tmp_path / "missing.log") == []


def test_redact_hides_the_user_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "alice")
    assert redact("C:\\Users\\Alice\\x and alice@host") == "C:\\Users\\<user>\\x and <user>@host"


def test_report_lists_what_a_bug_report_needs(tmp_path: Path) -> None:
    hardware = HardwareReport(
        os_name="Linux",
        cpu=CpuInfo("x86_64", "Test CPU", 2, 4, frozenset({"avx2", "fma"})),
        ram_total_bytes=8 * 2**30,
        ram_available_bytes=4 * 2**30,
        gpus=(GpuInfo(GpuKind.CUDA, "Test GPU", 6 * 2**30, 5 * 2**30),),
    )
    report = diagnostics_report(
        DiagnosticsInput(toolkit=(("Qt", "6.11.3"), ("PySide6", "6.11.3")),
                         model_name="SmolLM2-135M-Instruct", model_backend="CPU",
                         hardware=hardware),
        log_file=_log(tmp_path),
    )
    assert f"Ponder {__version__}" in report
    assert "Qt 6.11.3" in report and "PySide6 6.11.3" in report
    assert "Test CPU (2 cores, 4 threads), features: AVX2, FMA" in report
    assert "RAM: 8.0 GiB" in report and "Test GPU (cuda, 6.0 GiB)" in report
    build = llama_build()
    assert build.version and f"llama-cpp-python: {build.version}" in report
    assert "llama.cpp backends: CPU" in report
    assert "Model: SmolLM2-135M-Instruct on CPU" in report
    assert "slow disk" in report
    assert str(Path.home()) not in report and str(tmp_path) not in report


def test_system_info_parsing() -> None:
    backends, features = parse_system_info(
        "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 0 | CUDA : ARCHS = 890 | FA_ALL_QUANTS = 1 | ")
    assert backends == ("CPU", "CUDA")
    assert "AVX2" in features and "AVX512" not in features and "SSE3" in features
