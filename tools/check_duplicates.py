"""Find copied code inside app/ with pylint's duplicate-code check.

    python tools/check_duplicates.py [--allowed FILE] [PATH ...]

The settings (6 similar lines or more, imports, docstrings, comments and
signatures ignored) are in pyproject.toml under [tool.pylint]. Every pair of
files that shares such a block is printed with the lines involved. A pair
listed in tools/duplicates_allowed.txt is reported but allowed; any other
pair fails (exit 1). An entry is one line: the two files, a colon, and why
the pair may stay; `#` starts a comment.

    app/ui/chat/chat_view.py app/ui/chat/message_widget.py: Qt signal relay
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED_FILE = ROOT / "tools" / "duplicates_allowed.txt"

_BLOCK = re.compile(r"^==([\w.]+):\[(\d+):(\d+)\]$", re.MULTILINE)

Pair = tuple[str, str]


@dataclass(frozen=True)
class Duplicate:
    """One block that pylint found in several files."""

    places: tuple[tuple[str, int, int], ...]
    """(file, first line, last line) of each copy; lines count from 1."""

    def pairs(self) -> list[Pair]:
        """Every two distinct files that hold a copy, each pair sorted."""
        files = sorted({path for path, _, _ in self.places})
        return list(itertools.combinations(files, 2))


def _path_of(module: str, root: Path) -> str:
    base = root.joinpath(*module.split("."))
    path = base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"
    return path.relative_to(root).as_posix()


def find_duplicates(paths: list[str], root: Path = ROOT) -> list[Duplicate]:
    """Run pylint's duplicate-code check over `paths` (relative to `root`).

    Raises:
        RuntimeError: pylint could not run (not installed, or a fatal error).
    """
    cmd = [sys.executable, "-m", "pylint", "--rcfile", str(ROOT / "pyproject.toml"),
           "--output-format=json2", *paths]
    result = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    # pylint's exit code is a bit field; 1 is fatal and 32 a usage error.
    if result.returncode & (1 | 32) or not result.stdout.strip():
        raise RuntimeError(
            f"pylint failed (exit {result.returncode}): {result.stderr.strip() or result.stdout}"
        )
    found: list[Duplicate] = []
    for message in json.loads(result.stdout)["messages"]:
        if message["symbol"] != "duplicate-code":
            continue
        places = tuple(
            (_path_of(module, root), int(start) + 1, int(end))
            for module, start, end in _BLOCK.findall(message["message"])
        )
        found.append(Duplicate(places))
    return found


def read_allowed(path: Path) -> dict[Pair, str]:
    """The allow-list: sorted pair of files -> the reason given.

    Raises:
        ValueError: a line is not "file file: reason".
    """
    allowed: dict[Pair, str] = {}
    if not path.exists():
        return allowed
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        files, _, reason = line.partition(":")
        names = files.split()
        if len(names) != 2 or not reason.strip():
            raise ValueError(
                f"{path.name}:{number}: expected 'app/a.py app/b.py: reason', got {raw!r}"
            )
        a, b = sorted(names)
        allowed[(a, b)] = reason.strip()
    return allowed


def check(paths: list[str], allowed_file: Path, root: Path = ROOT) -> tuple[int, list[str]]:
    """(exit code, lines to print) for the duplicates under `paths`."""
    allowed = read_allowed(allowed_file)
    lines: list[str] = []
    failing: set[Pair] = set()
    seen: set[Pair] = set()
    for dup in find_duplicates(paths, root):
        where = ", ".join(f"{p}:{a}-{b}" for p, a, b in dup.places)
        for pair in dup.pairs():
            seen.add(pair)
            if pair in allowed:
                lines.append(f"allowed duplicate ({allowed[pair]}): {where}")
            else:
                failing.add(pair)
                lines.append(f"duplicate code: {where}")
    lines.extend(
        f"{allowed_file.name} lists {a} {b}, which no longer share code: remove the entry"
        for a, b in sorted(allowed.keys() - seen)
    )
    if failing:
        lines.append(
            f"{len(failing)} pair(s) of files share code: move it into one place, or (for "
            f"boilerplate) add the pair with a reason to {allowed_file.name}"
        )
        return 1, lines
    lines.append(f"duplicate code: ok ({len(seen)} allowed pair(s))")
    return 0, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("paths", nargs="*", default=["app"], help="folders or files (app)")
    parser.add_argument("--allowed", type=Path, default=ALLOWED_FILE, help="the allow-list")
    args = parser.parse_args(argv)
    try:
        code, lines = check(args.paths, args.allowed)
    except (RuntimeError, ValueError) as exc:
        print(exc)
        return 1
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
