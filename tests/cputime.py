"""CPU seconds per test: `pytest -p cputime --cpu-durations=N` lists the N costliest tests.

Wall-clock durations (`--durations`) on a shared machine measure the other users as much as the
test; CPU time does not. Each test's figure is its process's user + system time during setup,
call and teardown, plus that of the child processes it waited for (`natoeu` commands, a server
stopped in a module's teardown counts for the module's last test). Works under pytest-xdist:
each worker sends its figures with the test reports.
"""

from __future__ import annotations

import resource
from collections import defaultdict
from collections.abc import Generator

import pytest

_KEY = "cpu_seconds"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--cpu-durations", type=int, default=None, metavar="N",
                     help="show the N tests that used the most CPU (0: all), and the total")


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    start = item.stash.get(_START, None)
    now = _cpu()
    if start is not None:
        report.user_properties.append((_KEY, now - start))  # type: ignore[attr-defined]
    item.stash[_START] = now
    return report


_START = pytest.StashKey[float]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_START] = _cpu()


_totals: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for key, value in report.user_properties:
        if key == _KEY:
            _totals[report.nodeid] += float(value)  # type: ignore[arg-type]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    n = config.getoption("--cpu-durations")
    if n is None or not _totals:
        return
    ranked = sorted(_totals.items(), key=lambda kv: -kv[1])
    terminalreporter.write_sep("=", f"CPU seconds per test (total {sum(_totals.values()):.0f} s)")
    for nodeid, seconds in ranked if n == 0 else ranked[:n]:
        terminalreporter.write_line(f"{seconds:8.2f}  {nodeid}")
