"""The vote's logic and the check plan: grouping, early decision, saving, the k rule."""

from __future__ import annotations

import json
import threading
from fractions import Fraction
from pathlib import Path

import pytest

from app.core.errors import BackendError, PonderError
from app.core.types import ChatMessage, GenerateOptions, GenerationControl, Role, SamplingParams
from app.engine.fake import FakeBackend
from app.services.host import ModelHost
from app.services.loading import LoadedModel, ModelSource
from app.services.tutor import run_check, sample_options
from app.tutor.vote import (
    EQUIVALENT,
    CheckPlan,
    Group,
    Sample,
    Tally,
    VoteFinished,
    VoteResult,
    original_sample,
)
from app.tutor.vote_plan import (
    DEFAULT_BUDGET,
    MAX_SAMPLES,
    MIN_BUDGET,
    Machine,
    batch_speedup,
    check_seconds,
    default_samples,
    efficient_batch,
    plan_for,
)


class FractionJudge:
    """A small judge of our own: plain numbers and fractions compare by value."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def compare(self, gold: str, answer: str) -> str:
        self.calls.append((gold, answer))
        try:
            same = _value(gold) == _value(answer)
        except (ValueError, ZeroDivisionError):
            return "cant_tell"
        return EQUIVALENT if same else "not_equivalent"


class BrokenJudge:
    def compare(self, gold: str, answer: str) -> str:
        raise RuntimeError("the worker died")


def _value(text: str) -> Fraction:
    text = text.replace("\\frac{", "").replace("}{", "/").replace("}", "").replace(" ", "")
    return Fraction(text)


def _sample(index: int, answer: str | None, tokens: int = 10) -> Sample:
    return Sample(index, f"so \\boxed{{{answer}}}" if answer else "no idea", "think",
                  answer, tokens, "eos")


def _cpu(cores: int = 2, n_ctx: int = 32768, tps: float = 10.0) -> Machine:
    return Machine(cores=cores, on_gpu=False, is_remote=False, n_ctx=n_ctx, decode_tps=tps)


# -- tally ---------------------------------------------------------------------


def test_equivalent_answers_group_through_the_judge_and_summary_counts_them() -> None:
    judge = FractionJudge()
    tally = Tally(judge, 5)
    tally.add(original_sample("It is \\boxed{0.5}", "", "0.5"))
    for index, answer in ((1, "\\frac{1}{2}"), (2, "1/3"), (3, "1/2"), (4, None)):
        tally.add(_sample(index, answer))
    result = tally.result()
    assert [(g.answer, g.members) for g in result.groups] == [("0.5", [0, 1, 3]), ("1/3", [2])]
    assert result.majority is not None and result.majority.members == [0, 1, 3]
    assert result.done == 5 and result.total == 5
    assert result.summary() == "3 of 5 agree: 0.5"
    assert judge.calls[0] == ("0.5", "\\frac{1}{2}")


def test_identical_spellings_need_no_judge() -> None:
    judge = FractionJudge()
    tally = Tally(judge, 3)
    tally.add(_sample(0, "x = 2"))
    tally.add(_sample(1, "x=2"))
    assert tally.judge_calls == 0 and judge.calls == []
    assert tally.groups[0].members == [0, 1]


def test_a_failing_judge_keeps_answers_apart() -> None:
    tally = Tally(BrokenJudge(), 3)
    tally.add(_sample(0, "1/2"))
    tally.add(_sample(1, "0.5"))
    assert [g.members for g in tally.groups] == [[0], [1]]
    assert tally.result().majority is None
    assert tally.result().summary() == "No majority among 2 answers: 1 say 1/2; 1 say 0.5"


def test_decided_only_when_the_rest_cannot_catch_up() -> None:
    tally = Tally(FractionJudge(), 5)
    tally.add(_sample(0, "4"))
    assert not tally.is_decided()  # 1 vs up to 4 others
    tally.add(_sample(1, "4"))
    assert not tally.is_decided()  # 2 vs 0 + 3 remaining
    tally.add(_sample(2, "5"))
    assert not tally.is_decided()  # 2 vs 1 + 2
    tally.add(_sample(3, "4"))
    assert tally.is_decided()  # 3 vs 1 + 1
    three = Tally(FractionJudge(), 3)
    three.add(_sample(0, "4"))
    three.add(_sample(1, "8/2"))
    assert three.is_decided()  # 2 vs 0 + 1: the last sample cannot tie


def test_no_boxed_answers_and_ties_are_said_plainly() -> None:
    none = Tally(FractionJudge(), 2)
    none.add(_sample(0, None))
    none.add(_sample(1, None))
    assert not none.is_decided()
    assert none.result().summary() == "None of the 2 answers has a boxed result."
    tie = Tally(FractionJudge(), 4)
    for index, answer in enumerate(("1", "2", "1", "2")):
        tie.add(_sample(index, answer))
    assert tie.result().majority is None
    assert tie.result().summary() == "No majority among 4 answers: 2 say 1; 2 say 2"


def test_result_snapshot_does_not_change_with_the_tally() -> None:
    tally = Tally(FractionJudge(), 3)
    tally.add(_sample(0, "1"))
    snapshot = tally.result()
    tally.add(_sample(1, "1"))
    assert snapshot.groups[0].members == [0] and snapshot.done == 1


# -- saved form ----------------------------------------------------------------


def test_to_dict_round_trips_through_json() -> None:
    result = VoteResult(
        samples=[original_sample("\\boxed{2}", "r0", "2"), _sample(1, "2", 33),
                 _sample(2, None, 40)],
        groups=[Group("2", [0, 1])], total=5, done=3, stopped_early=True, cancelled=False,
        seconds=12.5)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["summary"] == "2 of 3 agree: 2" and data["tokens"] == 73
    again = VoteResult.from_dict(data)
    assert again == result
    assert again.summary() == result.summary()


def test_from_dict_refuses_damaged_data_with_a_sentence() -> None:
    with pytest.raises(PonderError, match="cannot be read"):
        VoteResult.from_dict({"samples": [{"index": "x"}], "groups": []})


# -- the plan ------------------------------------------------------------------


def test_two_core_cpu_batches_four_and_compares_five() -> None:
    machine = _cpu(cores=2)
    assert efficient_batch(machine) == 4
    assert default_samples(machine) == 5
    # the measured curve: 4 in one batch is the fastest total, 8 is slower than 4
    assert batch_speedup(4, machine) == pytest.approx(18.0 / 9.7, rel=0.02)
    assert batch_speedup(2, machine) == pytest.approx(12.3 / 9.7, rel=0.03)
    assert batch_speedup(8, machine) == pytest.approx(13.6 / 9.7, rel=0.02)
    plan = plan_for(machine, prompt_tokens=100, wanted=None, max_tokens=1000)
    assert (plan.samples, plan.max_tokens, plan.note) == (5, 1000, None)
    # 4 x 1000 tokens at 10 tok/s x 1.87
    assert plan.seconds == pytest.approx(4000 / (10 * batch_speedup(4, machine)))


def test_more_cores_and_a_gpu_batch_more_up_to_the_slots() -> None:
    assert default_samples(_cpu(cores=1)) == 3
    assert default_samples(_cpu(cores=3)) == 7
    assert default_samples(_cpu(cores=16)) == MAX_SAMPLES
    gpu = Machine(cores=8, on_gpu=True, is_remote=False, n_ctx=32768, decode_tps=530)
    assert default_samples(gpu) == MAX_SAMPLES
    assert batch_speedup(4, gpu) == pytest.approx(1434 / 532, rel=0.06)
    server = Machine(cores=2, on_gpu=False, is_remote=True, n_ctx=0, decode_tps=0)
    plan = plan_for(server, 50, None, None)
    assert plan.samples == 3 and plan.max_tokens == DEFAULT_BUDGET and plan.note is None
    assert check_seconds(2, 100, server) > 0


def test_wanted_samples_are_kept_within_the_slots() -> None:
    machine = _cpu()
    assert plan_for(machine, 10, 1, 100).samples == 2
    assert plan_for(machine, 10, 50, 100).samples == MAX_SAMPLES
    assert plan_for(machine, 10, 3, 100).samples == 3


def test_a_small_context_shortens_the_budget_in_one_sentence() -> None:
    plan = plan_for(_cpu(n_ctx=8192), prompt_tokens=192, wanted=5, max_tokens=4096)
    assert plan.samples == 5
    assert MIN_BUDGET <= plan.max_tokens < 4096
    assert 192 + 4 * (plan.max_tokens + 16) <= 8192
    assert plan.note is not None and plan.note.count(". ") == 0 and plan.note.endswith(".")
    assert "8,192" in plan.note and f"{plan.max_tokens:,}" in plan.note


def test_a_tiny_context_means_fewer_samples_in_one_sentence() -> None:
    plan = plan_for(_cpu(n_ctx=4096), prompt_tokens=96, wanted=5, max_tokens=4096)
    assert plan.samples == 4  # 3 x (1,317 + 16) fits 4,000 cells, 4 x 1,024 does not
    assert plan.max_tokens >= MIN_BUDGET
    assert 96 + (plan.samples - 1) * (plan.max_tokens + 16) <= 4096
    assert plan.note is not None and "instead of 5" in plan.note
    squeezed = plan_for(_cpu(n_ctx=1024), prompt_tokens=900, wanted=5, max_tokens=4096)
    assert squeezed.samples == 2 and 0 < squeezed.max_tokens <= 124


def test_the_real_judge_groups_spellings_of_one_value() -> None:
    from app.tutor.equivalence import MathJudge

    with MathJudge(time_limit_s=20.0) as judge:
        tally = Tally(judge, 5)
        tally.add(original_sample("So \\boxed{\\frac{1}{2}}", "", "\\frac{1}{2}"))
        for index, answer in ((1, "0.5"), (2, "\\frac{1}{3}"), (3, "1/2"), (4, "\\dfrac12")):
            tally.add(_sample(index, answer))
            if index == 3:
                assert tally.is_decided()  # 3 vs 1 + the one left
        result = tally.result()
    assert [g.members for g in result.groups] == [[0, 1, 3, 4], [2]]
    assert result.summary() == "4 of 5 agree: \\frac{1}{2}"
    assert tally.judge_calls >= 4


# -- run_check over the scripted backend (fast; the real model is in test_parallel_samples) --


def _fake_host(answer: str) -> tuple[ModelHost, FakeBackend]:
    backend = FakeBackend(reasoning="Add them.", answer=answer, chunk_chars=3)
    host = ModelHost()
    host.adopt(LoadedModel(backend, ModelSource(path=Path("fake.gguf"))))
    return host, backend


def _question() -> list[ChatMessage]:
    return [ChatMessage(Role.USER, "What is 2 + 2?")]


def test_a_backend_without_batches_answers_one_request_per_sample() -> None:
    host, backend = _fake_host("So \\boxed{5}.")
    plan = CheckPlan(samples=4, max_tokens=64, seconds=1.0)
    events = list(run_check(host, _question(), GenerateOptions(), "\\boxed{4}", plan,
                            GenerationControl(), FractionJudge()))
    assert len(backend.calls) == 3 and all(c == _question() for c in backend.calls)
    final = events[-1]
    assert isinstance(final, VoteFinished)
    assert final.result.summary() == "3 of 4 agree: 5"
    assert [g.members for g in final.result.groups] == [[1, 2, 3], [0]]
    assert not final.result.stopped_early  # 1 vs 1 + 2 left, 2 vs 1 + 1: decided only at the end
    assert [type(e).__name__ for e in events].count("SampleDone") == 3


def test_cancelled_while_waiting_for_the_model_draws_nothing() -> None:
    host, backend = _fake_host("\\boxed{4}")
    control = GenerationControl()
    plan = CheckPlan(samples=3, max_tokens=64, seconds=1.0)
    with host.turn():  # the window's reply holds the model
        check = run_check(host, _question(), GenerateOptions(), "\\boxed{4}", plan, control,
                          FractionJudge())
        worker = threading.Timer(0.2, control.cancel)
        worker.start()
        events = list(check)
        worker.join()
    assert backend.calls == []
    assert len(events) == 1 and isinstance(events[0], VoteFinished)
    assert events[0].result.cancelled and events[0].result.done == 1


def test_no_model_is_a_sentence() -> None:
    host = ModelHost()
    plan = CheckPlan(samples=3, max_tokens=64, seconds=1.0)
    with pytest.raises(BackendError, match="No model is loaded"):
        list(run_check(host, _question(), GenerateOptions(), "x", plan, GenerationControl(),
                       FractionJudge()))


def test_sample_options_keep_the_question_and_leave_room_for_the_answer() -> None:
    options = GenerateOptions(sampling=SamplingParams(seed=41, max_tokens=8192),
                              math_mode=True, thinking_budget=5000, conversation="7")
    plan = CheckPlan(samples=5, max_tokens=2048, seconds=1.0)
    sampled = sample_options(options, plan)
    assert sampled.math_mode and sampled.sampling.max_tokens == 2048
    assert sampled.sampling.seed == 42  # never the original's own seed
    assert sampled.thinking_budget == 2048 - 256
    assert sampled.conversation is None  # the conversation keeps the original's saved state
    assert sample_options(GenerateOptions(), plan).sampling.seed is None
