"""The wheel: one top-level package, ``srs``, with the exporters, the importers and the bundled decks inside it."""

from __future__ import annotations

import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_installs_only_the_srs_package(tmp_path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    (wheel,) = WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}
    assert top == {"srs"}
    for module in ("__init__.py", "anki/__init__.py", "anki/export.py", "anki/render.py", "anki/apkg.py"):
        assert f"srs/exporters/{module}" in names
    for module in ("__init__.py", "anki/importer.py", "anki/package.py"):
        assert f"srs/importers/{module}" in names
    assert {f"srs/bundled_decks/{p.relative_to(ROOT / 'decks')}" for p in (ROOT / "decks").rglob("*.yaml")} <= set(names)
    assert not any(name.startswith(("tests/", "bench/", "srs/tests")) for name in names)


def test_the_exporters_are_imported_from_inside_srs() -> None:
    import srs.exporters
    from srs.cli import export

    assert srs.exporters.export_anki.__module__ == "srs.exporters.anki.export"
    assert "from srs.exporters import" in Path(export.__file__).read_text()


def test_the_importers_are_imported_from_inside_srs() -> None:
    from srs.cli import import_
    from srs.importers.anki import importer

    assert importer.__name__ == "srs.importers.anki.importer"
    assert "from srs.importers" in Path(import_.__file__).read_text()


def test_srs_version_is_the_packages_version() -> None:
    import tomllib

    import srs

    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == srs.__version__
