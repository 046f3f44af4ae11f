"""The UI's unit of rendered text: Qt-safe HTML plus the images and code it refers to."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RenderedPiece:
    """HTML for one segment plus what it refers to.

    Attributes:
        html: Qt-rich-text-safe HTML.
        images: resource name (e.g. "math:3f2a") -> SVG bytes.
        code_texts: the texts that `copy:N` links copy, by N.
        pending: formulas shown as source until a worker thread has rendered
            them (app.render PendingFormula values; see math_queue).
    """

    html: str
    images: dict[str, bytes] = field(default_factory=dict)
    code_texts: list[str] = field(default_factory=list)
    pending: tuple[object, ...] = ()
