"""Tokenize a prompt that grows turn by turn without redoing the part that did not change.

llama.cpp's tokenizer (with special tokens parsed) first cuts the text at
every special token and then tokenizes each plain fragment on its own. So
the tokens of a text up to the end of a turn marker such as `<｜Assistant｜>`
or `<|im_end|>` do not depend on anything after it: a new prompt that
starts with the previous one up to such a marker keeps those tokens, and
only the rest is tokenized. A 10-turn conversation's prompt is tokenized in
a fraction of the time (docs/gpu.md: history TTFT).

Only markers that are one control or user-defined token without the
"strip the spaces around me" attributes count: those are the ones the cut
above makes exact. The markers come from the model's chat template.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import llama_cpp

Tokenizer = Callable[[str, bool], list[int]]
"""(text, add_bos) -> token ids, special tokens parsed."""

_SPLITS = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL | llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED
_STRIPS = llama_cpp.LLAMA_TOKEN_ATTR_LSTRIP | llama_cpp.LLAMA_TOKEN_ATTR_RSTRIP
_CANDIDATE = re.compile(r"<[^<>\s'\"{}()\[\]]{1,48}>")


def template_markers(source: str, tokenize: Tokenizer,
                     attributes: Callable[[int], int]) -> dict[str, int]:
    """The chat template's turn markers that are safe cut points: text -> token id.

    Args:
        source: the chat template (Jinja source); its literal `<...>` strings
            are the candidates.
        tokenize: the model's tokenizer.
        attributes: token id -> llama.cpp's LLAMA_TOKEN_ATTR_* flags.
    """
    markers: dict[str, int] = {}
    for text in sorted(set(_CANDIDATE.findall(source))):
        ids = tokenize(text, False)
        if len(ids) != 1:
            continue
        flags = attributes(ids[0])
        if flags & _SPLITS and not flags & _STRIPS:
            markers[text] = ids[0]
    return markers


@dataclass
class _Tokenized:
    text: str
    add_bos: bool
    tokens: list[int]
    cuts: list[tuple[int, int]]  # (text position after a marker, token count up to it)


class PrefixTokenCache:
    """A tokenizer that reuses the previous call's tokens up to the last shared marker.

    Args:
        tokenize: the model's tokenizer (called for what is new).
        markers: safe cut points (`template_markers`); none: every call is a
            plain tokenization.
    """

    def __init__(self, tokenize: Tokenizer, markers: Mapping[str, int]) -> None:
        self._tokenize = tokenize
        self._ids = frozenset(markers.values())
        # longest first, so a marker that contains another wins
        self._pattern = (re.compile("|".join(re.escape(m) for m in sorted(
            markers, key=len, reverse=True))) if markers else None)
        self._last: _Tokenized | None = None
        self.reused_tokens = 0  # of the last call (for tests and benchmarks)

    def __call__(self, text: str, add_bos: bool) -> list[int]:
        self.reused_tokens = 0
        if self._pattern is None:
            return self._tokenize(text, add_bos)
        start_char, start_token, kept_cuts = self._reusable(text, add_bos)
        if start_token == 0:
            tokens = self._tokenize(text, add_bos)
        else:
            assert self._last is not None
            tokens = self._last.tokens[:start_token] + self._tokenize(text[start_char:], False)
            self.reused_tokens = start_token
        cuts = self._cuts(text, tokens, start_char, start_token, kept_cuts)
        self._last = _Tokenized(text, add_bos, tokens, cuts) if cuts is not None else None
        return list(tokens)

    def _reusable(self, text: str, add_bos: bool) -> tuple[int, int, list[tuple[int, int]]]:
        """The longest cut of the previous call that `text` shares: (char, token, cuts up to it)."""
        last = self._last
        if last is None or last.add_bos != add_bos or not last.cuts:
            return 0, 0, []
        # the shared part only grows with fewer cuts: binary search the last shared cut
        low, high = 0, len(last.cuts)
        while low < high:
            mid = (low + high) // 2
            pos = last.cuts[mid][0]
            if text[:pos] == last.text[:pos]:
                low = mid + 1
            else:
                high = mid
        if low == 0:
            return 0, 0, []
        char, token = last.cuts[low - 1]
        return char, token, last.cuts[:low]

    def _cuts(self, text: str, tokens: list[int], start_char: int, start_token: int,
              kept: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
        """Cut points of `text`: each marker's end matched with its token, in order.

        None when the markers in the text and in the tokens do not pair up
        (then nothing is reused next time).
        """
        assert self._pattern is not None
        ends = [m.end() for m in self._pattern.finditer(text, start_char)]
        places = _positions(tokens, self._ids, start_token)
        if len(ends) != len(places):
            return None
        return kept + [(end, place + 1) for end, place in zip(ends, places, strict=True)]


def _positions(tokens: list[int], ids: Iterable[int], start: int) -> list[int]:
    wanted = frozenset(ids)
    return [i for i in range(start, len(tokens)) if tokens[i] in wanted]
