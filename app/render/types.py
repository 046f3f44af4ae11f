"""Values the renderer hands to the GUI: HTML plus the images and code it refers to."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MathImage:
    """One rendered formula, referenced from the HTML as ``<img src="math:KEY">``.

    Sizes are logical pixels, already rounded up to whole pixels; the GUI
    rasterises the SVG at its device pixel ratio.

    Attributes:
        key: the name after ``math:`` in the HTML.
        svg: a standalone SVG 1.1 document (no SVG 2 features, so QtSvg draws it).
        width: logical width in pixels (the SVG's own width).
        height: logical height in pixels (the SVG's own height).
        depth: pixels of the image below the formula's baseline. The image is
            padded so that Qt's ``vertical-align: middle`` puts this baseline
            on the text baseline; a GUI that positions images itself can use
            this value instead.
        display: True for a display (block) formula.
    """

    key: str
    svg: bytes
    width: int
    height: int
    depth: int
    display: bool


@dataclass(frozen=True)
class CodeBlock:
    """A fenced or indented code block; the HTML's ``copy:N`` link refers to it.

    Attributes:
        index: N in ``copy:N``: the block's position in the message, from 0.
        language: the fence's language word ("" when none was given).
        code: the code text exactly as the model wrote it (what Copy copies).
    """

    index: int
    language: str
    code: str


@dataclass(frozen=True)
class RenderedMessage:
    """A message as Qt rich text.

    Attributes:
        html: HTML in the subset QTextDocument understands.
        math_images: ``KEY -> MathImage`` for every ``math:KEY`` in the HTML.
        code_blocks: the code blocks in order; ``copy:N`` is ``code_blocks[N]``.
    """

    html: str
    math_images: dict[str, MathImage] = field(default_factory=dict)
    code_blocks: list[CodeBlock] = field(default_factory=list)

    def code_for_link(self, href: str) -> str | None:
        """The code a ``copy:N`` link copies, or None for any other link.

        Args:
            href: the clicked link's address.

        Returns:
            The code text, or None when ``href`` is no valid copy link.
        """
        if not href.startswith("copy:"):
            return None
        number = href[5:]
        if not number.isdigit():
            return None
        index = int(number)
        if index >= len(self.code_blocks):
            return None
        return self.code_blocks[index].code
