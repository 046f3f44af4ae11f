"""Checks that rendered message HTML holds only the renderer's own markup.

Used by tests/render: model text must never survive as markup, so every tag
and attribute in the output has to come from the renderer's allow-list.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED_ATTRS: dict[str, frozenset[str]] = {
    "p": frozenset({"align"}),
    "br": frozenset(),
    "hr": frozenset(),
    "h1": frozenset(),
    "h2": frozenset(),
    "h3": frozenset(),
    "h4": frozenset(),
    "h5": frozenset(),
    "h6": frozenset(),
    "ul": frozenset(),
    "ol": frozenset({"start"}),
    "li": frozenset(),
    "strong": frozenset(),
    "em": frozenset(),
    "s": frozenset(),
    "code": frozenset({"style"}),
    "pre": frozenset({"style"}),
    "span": frozenset({"style"}),
    "a": frozenset({"href", "style"}),
    "img": frozenset({"src", "width", "height", "style"}),
    "table": frozenset({"width", "border", "cellspacing", "cellpadding", "bgcolor", "style"}),
    "thead": frozenset(),
    "tbody": frozenset(),
    "tr": frozenset(),
    "th": frozenset({"align"}),
    "td": frozenset({"align", "width", "bgcolor", "colspan"}),
}
VOID = frozenset({"br", "hr", "img"})
_STYLE_DECL = re.compile(
    r"\s*(color|background-color|font-size|font-weight|font-style|font-family|"
    r"vertical-align|white-space|border-collapse|border-color|border|text-decoration)"
    r"\s*:\s*[#\w\s.-]*\s*"
)
_HREF = re.compile(r"^(https?://\S+|copy:\d+)$", re.IGNORECASE)
_MATH_SRC = re.compile(r"^math:([0-9a-f]+)$")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.closes: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.closes.append(tag)

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment <!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration <!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"unknown declaration {data}")


def html_problems(
    html: str, math_keys: set[str] | None = None, code_count: int | None = None
) -> list[str]:
    """Everything in ``html`` that is not the renderer's own allowed markup.

    Args:
        html: rendered HTML.
        math_keys: the keys of the message's math images; when given, every
            ``math:KEY`` must be one of them.
        code_count: number of code blocks; when given, ``copy:N`` must be below it.

    Returns:
        One line per problem; empty when the HTML is clean.
    """
    parser = _Collector()
    parser.feed(html)
    parser.close()
    problems = list(parser.problems)
    for tag, attrs in parser.tags:
        allowed = ALLOWED_ATTRS.get(tag)
        if allowed is None:
            problems.append(f"tag <{tag}> not allowed")
            continue
        for name, value in attrs:
            if name not in allowed:
                problems.append(f"attribute {name} on <{tag}> not allowed")
                continue
            value = value or ""
            if name == "style":
                for decl in filter(None, (d.strip() for d in value.split(";"))):
                    if not _STYLE_DECL.fullmatch(decl):
                        problems.append(f"style {decl!r} not allowed")
            elif name == "href":
                if not _HREF.match(value):
                    problems.append(f"href {value!r} not allowed")
                elif (
                    code_count is not None
                    and value.startswith("copy:")
                    and int(value[5:]) >= code_count
                ):
                    problems.append(f"{value} points past the code blocks")
            elif name == "src":
                match = _MATH_SRC.match(value)
                if match is None:
                    problems.append(f"src {value!r} not allowed")
                elif math_keys is not None and match.group(1) not in math_keys:
                    problems.append(f"src {value!r} has no image")
            elif name in {
                "width",
                "height",
                "border",
                "cellspacing",
                "cellpadding",
                "colspan",
                "start",
            }:
                if not re.fullmatch(r"\d+%?", value):
                    problems.append(f"{name}={value!r} is not a number")
            elif name in {"bgcolor"} and not re.fullmatch(r"#[0-9a-f]{6}", value):
                problems.append(f"bgcolor={value!r} is not a colour")
            elif name == "align" and value not in {"left", "center", "right"}:
                problems.append(f"align={value!r} not allowed")
    for tag in parser.closes:
        if tag not in ALLOWED_ATTRS or tag in VOID:
            problems.append(f"closing </{tag}> not allowed")
    return problems
