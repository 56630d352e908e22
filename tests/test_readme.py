"""The README works when pasted: a fresh clone, its set-up commands verbatim, then every tour
command verbatim in the same shell, each output compared with the one the README shows (ISO
dates aside: `member-counts` without a date answers for today).

The README marks what this test runs: a fenced block between ``<!-- readme-test: setup -->`` and
``<!-- /readme-test -->`` holds the set-up commands; blocks marked ``<!-- readme-test: tour -->``
hold ``$ command`` lines, each followed by its output. The block marked
``<!-- readme-test: tests -->`` holds the test command, which CI (.ci/run) runs as it stands
(running it here would run this suite inside itself).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_BLOCK = re.compile(r"<!-- readme-test: (setup|tour|tests) -->\s*```[a-z]*\n(.*?)```\s*"
                    r"<!-- /readme-test -->", re.S)
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_MARK = "@@readme-test {}@@"


def blocks(readme: str, kind: str) -> list[str]:
    return [body for k, body in _BLOCK.findall(readme) if k == kind]


def tour(readme: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for every `$ ` line of the tour blocks."""
    steps: list[tuple[str, list[str]]] = []
    for body in blocks(readme, "tour"):
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps and line.strip():
                steps[-1][1].append(line)
            elif line.strip():
                raise AssertionError(f"tour output before any command: {line!r}")
    return steps


def normalise(lines: list[str]) -> list[str]:
    return [_DATE.sub("YYYY-MM-DD", line.rstrip()) for line in lines if line.strip()]


def test_the_readme_marks_a_setup_and_a_tour() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (setup,) = blocks(readme, "setup")
    assert "python3 -m venv .venv" in setup and "activate" in setup
    steps = tour(readme)
    assert len(steps) >= 5 and all(cmd.startswith("natoeu ") for cmd, _ in steps)
    assert all(out for _, out in steps), "every tour command shows its output"
    assert len(readme.splitlines()) <= 260


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (block,) = blocks(readme, "tests")
    (command,) = [line.strip() for line in block.splitlines() if line.strip()]
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert command in ci, f".ci/run does not run the README's test command {command!r}"
    shell, path, *_ = command.split()  # `bash tests/run.sh`: a script in the repository
    script = REPO / path
    assert shell == "bash" and script.is_file(), command
    assert "pytest" in script.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(),
                    reason="needs git and a git checkout to clone")
def test_readme_setup_and_tour_work_verbatim_from_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "natoeu-graph"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=300)
    readme = (clone / "README.md").read_text(encoding="utf-8")  # the committed README
    (setup,) = blocks(readme, "setup")
    steps = tour(readme)

    script = ["set -e", setup.strip(), "set +e"]
    for i, (command, _) in enumerate(steps):
        script += [f"echo '{_MARK.format(i)}'", f"{{ {command}\n}} 2>&1"]
    script.append(f"echo '{_MARK.format('end')}'")
    env = {k: v for k, v in os.environ.items() if k not in ("NATOEU_HOME", "VIRTUAL_ENV")}
    proc = subprocess.run(["bash", "-c", "\n".join(script)], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=1800, check=False)
    out = proc.stdout
    assert _MARK.format("end") in out, \
        f"set-up or tour stopped:\n{out[-3000:]}\n{proc.stderr[-3000:]}"
    assert (clone / ".venv" / "bin" / "natoeu").is_file()

    for i, (command, expected) in enumerate(steps):
        start = out.index(_MARK.format(i)) + len(_MARK.format(i))
        end = out.index("@@readme-test", start)
        got = out[start:end].splitlines()
        assert normalise(got) == normalise(expected), f"$ {command}"
