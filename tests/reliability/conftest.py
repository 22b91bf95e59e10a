"""The reliability battery's summary line: how many hostile cases were tried and how many srs survived.

Every test item collected under this folder is a case (each parametrized variant counts), so test
files added here are counted without being listed anywhere. A case is tried when it ran (skipped
cases are not), and survived when no phase of it (setup, call, teardown) failed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

BATTERY = Path(__file__).resolve().parent
_OUTCOMES = ("passed", "failed", "error", "xfailed", "xpassed")
_BROKEN = ("failed", "error")


def _in_battery(config: pytest.Config, nodeid: str) -> bool:
    path = (config.rootpath / nodeid.split("::", 1)[0]).resolve()
    return path == BATTERY or BATTERY in path.parents


def battery_counts(config: pytest.Config, stats: dict[str, list]) -> tuple[int, int]:
    """(cases tried, cases survived) from the terminal reporter's ``stats``."""
    tried: set[str] = set()
    broken: set[str] = set()
    for outcome in _OUTCOMES:
        for report in stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if not nodeid or not _in_battery(config, nodeid):
                continue
            tried.add(nodeid)
            if outcome in _BROKEN:
                broken.add(nodeid)
    return len(tried), len(tried - broken)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    tried, survived = battery_counts(config, terminalreporter.stats)
    if tried:
        markup = {"green": True} if survived == tried else {"red": True, "bold": True}
        terminalreporter.write_line(f"reliability battery: {tried} cases tried, {survived} survived", **markup)
