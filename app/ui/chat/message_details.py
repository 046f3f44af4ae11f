"""What a message shows on hover: when; for answers the model, tokens and speed.

The store keeps all of it (created_at, model, stats); this module only
words it, in the UI language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale

from app.ui.common.i18n import fill

_CONTEXT = "MessageDetails"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def when_text(created_at: float, now: datetime | None = None) -> str:
    """"14:03" today, else "14:03, 3 Dec 2026" (the locale's short date).

    Args:
        created_at: Unix time the message was written.
        now: the current time (tests); the clock by default.

    Returns:
        The time, with the date when it is not today; "" when unknown.
    """
    if created_at <= 0:
        return ""
    moment = QDateTime.fromSecsSinceEpoch(int(created_at))
    today = QDate.currentDate() if now is None else QDate(now.year, now.month, now.day)
    locale = QLocale()
    clock = locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
    if moment.date() == today:
        return clock
    date = locale.toString(moment.date(), QLocale.FormatType.ShortFormat)
    return fill(_tr("%1, %2"), clock, date)


def _number(stats: Mapping[str, Any], key: str) -> float:
    value = stats.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def details_text(
    *,
    role: str,
    created_at: float,
    model: str = "",
    stats: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> str:
    """The hover text of a message, one fact a line.

    Args:
        role: "user" or "assistant".
        created_at: Unix time the message was written (0: unknown).
        model: the model that wrote an answer.
        stats: the stored GenerationStats of an answer (a JSON object).
        now: the current time (tests).

    Returns:
        Plain text; "" when nothing is known.
    """
    lines: list[str] = []
    when = when_text(created_at, now)
    if when:
        lines.append(fill(_tr("Sent %1") if role == "user" else _tr("Written %1"), when))
    if role != "user":
        if model:
            lines.append(fill(_tr("Model: %1"), model))
        stats = stats or {}
        tokens = int(_number(stats, "completion_tokens"))
        reasoning = int(_number(stats, "reasoning_tokens"))
        if tokens > 0:
            if reasoning > 0:
                lines.append(fill(_tr("Tokens: %1 (%2 thinking)"), tokens, reasoning))
            else:
                lines.append(fill(_tr("Tokens: %1"), tokens))
        speed = _number(stats, "decode_tps")
        if speed > 0:
            lines.append(fill(_tr("Speed: %1 tokens/s"), QLocale().toString(speed, "f", 1)))
    return "\n".join(lines)
