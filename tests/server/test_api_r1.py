"""The R1 rules over the API, on the tiny R1-shaped GGUF (real R1 tokenizer and template)."""

from __future__ import annotations

from typing import Any

import pytest
from openai import OpenAI

from app.server.runner import ApiServer
from tests.server.conftest import R1_CATALOG_ID

pytestmark = pytest.mark.slow


def client(server: ApiServer) -> OpenAI:
    return OpenAI(base_url=server.address, api_key="EMPTY", max_retries=0, timeout=120)


def ask(server: ApiServer, messages: list[dict[str, str]], **extra: Any) -> Any:
    return client(server).chat.completions.create(model=R1_CATALOG_ID, messages=messages,
                                                  **extra)


def test_served_under_catalog_id(r1_server: ApiServer) -> None:
    assert [m.id for m in client(r1_server).models.list().data] == [R1_CATALOG_ID]


def test_reasoning_and_answer_apart(r1_server: ApiServer) -> None:
    response = ask(r1_server, [{"role": "user", "content": "What is 2+2?"}], max_tokens=40,
                   seed=5, extra_body={"thinking_budget": 8})
    message = response.choices[0].message
    reasoning = message.model_extra["reasoning_content"]
    assert reasoning and message.content  # the budget closed the think block
    assert "</think>" not in message.content and "<think>" not in reasoning
    usage = response.usage
    assert usage.completion_tokens_details.reasoning_tokens >= 8
    assert usage.completion_tokens <= 40


def test_reasoning_streamed_first_then_answer(r1_server: ApiServer) -> None:
    chunks = list(ask(r1_server, [{"role": "user", "content": "Solve x+1=3."}], max_tokens=40,
                      seed=5, stream=True, extra_body={"thinking_budget": 8}))
    kinds = []
    for chunk in chunks:
        delta = chunk.choices[0].delta
        if (delta.model_extra or {}).get("reasoning_content"):
            kinds.append("reasoning")
        elif delta.content:
            kinds.append("answer")
    assert kinds and kinds[0] == "reasoning" and "answer" in kinds
    assert kinds == sorted(kinds, key=["reasoning", "answer"].index)


def test_max_tokens_counts_reasoning(r1_server: ApiServer) -> None:
    response = ask(r1_server, [{"role": "user", "content": "Think hard."}], max_tokens=6,
                   seed=1)
    assert response.choices[0].finish_reason == "length"
    assert response.usage.completion_tokens == 6
    assert response.usage.completion_tokens_details.reasoning_tokens == 6


def test_system_prompt_folded_into_the_user_turn(r1_server: ApiServer) -> None:
    system = "You are terse."
    user = "What is 3*3?"
    apart = ask(r1_server, [{"role": "system", "content": system},
                            {"role": "user", "content": user}], max_tokens=1)
    folded = ask(r1_server, [{"role": "user", "content": f"{system}\n\n{user}"}], max_tokens=1)
    assert apart.usage.prompt_tokens == folded.usage.prompt_tokens


def test_math_mode_adds_the_instruction(r1_server: ApiServer) -> None:
    user = [{"role": "user", "content": "What is 3*3?"}]
    plain = ask(r1_server, user, max_tokens=1)
    math = ask(r1_server, user, max_tokens=1, extra_body={"math_mode": True})
    assert math.usage.prompt_tokens > plain.usage.prompt_tokens + 10
