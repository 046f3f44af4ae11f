"""Turn generated tokens into text one token at a time, safely for UTF-8.

Byte-level BPE vocabularies (Qwen, Llama 3, SmolLM) split rare characters,
most Chinese ones and emoji, into several tokens that are each only part of
a UTF-8 sequence. Decoding each token's bytes alone would print replacement
characters; re-decoding the whole reply per token would cost O(n) per token.
An incremental UTF-8 decoder holds back incomplete sequences instead.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable

TokenBytes = Callable[[int], bytes]


class TokenTextDecoder:
    """Feeds token bytes through an incremental UTF-8 decoder.

    Args:
        token_bytes: the bytes of one token (special tokens written out).
    """

    def __init__(self, token_bytes: TokenBytes) -> None:
        self._token_bytes = token_bytes
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def push(self, token: int) -> str:
        """Text completed by `token` ("" while a character is still partial)."""
        return self._decoder.decode(self._token_bytes(token))

    def flush(self) -> str:
        """End of a run: whatever is held back (a broken tail becomes U+FFFD)."""
        text = self._decoder.decode(b"", final=True)
        self._decoder.reset()
        return text
