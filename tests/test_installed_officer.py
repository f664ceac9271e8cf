"""The issue's acceptance test: in a fresh virtual environment with ``pip install .`` (not editable),
an officer's broken rule in their own policy folder is reported by ``ag18 validate`` run there,
in Vietnamese at its line, and ``ag18 test rules/<id>`` runs that folder's rule, not the installed
copy.  It builds and installs the package (about 20 s), so it runs with the ordinary suite."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The ``ag18`` script of a fresh virtual environment where the package was pip-installed."""
    base = tmp_path_factory.mktemp("installed")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build"))
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
                   check=True, cwd=base)
    return env_dir / "bin" / "ag18"


def test_validate_in_the_officers_folder_reports_their_broken_rule(installed, tmp_path):
    folder = tmp_path / "chinh-sach"
    shutil.copytree(ROOT / "policy", folder / "policy")
    shutil.copytree(ROOT / "rules", folder / "rules")
    rule = folder / "rules" / "one-lead-person" / "one-lead-person.yaml"
    text = rule.read_text(encoding="utf-8")
    rule.write_text(text.replace("severity: error", "severity: eror"), encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t == "severity: error")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AG18_")}
    done = subprocess.run([str(installed), "validate"], cwd=folder / "rules", env=env,
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == f"Chính sách: {folder.resolve()} (thư mục đang làm việc)"
    assert lines[1].startswith(f"{rule.resolve()}:{line}:11: bad-value: Giá trị \"eror\" không hợp lệ")
    assert "Có phải ý là 'error' (lỗi)?" in lines[1]
    assert "Traceback" not in done.stderr
    rule.write_text(text, encoding="utf-8")
    tests = folder / "rules" / "deputy-cap" / "tests.yaml"
    tests.write_text(tests.read_text(encoding="utf-8").replace("values: {deputies: 2, cap: 1, civil_servants: 8}",
                                                               "values: {deputies: 3, cap: 1, civil_servants: 8}"),
                     encoding="utf-8")
    done = subprocess.run([str(installed), "test", "rules/deputy-cap", "--backend", "python"], cwd=folder, env=env,
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith(f"THẤT BẠI {tests.resolve()}:")
    assert "giá trị deputies là 2, mong đợi 3" in done.stdout
    import yaml

    cases = len(yaml.safe_load(tests.read_text(encoding="utf-8"))["cases"])
    assert done.stdout.splitlines()[-1] == f"{cases - 1} đạt, 1 thất bại; ví dụ của các quy tắc, trên bộ máy: python"
