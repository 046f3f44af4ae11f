"""Fuzzing with hypothesis: conversation JSON import and the settings file.

An import either adds one whole conversation or raises StoreError with a
sentence (never another exception, never a half-imported conversation);
settings_from_dict never raises, whatever the JSON holds.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import StoreError
from app.store.chat_store import ChatStore
from app.store.exchange import FORMAT_NAME, import_json, parse_json
from app.store.settings import Settings, settings_from_dict

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2 ** 80), max_value=2 ** 80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
FIELDS = ["id", "parent", "role", "content", "reasoning", "status", "created_at",
          "updated_at", "model", "params", "stats", "thinking_s", "boxed",
          "reasoning_collapsed", "active"]
GOOD = {"id": 1, "parent": None, "role": "user", "content": "hi", "status": "complete"}


@st.composite
def messages(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    msg: dict[str, Any] = dict(GOOD)
    msg["id"] = draw(st.integers(min_value=-3, max_value=6) | st.integers())
    msg["parent"] = draw(st.none() | st.integers(min_value=-3, max_value=6))
    msg["role"] = draw(st.sampled_from(["user", "assistant", "system", "tool", ""]))
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4)):
        msg[name] = draw(json_values)
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=2)):
        msg.pop(name, None)
    return msg


@st.composite
def exports(draw: st.DrawFn) -> Any:
    doc: dict[str, Any] = {
        "format": draw(st.sampled_from([FORMAT_NAME, FORMAT_NAME, "other"])),
        "version": draw(st.sampled_from([1, 1, 1, 0, 2, True, "1", None])),
        "conversation": draw(st.fixed_dictionaries(
            {}, optional={"title": json_values, "created_at": json_values,
                          "updated_at": json_values, "settings": json_values})),
        "messages": draw(st.lists(messages(), max_size=6)),
    }
    if draw(st.integers(0, 19)) == 0:
        return draw(json_values)
    return doc


def _encode(doc: Any) -> str:
    return json.dumps(doc, allow_nan=True)


@FUZZ
@given(doc=exports())
def test_import_is_whole_or_a_store_error(doc: Any, tmp_path_factory: Any) -> None:
    db = tmp_path_factory.mktemp("fuzz") / "chats.sqlite3"
    with ChatStore(db) as store:
        try:
            conv = import_json(store, _encode(doc))
        except StoreError as exc:
            assert str(exc).endswith(".") and "Traceback" not in str(exc)
            assert store.list_conversations() == []  # nothing half-imported
            return
        listed = store.list_conversations()
        assert [c.id for c in listed] == [conv.id]
        assert len(store.active_path(conv.id)) <= len(doc["messages"])


@FUZZ
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.hex()))
def test_arbitrary_text_is_refused_cleanly(text: str) -> None:
    try:
        tree = parse_json(text)
    except StoreError as exc:
        assert "nothing was imported" in str(exc).lower()
        return
    assert tree.title  # only a real export parses


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    json.dumps({"format": FORMAT_NAME, "version": 1, "conversation": {"created_at": 10 ** 400},
                "messages": []}),
    json.dumps({"format": FORMAT_NAME, "version": 1, "conversation": {},
                "messages": [dict(GOOD, created_at=float("nan"))]}, allow_nan=True),
    json.dumps({"format": FORMAT_NAME, "version": 1, "conversation": {},
                "messages": [dict(GOOD, thinking_s=float("inf"))]}, allow_nan=True),
], ids=["deep", "huge", "nan", "inf"])
def test_found_by_fuzzing_deep_nesting_and_odd_numbers(text: str) -> None:
    with pytest.raises(StoreError, match=r"(?i)nothing was imported"):
        parse_json(text)


@FUZZ
@given(data=st.dictionaries(
    st.sampled_from([f.name for f in dataclasses.fields(Settings)]
                    + ["settings_version", "unknown", "n_threads"]),
    json_values, max_size=10))
def test_settings_from_any_json_object_never_raises(data: dict[str, Any]) -> None:
    result = settings_from_dict(data)
    assert isinstance(result, Settings)
    json.dumps(dataclasses.asdict(result))  # what save_settings writes stays encodable


def test_settings_with_odd_numbers_do_not_raise() -> None:
    weird = {"temperature": float("nan"), "top_p": float("inf"), "n_ctx": 10 ** 30,
             "settings_version": None}
    assert isinstance(settings_from_dict(json.loads(json.dumps(weird, allow_nan=True))),
                      Settings)
