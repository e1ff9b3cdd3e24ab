"""A plain `git clone` runs the tests: nothing under src/ or tests/ reads the project's shared folder
beside the repository, and the Z-API payloads the tests read are tracked in tests/fixtures/zapi."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fixtures import ZAPI_FIXTURES
from tests.support.processes import ROOT

SHARED = "shared"  # the folder beside the repository that a clone does not have
# two dots then the folder, the folder then /fixtures, and pathlib's `... / <the folder>`
OUTSIDE_REFERENCE = re.compile(
    rf"\.\./{SHARED}\b|\b{SHARED}/fixtures\b|/\s*[\"']{SHARED}[\"']|[\"']{SHARED}[\"']\s*/"
)
TEXT_SUFFIXES = {".py", ".toml", ".cfg", ".ini", ".json", ".yaml", ".yml", ".html", ".txt", ".md", ".sh"}


def git_files(*paths: str) -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    result = subprocess.run(
        ["git", "ls-files", "-z", "--", *paths], cwd=ROOT, capture_output=True, check=True
    )
    return [name for name in result.stdout.decode().split("\0") if name]


def test_nothing_in_src_or_tests_reaches_outside_the_repository() -> None:
    offenders = []
    for folder in (ROOT / "src", ROOT / "tests"):
        for path in folder.rglob("*"):
            if path.suffix not in TEXT_SUFFIXES or not path.is_file():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if OUTSIDE_REFERENCE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_zapi_fixtures_are_tracked_in_the_repository() -> None:
    assert ZAPI_FIXTURES == ROOT / "tests" / "fixtures" / "zapi"
    tracked = {Path(name).name for name in git_files("tests/fixtures/zapi")}
    present = {path.name for path in ZAPI_FIXTURES.glob("*.json")}
    assert present and present <= tracked  # a fixture only on this disk fails in a clone


@pytest.mark.slow
@pytest.mark.timeout(900)  # a second pytest, which imports everything again, on a busy machine
def test_a_copy_of_the_tracked_files_runs_the_fixture_tests(tmp_path: Path) -> None:
    """The tracked files alone (what a clone gets), in a folder with no shared folder beside it:
    the tests that read Z-API fixtures pass there (on SQLite)."""
    clone = tmp_path / "checkout" / "main"
    for name in git_files():
        source = ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    assert not (clone.parent / SHARED).exists()
    readers = sorted(
        str(path.relative_to(clone))
        for path in (clone / "tests").rglob("test_*.py")
        if "ZAPI_FIXTURES" in path.read_text(encoding="utf-8")
    )
    # and one test that reads them through tests/atendimento/conftest.py
    readers.append("tests/atendimento/inbox/test_webhook.py")
    assert len(readers) >= 5
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CARINHO_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(clone / "src"), str(clone)]),
        CARINHO_TEST_BACKENDS="sqlite",
    )
    base = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n0", "-q"]
    where = [sys.executable, "-c", "import carinho, tests; print(carinho.__file__, tests.__file__)"]
    imported = subprocess.run(where, cwd=clone, env=env, capture_output=True, text=True, check=True)
    expected = [str(clone / "src" / "carinho" / "__init__.py"), str(clone / "tests" / "__init__.py")]
    assert imported.stdout.split() == expected  # the copy's code, not this checkout's

    ran = subprocess.run([*base, *readers], cwd=clone, env=env, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert " passed" in ran.stdout.splitlines()[-1]
