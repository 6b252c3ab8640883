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


def test_the_batched_gradient_is_the_derivative_of_the_mean_loss():
    """Central differences on every parameter block of one run of a batch of three (float64)."""
    import numpy as np

    from twolayer.numeric.protocol_oe import loss_and_gradient
    rng = np.random.default_rng(1)
    a, W, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 4))
    X, y = rng.normal(size=(3, 7, 5)), rng.normal(size=(3, 7))
    _, (ga, gW, gb) = loss_and_gradient(a.copy(), W.copy(), b.copy(), X, y)
    eps = 1e-6
    for block, grad, index in ((a, ga, (2, 1)), (W, gW, (1, 3, 4)), (b, gb, (0, 2))):
        up, down = block.copy(), block.copy()
        up[index] += eps
        down[index] -= eps
        args = {id(a): (up, W, b), id(W): (a, up, b), id(b): (a, W, up)}[id(block)]
        args_down = {id(a): (down, W, b), id(W): (a, down, b), id(b): (a, W, down)}[id(block)]
        numeric = (loss_and_gradient(*[x.copy() for x in args], X, y)[0][index[0]]
                   - loss_and_gradient(*[x.copy() for x in args_down], X, y)[0][index[0]]) / (2 * eps)
        assert abs(numeric - grad[index]) < 1e-7 * max(1, abs(grad[index]))
