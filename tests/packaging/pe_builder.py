"""Build minimal PE32+ DLL files with a chosen import table, for the packaging tests.

Only the parts a loader's dependency walk reads are filled in: the DOS and
PE headers, one section and its import descriptors with the DLL names.
"""

from __future__ import annotations

import struct
from pathlib import Path

_SECTION_RVA = 0x1000
_SECTION_FILE = 0x200


def write_dll(path: Path, imports: list[str]) -> Path:
    """Write a PE32+ file at `path` whose import table lists `imports`."""
    table_size = 20 * (len(imports) + 1)
    names = b""
    descriptors = b""
    for name in imports:
        name_rva = _SECTION_RVA + table_size + len(names)
        descriptors += struct.pack("<IIIII", 0, 0, 0, name_rva, 0)
        names += name.encode("ascii") + b"\0"
    section = descriptors + b"\0" * 20 + names
    section += b"\0" * (-len(section) % 0x200)

    opt = bytearray(240)
    struct.pack_into("<H", opt, 0, 0x20B)
    struct.pack_into("<I", opt, 108, 16)  # NumberOfRvaAndSizes
    struct.pack_into("<II", opt, 112 + 8, _SECTION_RVA, table_size)  # import directory
    coff = struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, len(opt), 0x2022)
    header = struct.pack("<8sIIIIIIHHI", b".idata", len(section), _SECTION_RVA, len(section),
                         _SECTION_FILE, 0, 0, 0, 0, 0xC0000040)
    dos = bytearray(0x40)
    dos[:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)
    head = bytes(dos) + b"PE\0\0" + coff + bytes(opt) + header
    path.write_bytes(head + b"\0" * (_SECTION_FILE - len(head)) + section)
    return path
