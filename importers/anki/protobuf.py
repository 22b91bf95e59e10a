"""Just enough of the protobuf wire format to read the few messages an Anki package holds.

Anki stores its media map, package metadata, note type kinds, card templates and deck kinds as
protobuf. We read a handful of fields from them, so a 40-line decoder serves better than a
generated-code dependency; anything malformed raises ``ValueError``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated or overlong varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(field number, value) of each field of a message: an int for varints and fixed widths, bytes for the rest."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == VARINT:
            value, pos = _varint(data, pos)
        elif wire == BYTES:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated length-delimited field")
            value, pos = data[pos : pos + size], pos + size
        elif wire in (FIXED64, FIXED32):
            width = 8 if wire == FIXED64 else 4
            if pos + width > len(data):
                raise ValueError("truncated fixed-width field")
            value, pos = int.from_bytes(data[pos : pos + width], "little"), pos + width
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, value


def first(data: bytes, number: int, default=None):
    """The value of field ``number`` (its last occurrence, as protobuf merges), or ``default``."""
    found = default
    for field_number, value in fields(data):
        if field_number == number:
            found = value
    return found


def repeated(data: bytes, number: int) -> list:
    """Every value of a repeated field ``number``."""
    return [value for field_number, value in fields(data) if field_number == number]


def encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_field(number: int, value: int | bytes | str) -> bytes:
    """One field: a varint for an int, length-delimited for bytes or text."""
    if isinstance(value, int):
        return encode_varint(number << 3 | VARINT) + encode_varint(value)
    raw = value.encode() if isinstance(value, str) else value
    return encode_varint(number << 3 | BYTES) + encode_varint(len(raw)) + raw


def floats(data: bytes, number: int) -> list[float]:
    """A repeated ``float`` field: packed (as Anki writes it) or one fixed32 per value; each as the double it is exactly."""
    values: list[float] = []
    for field_number, value in fields(data):
        if field_number != number:
            continue
        if isinstance(value, bytes):
            if len(value) % 4:
                raise ValueError("packed floats of a length not a multiple of 4")
            values += struct.unpack(f"<{len(value) // 4}f", value)
        else:
            values.append(struct.unpack("<f", value.to_bytes(4, "little"))[0])
    return values
