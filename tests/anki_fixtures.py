"""Fixtures shared by the tests that compare srs with Anki itself: an FSRS-enabled Anki collection in TZ=UTC."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.decks import DeckId

from srs import scheduling


@pytest.fixture
def utc_tz() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")  # Anki's day cutoff follows the process' local zone
        time.tzset()
        yield
    time.tzset()


@pytest.fixture
def col(tmp_path: Path, utc_tz) -> Iterator[Collection]:
    """A fresh Anki collection with FSRS on, srs's default parameters and 0.9 desired retention."""
    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    collection.set_config("fsrs", True)
    config = collection.decks.config_dict_for_deck_id(DeckId(1))
    config["fsrsParams6"] = list(scheduling.DEFAULT_PARAMETERS)
    config["desiredRetention"] = 0.9
    collection.decks.update_config(config)
    yield collection
    collection.close()


def import_package(col: Collection, path: Path):
    """Import the ``.apkg`` at ``path`` into ``col`` with Anki's default options; the import's log."""
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())).log
