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


def _rows(width, errors):
    """Synthetic rows: per n, two seeds at two learning rates; the better rate has the given test error."""
    return [{"width": width, "n": n, "seed": s, "lr": lr, "test_error": e if lr == 0.5 else 1.0}
            for n, e in errors.items() for s in (0, 1) for lr in (0.05, 0.5)]


def test_the_transition_is_where_the_best_median_stays_below_the_threshold():
    from twolayer.claims.protocol_oe import transition
    errors = {18: 1e-2, 20: 1e-9, 22: 1e-3, 24: 1e-8, 26: 1e-10}   # a dip at 20 that does not last
    assert transition(_rows(3, errors), 3) == 24
    assert transition(_rows(3, {18: 1e-2, 63: 1e-2}), 3) is None


def test_the_predictions_are_judged_within_their_band():
    from twolayer.claims.protocol_oe import prediction_checks
    checks = {c.name.split("]")[0][1:]: c.passed for c in
              prediction_checks(_rows(9, {n: (1e-9 if n >= 23 else 1e-2) for n in range(15, 64)}))}
    assert checks == {"O1 (expected)": True, "O2": False, "O3": False}      # 23 is within 21 +- 3, not 27 +- 3
    wide = {c.name.split("]")[0][1:]: c.passed for c in
            prediction_checks(_rows(102, {n: 1e-2 for n in range(15, 64)}))}
    assert wide == {"O1 (expected)": False, "O2": True, "O3": True}        # no transition: 120 and 615 are > 63


def test_a_cut_sweep_resumes_and_a_table_of_other_settings_is_refused(tmp_path):
    import pytest

    from twolayer.base.errors import InputError
    from twolayer.orchestration.protocol_oe import run_protocol
    path = str(tmp_path / "oe.csv")
    first = run_protocol(path, widths=[3], sizes=[30], seeds=[0], rates=(0.5,), max_steps=400, progress=False)
    again = run_protocol(path, widths=[3], sizes=[30, 31], seeds=[0], rates=(0.5,), max_steps=400, progress=False)
    assert first == again[:1] and [r["n"] for r in again] == [30, 31]
    assert sum(1 for _ in open(path)) == 3                                  # header and two rows: 30 not run again
    with pytest.raises(InputError, match="other settings"):
        run_protocol(path, widths=[3], sizes=[30], seeds=[0], rates=(0.5,), max_steps=800, progress=False)


def test_sample_sizes_beyond_the_nested_draw_are_refused_not_truncated():
    """The training sets are the first n of 63 inputs drawn per seed: n = 64 would silently train on 63."""
    import pytest

    from twolayer.base.errors import InputError
    from twolayer.cli import main
    from twolayer.numeric.protocol_oe import run_batch
    with pytest.raises(InputError, match="nested in one draw of 63"):
        run_batch(3, 64, [0], [0.5], 10)
    assert main(["experiment", "--protocol", "oe-fig4a", "--samples", "64", "--no-progress"]) == 2
    assert main(["experiment", "--protocol", "oe-fig4a", "--widths", "1001", "--no-progress"]) == 2
