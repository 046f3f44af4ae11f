"""Speed figures the backends report in GenerationStats."""

from __future__ import annotations


def decode_rate(tokens: int, decode_s: float) -> float:
    """Generated tokens per second after the first token.

    The first token's time belongs to the time to first token (prompt
    evaluation), so it is left out of both the count and the time.

    Args:
        tokens: tokens generated, the first one included.
        decode_s: seconds from the first token to the end.

    Returns:
        The rate, or 0.0 when fewer than two tokens came or no time passed.
    """
    if tokens > 1 and decode_s > 0:
        return (tokens - 1) / decode_s
    return 0.0
