"""The oldest macOS a Mach-O file (thin or universal) says it runs on.

Reads ``LC_BUILD_VERSION`` (or the older ``LC_VERSION_MIN_MACOSX``) from the
load commands, like ``vtool -show-build`` does, so a bundle can be checked
against its Info.plist's ``LSMinimumSystemVersion`` on any OS. Stdlib only.
"""

from __future__ import annotations

import struct
from pathlib import Path

_THIN = {b"\xcf\xfa\xed\xfe": ("<", 32), b"\xce\xfa\xed\xfe": ("<", 28),
         b"\xfe\xed\xfa\xcf": (">", 32), b"\xfe\xed\xfa\xce": (">", 28)}
_FAT = {b"\xca\xfe\xba\xbe": 20, b"\xca\xfe\xba\xbf": 32}
LC_VERSION_MIN_MACOSX = 0x24
LC_BUILD_VERSION = 0x32
PLATFORM_MACOS = 1

Version = tuple[int, int, int]


def parse_version(text: str) -> Version:
    """"14.4" -> (14, 4, 0)."""
    parts = [int(p) for p in text.split(".")] + [0, 0]
    return parts[0], parts[1], parts[2]


def format_version(version: Version) -> str:
    """(14, 4, 0) -> "14.4"; (14, 4, 1) -> "14.4.1"."""
    major, minor, patch = version
    return f"{major}.{minor}" + (f".{patch}" if patch else "")


def is_macho(path: Path) -> bool:
    """Whether `path` starts like a Mach-O file (thin or universal)."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError:
        return False
    if head[:4] in _THIN:
        return True
    # Java class files share the universal magic; they have a huge "count".
    return head[:4] in _FAT and 0 < struct.unpack(">I", head[4:8])[0] < 32


def _decode(packed: int) -> Version:
    return packed >> 16, (packed >> 8) & 0xFF, packed & 0xFF


def _thin_minos(data: bytes, start: int) -> Version | None:
    order, header_size = _THIN[data[start:start + 4]]
    ncmds = struct.unpack_from(f"{order}I", data, start + 16)[0]
    pos = start + header_size
    for _ in range(ncmds):
        cmd, size = struct.unpack_from(f"{order}II", data, pos)
        if cmd == LC_BUILD_VERSION:
            platform, minos = struct.unpack_from(f"{order}II", data, pos + 8)
            if platform == PLATFORM_MACOS:
                return _decode(minos)
        elif cmd == LC_VERSION_MIN_MACOSX:
            return _decode(struct.unpack_from(f"{order}I", data, pos + 8)[0])
        if size < 8:
            break
        pos += size
    return None


def min_macos(path: Path) -> Version | None:
    """The highest minimum macOS over the file's architectures; None if it names none."""
    data = path.read_bytes()
    magic = data[:4]
    if magic in _THIN:
        return _thin_minos(data, 0)
    if magic not in _FAT:
        raise ValueError(f"{path.name} is not a Mach-O file")
    count = struct.unpack_from(">I", data, 4)[0]
    found: list[Version] = []
    for i in range(count):
        entry = 8 + _FAT[magic] * i
        if _FAT[magic] == 20:
            offset = struct.unpack_from(">I", data, entry + 8)[0]
        else:
            offset = struct.unpack_from(">Q", data, entry + 8)[0]
        version = _thin_minos(data, offset)
        if version:
            found.append(version)
    return max(found) if found else None
