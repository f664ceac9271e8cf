"""What a plain `pip install .` ships: every subpackage, the schemas, the policy and the rules."""
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "ag18_rules").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    dirs = config["tool"]["setuptools"]["package-dir"]
    assert dirs == {"ag18_rules._shipped.policy": "policy", "ag18_rules._shipped.rules": "rules"}


def test_the_rules_and_policy_ship_only_yaml():
    for folder in ("policy", "rules"):
        other = [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix not in (".yaml", ".json")]
        assert other == [], f"{other} would be left out of the wheel"
