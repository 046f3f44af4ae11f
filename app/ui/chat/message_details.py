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


def when_text(created_at: float, now: datetime | None = None) -> str:
    """"14:03" today, else "14:03, 3/12/26" (the locale's short formats).

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
    return fill(QCoreApplication.translate("MessageDetails", "%1, %2"), clock, date)


def _number(stats: Mapping[str, Any], key: str) -> float:
    value = stats.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _answer_lines(model: str, stats: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    if model:
        lines.append(fill(QCoreApplication.translate("MessageDetails", "Model: %1"), model))
    tokens = int(_number(stats, "completion_tokens"))
    thinking = int(_number(stats, "reasoning_tokens"))
    if tokens > 0 and thinking > 0:
        text = QCoreApplication.translate("MessageDetails", "Tokens: %1 (%2 thinking)")
        lines.append(fill(text, tokens, thinking))
    elif tokens > 0:
        lines.append(fill(QCoreApplication.translate("MessageDetails", "Tokens: %1"), tokens))
    speed = _number(stats, "decode_tps")
    if speed > 0:
        text = QCoreApplication.translate("MessageDetails", "Speed: %1 tokens/s")
        lines.append(fill(text, QLocale().toString(speed, "f", 1)))
    return lines


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
    if when and role == "user":
        lines.append(fill(QCoreApplication.translate("MessageDetails", "Sent %1"), when))
    elif when:
        lines.append(fill(QCoreApplication.translate("MessageDetails", "Written %1"), when))
    if role != "user":
        lines += _answer_lines(model, stats or {})
    return "\n".join(lines)
