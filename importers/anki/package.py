"""Opening an Anki package (``.apkg`` / ``.colpkg``): the zip, its metadata, the collection and the media map.

Three layouts exist, and Anki still reads all of them:

- latest (Anki 2.1.50+): ``meta`` says version 3; ``collection.anki21b`` is a zstd-compressed SQLite
  collection (schema 18); ``media`` is a zstd-compressed protobuf list of entries, entry ``i`` stored
  as the zstd-compressed zip member ``"i"``. A ``collection.anki2`` beside it only asks old Ankis to update.
- legacy 2 (2.1.x): ``collection.anki21`` (schema 11), ``media`` as JSON ``{"0": "name.png"}``, files stored raw.
- legacy 1 (2.0): ``collection.anki2`` alone, the same otherwise.

Everything is checked before anything is returned, and every error names the file.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

from . import protobuf
from srs.errors import SrsError

LATEST_PACKAGE_VERSION = 3  # PackageMetadata.Version.LATEST in Anki's import_export.proto
MAX_SCHEMA = 18  # the newest collection schema srs reads (Anki 2.1.28 onwards)
MIN_SCHEMA = 11
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")


class AnkiPackageError(SrsError):
    """The file is not an Anki package srs can read; the message names the file and what is wrong."""


@dataclass
class AnkiPackage:
    """An opened package: its collection as an in-memory SQLite DB, and its media by name."""

    path: Path
    version: int  # 1 legacy (anki2), 2 legacy (anki21), 3 latest (anki21b)
    schema: int  # the collection's schema version (col.ver)
    db: sqlite3.Connection
    media_members: dict[str, str] = field(default_factory=dict)  # media file name -> zip member
    _zip: zipfile.ZipFile | None = None

    def media_bytes(self, name: str) -> bytes:
        """The content of media file ``name`` (decompressed)."""
        data = _read_member(self.path, self._zip, self.media_members[name])
        return _unzstd(self.path, data, f"media file '{name}'") if self.version >= LATEST_PACKAGE_VERSION else data

    def close(self) -> None:
        self.db.close()
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> AnkiPackage:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _error(path: Path, message: str) -> AnkiPackageError:
    return AnkiPackageError(f"{path}: {message}; nothing was imported")


def _read_member(path: Path, archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _error(path, f"the package is damaged (reading '{name}': {exc})") from None


def _unzstd(path: Path, data: bytes, what: str) -> bytes:
    try:
        return zstandard.ZstdDecompressor().stream_reader(data).read()
    except zstandard.ZstdError as exc:
        raise _error(path, f"the package is damaged ({what} does not decompress: {exc})") from None


def _package_version(path: Path, archive: zipfile.ZipFile, names: set[str]) -> int:
    if "meta" not in names:
        return 2 if "collection.anki21" in names else 1
    try:
        version = protobuf.first(_read_member(path, archive, "meta"), 1, 0)
    except ValueError:
        raise _error(path, "the package's metadata is unreadable") from None
    if version > LATEST_PACKAGE_VERSION:
        raise _error(path, f"the package was written by a newer Anki (package format {version}; srs reads up to {LATEST_PACKAGE_VERSION}). "
                     "In that Anki, export with 'Support older Anki versions' ticked, then import that file")
    return version or 2


def _media_map(path: Path, archive: zipfile.ZipFile, version: int, names: set[str]) -> dict[str, str]:
    if "media" not in names:
        return {}
    raw = _read_member(path, archive, "media")
    try:
        if version >= LATEST_PACKAGE_VERSION:
            entries = protobuf.repeated(_unzstd(path, raw, "the media list"), 1)
            mapping = {}
            for index, entry in enumerate(entries):
                name = protobuf.first(entry, 1, b"").decode()
                member = protobuf.first(entry, 255)
                mapping[name] = str(index if member is None else member)
        else:
            mapping = {str(name): str(member) for member, name in json.loads(raw or b"{}").items()}
    except (ValueError, UnicodeDecodeError, AttributeError) as exc:
        raise _error(path, f"the package's media list is unreadable ({exc})") from None
    return {name: member for name, member in mapping.items() if member in names}


def _open_collection(path: Path, data: bytes) -> tuple[sqlite3.Connection, int]:
    if len(data) > 19 and data[18:20] == b"\x02\x02":
        # A collection saved in WAL mode: an in-memory copy cannot use WAL, so mark it as a rollback-journal file.
        data = data[:18] + b"\x01\x01" + data[20:]
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(data)
        row = db.execute("SELECT ver FROM col").fetchone()
    except sqlite3.DatabaseError as exc:
        db.close()
        raise _error(path, f"the collection inside is not a readable Anki collection ({exc})") from None
    schema = int(row[0]) if row else 0
    if schema > MAX_SCHEMA:
        db.close()
        raise _error(path, f"the collection comes from a newer Anki (schema {schema}; srs reads {MIN_SCHEMA} to {MAX_SCHEMA}). "
                     "In that Anki, export with 'Support older Anki versions' ticked, then import that file")
    if schema < MIN_SCHEMA:
        db.close()
        raise _error(path, f"the collection has schema {schema}, older than any Anki 2 writes; open it in Anki and export it again")
    return db, schema


def open_package(path: Path) -> AnkiPackage:
    """Open and check an ``.apkg`` or ``.colpkg``; raises ``AnkiPackageError`` naming ``path`` if it cannot be used."""
    if not path.is_file():
        raise AnkiPackageError(f"{path}: no such file")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _error(path, f"not a zip archive, or a truncated one ({exc}); an Anki package is a .apkg or .colpkg file exported by Anki") from None
    try:
        names = set(archive.namelist())
        member = next((name for name in COLLECTIONS if name in names), None)
        if member is None:
            raise _error(path, "a zip archive but not an Anki package (it holds no collection.anki21b, collection.anki21 or collection.anki2)")
        version = _package_version(path, archive, names)
        if version >= LATEST_PACKAGE_VERSION and member != "collection.anki21b":
            raise _error(path, "the package says it is in Anki's latest format but holds no collection.anki21b")
        data = _read_member(path, archive, member)
        if member.endswith("b"):
            data = _unzstd(path, data, member)
        db, schema = _open_collection(path, data)
        media = _media_map(path, archive, version, names)
    except BaseException:
        archive.close()
        raise
    return AnkiPackage(path, version, schema, db, media, archive)
