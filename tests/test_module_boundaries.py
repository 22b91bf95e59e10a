"""Module boundaries: no module of the product takes another module's private (underscore) names."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("srs", "importers", "exporters")


def private_imports(path: Path) -> list[str]:
    """``module.name`` of each underscore name that ``path`` imports from another module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            found += [f"{'.' * node.level}{node.module or ''}.{alias.name}" for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]
    return found


def product_modules() -> list[Path]:
    return [path for folder in PRODUCT for path in sorted((ROOT / folder).rglob("*.py")) if "__pycache__" not in path.parts]


def test_no_module_imports_another_modules_private_names() -> None:
    offenders = {str(path.relative_to(ROOT)): names for path in product_modules() if (names := private_imports(path))}
    assert offenders == {}


def test_the_check_sees_a_private_import(tmp_path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from __future__ import annotations\nfrom srs.ingest.writer import atomic_write, _secret\nfrom .sibling import _helper\n")
    assert private_imports(module) == ["srs.ingest.writer._secret", ".sibling._helper"]
