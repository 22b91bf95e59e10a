"""The battery prints one summary line (cases tried, survived) and counts new test files by itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

BATTERY_CONFTEST = Path(__file__).with_name("conftest.py")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))


def test_summary_counts_every_case_in_the_folder_and_only_those(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    battery = tmp_path / "tests" / "reliability"
    battery.mkdir(parents=True)
    shutil.copy(BATTERY_CONFTEST, battery / "conftest.py")
    _write(battery / "test_one.py", """
        import pytest

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_param(n):
            assert n != 2

        @pytest.mark.skipif(True, reason="not here")
        def test_skipped():
            pass
    """)
    _write(battery / "sub" / "test_two.py", """
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError("setup fails")

        def test_setup_error(broken):
            pass

        @pytest.fixture
        def bad_teardown():
            yield
            raise RuntimeError("teardown fails")

        def test_teardown_error(bad_teardown):
            pass

        def test_fine():
            pass
    """)
    _write(tmp_path / "tests" / "test_elsewhere.py", "def test_not_in_battery():\n    assert False\n")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("reliability battery:")]
    # tried: 3 params + setup error + teardown error + fine = 6 (the skip is not tried);
    # survived: params 1 and 3, and test_fine.
    assert lines == ["reliability battery: 6 cases tried, 3 survived"], run.stdout
