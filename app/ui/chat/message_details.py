"""What a message shows on hover: when; for answers the model, tokens and speed.

The store keeps all of it (created_at, model, stats) and MessageData
carries it; this module only words it, in the UI language.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale

from app.ui.chat.message_data import MessageData
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


def _answer_lines(data: MessageData) -> list[str]:
    lines: list[str] = []
    if data.model:
        lines.append(fill(QCoreApplication.translate("MessageDetails", "Model: %1"), data.model))
    if data.tokens > 0 and data.thinking_tokens > 0:
        text = QCoreApplication.translate("MessageDetails", "Tokens: %1 (%2 thinking)")
        lines.append(fill(text, data.tokens, data.thinking_tokens))
    elif data.tokens > 0:
        lines.append(fill(QCoreApplication.translate("MessageDetails", "Tokens: %1"), data.tokens))
    if data.tokens_per_s > 0:
        text = QCoreApplication.translate("MessageDetails", "Speed: %1 tokens/s")
        lines.append(fill(text, QLocale().toString(data.tokens_per_s, "f", 1)))
    return lines


def details_text(data: MessageData, now: datetime | None = None) -> str:
    """The hover text of a message, one fact a line.

    Args:
        data: the message as the widget shows it.
        now: the current time (tests).

    Returns:
        Plain text; "" when nothing is known (or while the answer streams).
    """
    if data.is_streaming:
        return ""
    lines: list[str] = []
    when = when_text(data.created_at, now)
    if when and data.role == "user":
        lines.append(fill(QCoreApplication.translate("MessageDetails", "Sent %1"), when))
    elif when:
        lines.append(fill(QCoreApplication.translate("MessageDetails", "Written %1"), when))
    if data.role != "user":
        lines += _answer_lines(data)
    return "\n".join(lines)
