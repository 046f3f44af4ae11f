"""The server's pure parts: stop sequences, the key and Host checks, request parsing."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.types import Role
from app.server.config import ServerConfig, ServerConfigError, is_loopback
from app.server.errors import ApiError
from app.server.guard import key_matches
from app.server.requests import (
    DEFAULT_COMPLETION_MAX_TOKENS,
    parse_chat,
    parse_completion,
)
from app.server.stops import StopMatcher


def _feed_all(stops: tuple[str, ...], pieces: list[str]) -> tuple[str, bool]:
    matcher = StopMatcher(stops)
    out = "".join(matcher.feed(p) for p in pieces) + matcher.flush()
    return out, matcher.is_stopped


@pytest.mark.parametrize(("pieces", "expected", "stopped"), [
    (["Hello wor", "ld. END", " more"], "Hello world. ", True),
    (["Hello E", "N", "D!"], "Hello ", True),
    (["Hello E", "N", "x"], "Hello ENx", False),
    (["no stop here"], "no stop here", False),
    (["ab", "cST", "OP"], "abc", True),
])
def test_stop_sequences_split_over_pieces(pieces: list[str], expected: str, stopped: bool) -> None:
    assert _feed_all(("END", "STOP"), pieces) == (expected, stopped)


def test_stop_matcher_holds_back_only_a_possible_start() -> None:
    matcher = StopMatcher(("</answer>",))
    assert matcher.feed("x = 3 <") == "x = 3 "
    assert matcher.feed("b>") == "<b>"


def test_key_compare() -> None:
    assert key_matches("Bearer s3cret", "s3cret")
    assert key_matches("bearer s3cret", "s3cret")
    assert not key_matches("Bearer s3cre", "s3cret")
    assert not key_matches("Bearer ", "s3cret")
    assert not key_matches(None, "s3cret")
    assert not key_matches("Basic s3cret", "s3cret")


def test_host_names_default_and_allowed() -> None:
    names = ServerConfig(port=7323).host_names(7323)
    assert {"localhost:7323", "127.0.0.1:7323", "[::1]:7323", "localhost"} <= names
    assert "evil.example:7323" not in names
    allowed = ServerConfig(port=7323, allowed_hosts=("MyBox.lan",)).host_names(7323)
    assert "mybox.lan:7323" in allowed
    lan = ServerConfig(port=7323, host="192.168.1.20", api_key="k").host_names(7323)
    assert "192.168.1.20:7323" in lan


def test_non_loopback_bind_needs_a_key() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    with pytest.raises(ServerConfigError, match="without an API key"):
        ServerConfig(port=7323, host="0.0.0.0").check()
    ServerConfig(port=7323, host="0.0.0.0", api_key="k").check()


def test_chat_parsing() -> None:
    req = parse_chat({
        "model": "m", "stream": True, "stream_options": {"include_usage": True},
        "messages": [{"role": "developer", "content": "Be brief."},
                     {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
                     {"role": "assistant", "content": "Hello", "reasoning_content": "r"}],
        "max_completion_tokens": 9, "max_tokens": 100, "stop": "x", "seed": 3,
        "thinking_budget": 5, "math_mode": True, "temperature": 0,
    })
    assert [m.role for m in req.messages] == [Role.SYSTEM, Role.USER, Role.ASSISTANT]
    assert req.messages[1].content == "Hi" and req.messages[2].reasoning == "r"
    assert req.common.stream and req.common.include_usage and req.common.stop == ("x",)
    assert req.common.values == {"max_tokens": 9, "seed": 3, "thinking_budget": 5,
                                 "math_mode": True, "temperature": 0.0}


@pytest.mark.parametrize(("body", "param"), [
    ({"messages": []}, "messages"),
    ({"messages": "hi"}, "messages"),
    ({"messages": [{"role": "system", "content": "x"}]}, "messages"),
    ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].role"),
    ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
    ({"messages": [{"role": "user", "content": "x"}], "temperature": "hot"}, "temperature"),
    ({"messages": [{"role": "user", "content": "x"}], "temperature": 3}, "temperature"),
    ({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}, "max_tokens"),
    ({"messages": [{"role": "user", "content": "x"}], "stream": "yes"}, "stream"),
    ({"messages": [{"role": "user", "content": "x"}], "n": 2}, "n"),
    ({"messages": [{"role": "user", "content": "x"}], "stop": ["a"] * 5}, "stop"),
])
def test_chat_parsing_errors_name_the_field(body: dict[str, Any], param: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_chat(body)
    assert caught.value.status == 400 and caught.value.param == param


def test_completion_parsing() -> None:
    req = parse_completion({"prompt": ["2+2="], "echo": True})
    assert req.prompt == "2+2=" and req.echo
    assert req.common.values["max_tokens"] == DEFAULT_COMPLETION_MAX_TOKENS
    for bad in ({"prompt": [1, 2]}, {"prompt": ""}, {}, []):
        with pytest.raises(ApiError):
            parse_completion(bad)
