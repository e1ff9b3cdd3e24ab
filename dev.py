#!/usr/bin/env python3
"""The two commands of the README, for a machine with only Python 3.11+, pip and git.

    python3 dev.py up      # the whole platform on the embedded default
    python3 dev.py test    # the test suite (extra args go to pytest)

Each installs uv with pip when it is missing, then lets uv install the locked dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def find_uv() -> str | None:
    found = shutil.which("uv")
    if found:
        return found
    for scheme in (f"{os.name}_user", None):
        try:
            scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        candidate = Path(scripts) / ("uv.exe" if os.name == "nt" else "uv")
        if candidate.exists():
            return str(candidate)
    return None


def ensure_uv() -> str:
    uv = find_uv()
    if uv:
        return uv
    print("uv not found: installing it with pip ...", file=sys.stderr, flush=True)
    base = [sys.executable, "-m", "pip", "install", "--quiet", "uv"]
    if subprocess.call(base) != 0 and subprocess.call([*base, "--user"]) != 0:
        sys.exit("could not install uv with pip; see https://docs.astral.sh/uv/")
    uv = find_uv()
    if not uv:
        sys.exit("uv was installed but is not on PATH")
    return uv


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("up", "test"):
        print(__doc__)
        return 2
    uv = ensure_uv()
    os.chdir(ROOT)
    if argv[0] == "up":
        command = [uv, "run", "--frozen", "carinho", "up", *argv[1:]]
    else:
        # --compile-bytecode: the tests start many Python processes (xdist workers, `carinho`
        # subprocesses); with PYTHONDONTWRITEBYTECODE set, as in CI, each one would compile every
        # installed module again (~4 s of CPU apiece). Compiled once here, in about a second after that.
        command = [uv, "run", "--frozen", "--compile-bytecode", "pytest", *argv[1:]]
        # --compile-bytecode covers the installed packages only. Our own modules and the test files
        # (which pytest rewrites for its assertions) would be compiled again by every xdist worker
        # and `carinho` subprocess: a worker's collection took 17 s of CPU instead of 7. Let the
        # first process that compiles one keep it in __pycache__ (git-ignored) for the others.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.execv(uv, command) if os.name != "nt" else sys.exit(subprocess.call(command))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
