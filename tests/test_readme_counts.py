"""Counts the README prints are the counts of the code, not numbers typed once and left behind."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import mutation  # noqa: E402


def test_the_mutant_count_in_the_readme_is_the_mutation_table():
    text = (ROOT / "README.md").read_text()
    said = {int(k) for k in re.findall(r"injects (\d+) curated faults", text)}
    scores = set(re.findall(r"score (\d+)/(\d+)", text))
    assert said == {len(mutation.MUTANTS)}, f"README says {said}, tests/mutation.py has {len(mutation.MUTANTS)}"
    assert scores == {(str(len(mutation.MUTANTS)),) * 2}
