"""LoopDetector: real-looking R1 loops are caught, varied math reasoning is not."""

from __future__ import annotations

import random
import time

import pytest

from app.chat.loops import LoopDetector

PREAMBLE = (
    "Okay, so I need to find the number of positive divisors of 360. Hmm, I remember "
    "that the number of divisors comes from the prime factorization. Let me factor 360: "
    "360 = 2^3 * 3^2 * 5. So the exponents are 3, 2 and 1.\n\n"
)
LOOP_PARAGRAPH = (
    "Wait, let me double-check the factorization. 360 divided by 2 is 180, divided by 2 "
    "is 90, divided by 2 is 45. Then 45 divided by 3 is 15, divided by 3 is 5. So "
    "360 = 2^3 * 3^2 * 5.\n\n"
)


def feed_in_batches(detector: LoopDetector, text: str, size: int = 40) -> list[int]:
    """Feed like the engine does (~40 ms batches); return offsets where it fired."""
    fired = []
    for start in range(0, len(text), size):
        if detector.feed(text[start : start + size]):
            fired.append(start + size)
    return fired


def math_reasoning(seed: int, steps: int) -> str:
    """Long, varied reasoning that repeats short phrases but never whole spans."""
    rng = random.Random(seed)
    openers = ["Wait,", "Hmm,", "So,", "Let me check:", "Okay,", "Alternatively,"]
    parts = []
    for _ in range(steps):
        a, b = rng.randint(2, 999), rng.randint(2, 999)
        opener = rng.choice(openers)
        parts.append(
            f"{opener} {a} * {b} = {a * b}. So the next term is {a * b + b}. "
            f"Let me check that again: {a} times {b} is {a * b}, plus {b} gives {a * b + b}.\n"
        )
        if rng.random() < 0.2:
            parts.append("Let me check. Let me check. Let me check.\n")
    return "".join(parts)


def test_paragraph_loop_is_reported_once() -> None:
    detector = LoopDetector()
    text = PREAMBLE + LOOP_PARAGRAPH * 12
    fired = feed_in_batches(detector, text)
    assert len(fired) == 1
    third_copy_done = len(PREAMBLE) + 3 * len(LOOP_PARAGRAPH)
    # It needs three copies, and it does not wait long after the third.
    assert third_copy_done - len(LOOP_PARAGRAPH) < fired[0] <= third_copy_done + 80
    assert detector.has_fired
    assert detector.period == len(" ".join(LOOP_PARAGRAPH.split())) + 1


def test_sentence_loop_with_changing_line_breaks_is_reported() -> None:
    sentence = "But then the total would be 12, which contradicts the earlier result of 14."
    text = PREAMBLE + "".join(sentence + ("\n" if i % 2 else " \n\n ") for i in range(8))
    assert len(feed_in_batches(LoopDetector(), text, size=7)) == 1


def test_degenerate_short_repetition_is_a_loop() -> None:
    assert feed_in_batches(LoopDetector(), PREAMBLE + "so so " * 200)


def test_two_copies_are_not_a_loop() -> None:
    assert (
        feed_in_batches(LoopDetector(), PREAMBLE + LOOP_PARAGRAPH * 2 + "So the answer is 24.")
        == []
    )


@pytest.mark.parametrize("seed", range(5))
def test_long_math_reasoning_with_repeated_phrases_is_not_a_loop(seed: int) -> None:
    text = math_reasoning(seed, steps=400)
    assert len(text) > 40_000
    detector = LoopDetector()
    assert feed_in_batches(detector, text, size=37) == []
    assert not detector.has_fired


def test_short_repeats_below_the_span_limit_do_not_count() -> None:
    # The same 40-character step three times is normal ("check again") prose.
    step = "Let me verify: 6 * 7 = 42, that's right. "
    text = PREAMBLE + step * 3 + "Now the remainder is 5, so we get 47 in total."
    assert feed_in_batches(LoopDetector(), text) == []


def test_reset_rearms() -> None:
    detector = LoopDetector()
    assert feed_in_batches(detector, LOOP_PARAGRAPH * 4)
    detector.reset()
    assert not detector.has_fired
    assert feed_in_batches(detector, LOOP_PARAGRAPH * 4)


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        LoopDetector(window_chars=100, min_repeat_chars=60, repeats=3)


def test_cost_per_batch_does_not_grow_with_total_length() -> None:
    # 1 MB of non-looping reasoning in 40-character batches.
    text = math_reasoning(99, steps=10_000)
    detector = LoopDetector()
    first = text[:100_000]
    rest = text[-100_000:]
    t0 = time.perf_counter()
    feed_in_batches(detector, first)
    t1 = time.perf_counter()
    feed_in_batches(detector, text[100_000:-100_000])
    t2 = time.perf_counter()
    feed_in_batches(detector, rest)
    t3 = time.perf_counter()
    assert not detector.has_fired
    # Same amount of text early and late costs about the same (generous for
    # a busy machine); an O(total) check would be ~10x slower at the end.
    assert (t3 - t2) < 4 * (t1 - t0) + 0.05
