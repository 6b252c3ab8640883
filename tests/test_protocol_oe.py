"""[OE] Fig. 4a: the predictions registered in docs/theory.md are those the code computes (claims/protocol_oe.py)."""
import re
from pathlib import Path

from twolayer.claims.protocol_oe import BAND, TRANSITION_ERROR, predictions

ROOT = Path(__file__).resolve().parent.parent


def test_the_registered_table_is_the_computed_one():
    text = (ROOT / "docs" / "theory.md").read_text()
    section = text[text.index("### Registered predictions for [OE] Fig. 4a"):]
    rows = re.findall(r"^\| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", section, re.M)
    computed = [tuple(str(p[k]) for k in ("width", "parameters", "optimistic", "null", "condensed"))
                for p in predictions()]
    assert rows == computed
    assert f"within ± {BAND}" in section and "below `10⁻⁶`" in section and TRANSITION_ERROR == 1e-6


def test_the_sizes_follow_from_the_branch_dimensions():
    """Independent of the closed forms in the module: codim = M - dim with the dimensions counted neuron by neuron
    (a null neuron keeps its 6 weights free; a condensed neuron keeps only its share of a_j)."""
    for p in predictions():
        m, M = p["width"], p["parameters"]
        null_dim = 6 * (m - 3)                       # extra neurons: (w, b) free, a = 0; the target's three fixed
        condensed_dim = m - 3                        # each target direction's a's sum to a*_j: m - 3 free
        assert (M - null_dim, M - condensed_dim) == (p["null"], p["condensed"])
