"""Counts the README prints are the counts of the code, not numbers typed once and left behind."""
import re
from pathlib import Path

import mutation  # tests/mutation.py, importable here as the other tests import it (pytest puts tests/ first)

ROOT = Path(__file__).resolve().parent.parent


def test_the_mutant_count_in_the_readme_is_the_mutation_table():
    text = (ROOT / "README.md").read_text()
    said = {int(k) for k in re.findall(r"injects (\d+) curated faults", text)}
    scores = set(re.findall(r"score (\d+)/(\d+)", text))
    assert said == {len(mutation.MUTANTS)}, f"README says {said}, tests/mutation.py has {len(mutation.MUTANTS)}"
    assert scores == {(str(len(mutation.MUTANTS)),) * 2}
