#!/usr/bin/env python3
"""Set up and run ag18-rules on a fresh machine that has only python3.

    python3 dev.py check   # make .venv, install, check the bundled example plan (Vietnamese report)
    python3 dev.py test    # make .venv, install, run the test suite on both backends

Both commands create ``.venv`` beside this file on first use and install the package with the
extras listed in ``EXTRAS`` (durable-rules compiles C, so gcc and the Python headers are
needed; the first run takes a minute).  Extra arguments are passed on to ``ag18 check`` or
``pytest``.
"""
from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".ag18-installed"
EXTRAS = "durable,server,lsp,dask,test"
EXAMPLE = ROOT / "examples" / "sonv-offices-2021.yaml"


def ensure_env() -> None:
    """Create the virtual environment and (re)install when pyproject.toml changed."""
    if not PY.exists():
        print(f"dev.py: creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = (ROOT / "pyproject.toml").stat().st_mtime_ns
    if STAMP.exists() and STAMP.read_text().strip() == str(wanted):
        return
    print(f"dev.py: installing ag18-rules with the extras {EXTRAS}", flush=True)
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-e", f"{ROOT}[{EXTRAS}]"], check=True)
    STAMP.write_text(str(wanted))


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("check", "test"):
        print(__doc__)
        return 2
    ensure_env()
    command, rest = argv[0], argv[1:]
    if command == "check":
        args = rest or [str(EXAMPLE)]
        return subprocess.run([str(BIN / "ag18"), "check", *args]).returncode
    code = subprocess.run([str(PY), "-m", "pytest", *rest], cwd=ROOT).returncode
    if code == 5:
        print("dev.py: pytest collected no tests; that is a failure for this project", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
