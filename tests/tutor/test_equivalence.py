"""Answer equivalence: the corpus through one real worker, time limits, threads, the worker's life.

Everything runs the real `ponder math-worker` process (math-verify, sympy);
the corpus shares one MathJudge because the worker's start (sympy's import)
is the slow part.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from app.core.self_command import ponder_argv
from app.tutor.equiv_text import degrees_as_radians, has_degrees, prepare, strip_wrappers
from app.tutor.equivalence import MathJudge, Verdict, compare_answers
from tests.tutor.equivalence_corpus import CORPUS

ROOT = Path(__file__).resolve().parents[2]

# 9^(9^9) = 9^387420489: sympy tries to evaluate it (hundreds of millions of
# digits); plain math-verify without its SIGALRM time-out does not finish in
# minutes (test_the_pathological_input_hangs_plain_math_verify shows it).
POWER_TOWER = r"9^{9^{9}}"


def _gone(pid: int, within_s: float) -> bool:
    """True once process `pid` no longer runs (a zombie counts as gone)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def judge() -> Iterator[MathJudge]:
    with MathJudge(time_limit_s=5.0) as shared:
        yield shared


# --- the corpus ------------------------------------------------------------------------


def test_the_corpus_is_big_and_has_every_verdict() -> None:
    verdicts = [expected for _, _, expected, _ in CORPUS]
    assert len(CORPUS) >= 60
    assert verdicts.count("not_equivalent") >= 15
    assert verdicts.count("cant_tell") >= 5
    assert len({(g, a) for g, a, _, _ in CORPUS}) == len(CORPUS)  # no pair twice


@pytest.mark.parametrize(("gold", "answer", "expected", "why"), CORPUS,
                         ids=[f"{i:02d}-{why}" for i, (_, _, _, why) in enumerate(CORPUS)])
def test_corpus_pair(judge: MathJudge, gold: str, answer: str, expected: str, why: str) -> None:
    assert judge.compare(gold, answer) == Verdict(expected), why


def test_the_corpus_gives_the_same_verdicts_both_ways_round(judge: MathJudge) -> None:
    """compare(gold, answer) is asymmetric in math-verify; group() relies on it not mattering."""
    differ = [(g, a) for g, a, expected, _ in CORPUS if judge.compare(a, g) != Verdict(expected)]
    assert differ == []


def test_nothing_unreadable_is_ever_equivalent_to_itself(judge: MathJudge) -> None:
    for text in ["asdf qwer", "the answer", r"\frac{1}{", "}{", "", "   ", r"\boxed{3"]:
        assert judge.compare(text, text) is Verdict.CANT_TELL, text
        assert judge.parses(text) is False, text


def test_an_overlong_answer_is_not_sent_to_the_worker() -> None:
    with MathJudge() as fresh:
        assert fresh.compare("1+" * 3000 + "1", "3001") is Verdict.CANT_TELL
        assert fresh.parses("1" * 6000) is False
        assert fresh.worker_pid is None  # answered without starting one


def test_the_verdict_values_are_the_interface_strings() -> None:
    assert [str(v) for v in Verdict] == ["equivalent", "not_equivalent", "cant_tell"]
    assert Verdict("cant_tell") is Verdict.CANT_TELL


# --- text clean-up (no worker) ---------------------------------------------------------


@pytest.mark.parametrize(("raw", "prepared"), [
    (r"$\frac12$", r"\frac12"),
    (r"\(0.5\)", "0.5"),
    (r"$$x$$", "x"),
    (r"\boxed{\frac{1}{2}}", r"\frac{1}{2}"),
    ("The answer is \\boxed{7}.", "7"),
    ("1/2.", "1/2"),
    ("1, 2, ...", "1, 2, ..."),
    ("√(x+1)", r"\sqrt{x+1}"),
    ("50%", r"50\%"),
    (r"50\%", r"50\%"),
    ("1e3", r"1\cdot 10^{3}"),
    (r"1\,000\,000", "1000000"),
    ("1 000 000", "1000000"),
    (r"2 \frac{1}{2}", r"2 \frac{1}{2}"),
    ("90°", r"90^\circ"),
    (r"5\text{ cm}", r"5\text{ cm}"),
    (r"\begin{pmatrix}1\\2\end{pmatrix}", r"\begin{pmatrix}1\\2\end{pmatrix}"),
    ("x=2 or x=3", "x=2 or x=3"),
])
def test_prepare_cleans_typed_answers(raw: str, prepared: str) -> None:
    assert prepare(raw) == prepared


@pytest.mark.parametrize("raw", [
    "", "  ", r"\boxed{2", "no idea", r"\text{no solution}", r"\operatorname{foo}(2)",
    "x = two", "2 3", "1 0000",
])
def test_prepare_finds_nothing_to_judge(raw: str) -> None:
    assert prepare(raw) is None


def test_strip_wrappers_takes_off_nested_delimiters() -> None:
    assert strip_wrappers(r" $\(2\)$. ") == "2"


def test_degrees_read_as_radians() -> None:
    assert has_degrees(r"\sin 60^\circ") and has_degrees(r"30^{\circ}")
    assert not has_degrees(r"\frac{\pi}{2}")
    assert degrees_as_radians(r"\sin 60^\circ") == r"\sin (60\cdot\frac{\pi}{180})"
    assert degrees_as_radians(r"{x+1}^\circ") == r"({x+1}\cdot\frac{\pi}{180})"


# --- grouping --------------------------------------------------------------------------


def test_group_makes_classes_biggest_first(judge: MathJudge) -> None:
    answers = ["3", r"\frac{1}{2}", "0.5", "1/2", r"\frac{6}{2}", "(1,2)", "(2,1)", "50\\%"]
    assert judge.group(answers) == [[1, 2, 3, 7], [0, 4], [5], [6]]


def test_group_ties_go_by_first_index(judge: MathJudge) -> None:
    assert judge.group(["2", "1", "1.0", "2.0"]) == [[0, 3], [1, 2]]


def test_group_never_merges_unreadable_answers(judge: MathJudge) -> None:
    answers = ["no idea", "7", "no idea", "", "7.0", r"\boxed{7"]
    assert judge.group(answers) == [[1, 4], [0], [2], [3], [5]]


def test_group_of_nothing_is_empty(judge: MathJudge) -> None:
    assert judge.group([]) == []


# --- the time limit, threads and the worker's life ---------------------------------------


@pytest.mark.slow
def test_the_pathological_input_hangs_plain_math_verify() -> None:
    """Without a limit of our own the power tower runs far past the judge's limit (2 s below)."""
    code = ("import sys\nfrom math_verify import parse, verify\n"
            "g = parse(sys.argv[1], parsing_timeout=None)\n"
            "a = parse('$1$', parsing_timeout=None)\n"
            "print('parsed', flush=True)\n"
            "verify(g, a, timeout_seconds=None)\nprint('done', flush=True)\n")
    with subprocess.Popen([sys.executable, "-c", code, f"${POWER_TOWER}$"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
        try:
            out, _ = proc.communicate(timeout=10)
            pytest.fail(f"plain math-verify finished the power tower: {out!r}")
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert out.startswith("parsed")  # it was the comparison that ran away, not the start


def test_a_runaway_comparison_is_cut_off_and_the_judge_recovers() -> None:
    limit = 2.0
    with MathJudge(time_limit_s=limit) as short:
        assert short.compare("1", "1") is Verdict.EQUIVALENT  # the worker is up
        first_pid = short.worker_pid
        assert first_pid is not None
        started = time.monotonic()
        assert short.compare(POWER_TOWER, "1") is Verdict.CANT_TELL
        took = time.monotonic() - started
        assert limit - 0.1 <= took <= limit + 2.0
        assert _gone(first_pid, 2.0)
        assert short.worker_pid is None  # killed; the next request starts a new one
        assert short.compare(r"\frac{1}{2}", "0.5") is Verdict.EQUIVALENT
        assert short.worker_pid not in (None, first_pid)


def test_compare_works_off_the_main_thread(judge: MathJudge) -> None:
    results: dict[int, Verdict] = {}
    pairs = [(r"\frac{1}{2}", "0.5"), ("(1,2)", "(2,1)"), ("x", "words here"), ("2", "2.0")]

    def work(index: int) -> None:
        results[index] = judge.compare(*pairs[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(pairs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {0: Verdict.EQUIVALENT, 1: Verdict.NOT_EQUIVALENT,
                       2: Verdict.CANT_TELL, 3: Verdict.EQUIVALENT}


def test_close_ends_the_worker_and_a_later_call_starts_one() -> None:
    judge = MathJudge()
    assert judge.worker_pid is None  # lazy: nothing runs before the first request
    assert judge.compare("2", "2") is Verdict.EQUIVALENT
    pid = judge.worker_pid
    assert pid is not None and psutil.pid_exists(pid)
    judge.close()
    assert judge.worker_pid is None
    assert _gone(pid, 2.0)
    assert judge.compare("2", "3") is Verdict.NOT_EQUIVALENT
    again = judge.worker_pid
    judge.close()
    assert again is not None and again != pid and _gone(again, 2.0)


def test_compare_answers_is_one_shot() -> None:
    before = {p.pid for p in psutil.Process().children()}
    assert compare_answers(r"\dfrac{3}{4}", "0.75") is Verdict.EQUIVALENT
    assert compare_answers("", "0.75") is Verdict.CANT_TELL
    assert {p.pid for p in psutil.Process().children()} <= before  # its worker is gone


PARENT = r"""
import sys, threading, time
from app.tutor.equivalence import MathJudge
judge = MathJudge(time_limit_s=120)
assert judge.compare("1", "1") == "equivalent"
print(judge.worker_pid, flush=True)
if sys.argv[1] == "busy":
    threading.Thread(target=judge.compare, args=(sys.argv[2], "1"), daemon=True).start()
    time.sleep(1.0)
    print("busy", flush=True)
time.sleep(600)
"""


def _worker_of_a_killed_parent(mode: str) -> int:
    """Start a parent process with a judge, kill it hard, return its worker's pid."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with subprocess.Popen([sys.executable, "-c", PARENT, mode, POWER_TOWER], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, text=True) as parent:
        assert parent.stdout is not None
        worker_pid = int(parent.stdout.readline())
        if mode == "busy":
            assert parent.stdout.readline().strip() == "busy"
        assert psutil.pid_exists(worker_pid)
        parent.kill()
        parent.wait()
    return worker_pid


def _gone_or_killed(pid: int, within_s: float) -> bool:
    """_gone, and a worker that outlived the wait is killed so the test leaves nothing behind."""
    if _gone(pid, within_s):
        return True
    with contextlib.suppress(psutil.NoSuchProcess):
        psutil.Process(pid).kill()
    return False


def test_the_worker_exits_when_its_parent_dies() -> None:
    """An idle worker sees its stdin end."""
    assert _gone_or_killed(_worker_of_a_killed_parent("idle"), 5.0)


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="the parent-death signal is Linux's; elsewhere stdin's end covers it")
def test_a_busy_worker_exits_when_its_parent_dies() -> None:
    """A worker stuck in one long sympy step is ended by the parent-death signal."""
    assert _gone_or_killed(_worker_of_a_killed_parent("busy"), 3.0)


def test_the_worker_command_speaks_json_lines() -> None:
    requests = [
        {"id": 1, "op": "compare", "gold": r"\frac{1}{2}", "answer": "0.5"},
        {"id": 2, "op": "parses", "text": "no idea"},
        {"id": 3, "op": "dance"},
    ]
    lines = "not json\n" + "".join(json.dumps(r) + "\n" for r in requests)
    result = subprocess.run(ponder_argv("math-worker"), input=lines, cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0  # stdin's end ends it
    assert replies[0] == {"ready": True}
    assert replies[1:] == [{"id": 1, "verdict": "equivalent"}, {"id": 2, "parses": False},
                           {"id": 3, "error": "unknown op 'dance'"}]


def test_a_worker_that_cannot_start_gives_cant_tell_and_a_sentence(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that never says ready: one wait, then quick answers until the retry time."""
    import app.tutor.equivalence as equivalence

    silent = [sys.executable, "-c", "import time; time.sleep(60)"]
    monkeypatch.setattr(equivalence, "ponder_argv", lambda *args: silent)
    monkeypatch.setattr(equivalence, "START_LIMIT_S", 0.5)
    with MathJudge() as broken:
        started = time.monotonic()
        assert broken.compare("1", "1") is Verdict.CANT_TELL
        assert 0.5 <= time.monotonic() - started < 3.0
        assert broken.problem is not None and "could not start" in broken.problem
        assert broken.worker_pid is None  # the silent child was killed
        started = time.monotonic()
        assert broken.group(["1", "1.0"]) == [[0], [1]]  # nothing readable without a worker
        assert time.monotonic() - started < 0.3  # no new start within START_RETRY_S
        monkeypatch.undo()  # the real worker command and start limit again...
        monkeypatch.setattr(equivalence, "START_RETRY_S", 0.0)  # ...and no wait for a retry
        assert broken.compare("1", "1.0") is Verdict.EQUIVALENT
        assert broken.problem is None


def test_a_failing_comparison_is_cant_tell_not_a_no(monkeypatch: pytest.MonkeyPatch) -> None:
    """math-verify counts its own failures as "no match"; the worker makes them CANT_TELL."""
    import app.tutor.equiv_worker as worker

    assert worker.judge("2", "3") == "not_equivalent"

    def out_of_memory(*_args: object, **_kwargs: object) -> bool:
        raise MemoryError

    monkeypatch.setattr(worker, "verify", out_of_memory)
    assert worker.judge("2", "3") == "cant_tell"
    assert worker.answer_request({"id": 7, "op": "compare", "gold": "2", "answer": "2"}) \
        == {"id": 7, "verdict": "cant_tell"}


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="the address-space cap is set on Linux only")
def test_the_worker_runs_under_a_memory_cap(judge: MathJudge) -> None:
    from app.tutor.equiv_worker import MEMORY_LIMIT_BYTES

    assert judge.compare("1", "1") is Verdict.EQUIVALENT
    limits = Path(f"/proc/{judge.worker_pid}/limits").read_text(encoding="utf-8")
    line = next(row for row in limits.splitlines() if row.startswith("Max address space"))
    assert int(line.split()[3]) == MEMORY_LIMIT_BYTES  # the soft limit
