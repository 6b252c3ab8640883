"""environment.yml and pyproject.toml pin the same packages at the same versions."""
import re
from importlib.metadata import requires
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pins(lines):
    pins = {}
    for line in lines:
        found = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==?\s*([0-9][^;\s]*)", line)
        if found:
            pins[found.group(1).lower().replace("_", "-")] = found.group(2)
    return pins


def test_environment_yml_matches_pyproject():
    declared = _pins(requires("twolayer-recovery"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = _pins(d for d in env["dependencies"] if isinstance(d, str))
    conda.update(_pins(p for d in env["dependencies"] if isinstance(d, dict) for p in d.get("pip", [])))
    assert declared, "no pinned dependencies found in the installed metadata"
    assert conda == declared, f"environment.yml {conda} != pyproject.toml {declared}"


def test_pins_parse():
    assert _pins(["sympy==1.14.0", "python-flint=0.9.0", "pip", "python>=3.10"]) == \
        {"sympy": "1.14.0", "python-flint": "0.9.0"}
