"""twolayer study: the overview (branches or types), the per-branch study from the claim functions, the CLI's
bad-input handling, and Dask against the serial run."""
import json

import pytest

from twolayer.claims.study import by_codimension, default_selection, overview, run_study
from twolayer.cli import main
from twolayer.numeric.network import parse_network
from twolayer.symbolic.activations import activation
from twolayer.symbolic.branches import enumerate_branches

TANH = activation("tanh")
TARGET_1 = '[[1, "1/2"]]'
TARGET_3 = ('[[1, "1/2", "-1/4", "3/4", "1/3"], ["-3/2", 1, "1/2", "-1/2", "1/4"], '
            '["3/4", "-1/3", 1, "1/4", "-1/2"]]')


def test_types_stand_for_every_branch():
    """Counting types must give the number of branches the enumeration lists (where it can list them)."""
    for width in (6, 8, 10):
        table = overview(TANH, parse_network(TARGET_3), width)
        assert table["branches"] == len(enumerate_branches(TANH, 3, width, 4))
    wide = overview(TANH, parse_network(TARGET_3), 20)
    assert (wide["listed"], wide["branches"], wide["types"]) == ("types", 53122, 4582)
    summary = by_codimension(wide["rows"])
    assert len(summary) == 18 and sum(r["branches"] for r in summary) == 53122
    smallest = min((r for r in wide["rows"] if not r["degenerate"]), key=lambda r: r["codim"])
    assert (smallest["label"], smallest["codim"], smallest["rank"]) == ("no split null=17", 32, 32)
    assert default_selection(wide) == ["no split null=17", "no split null=16 zero=1", "split+17"]


@pytest.fixture(scope="module")
def small_study():
    return run_study("tanh", TARGET_1, 2, progress=False, boxes=100)


def test_small_study_from_the_claim_functions(small_study):
    studied = {b["label"]: b for b in small_study["studied"]}
    assert list(studied) == ["s=(1) null=1", "s=(1) zero=1", "s=(2)"]
    null = studied["s=(1) null=1"]
    assert null["certified_rank"]["certified"] == null["generic_rank"] == null["codim"] == 3
    assert [r["n"] for r in null["separation"]] == [2, 3, 4]
    assert null["separation"][0]["certified_radius"] is None and null["separation"][1]["certified_radius"]
    assert float(null["separation"][1]["exclusion_radius"]) > float(null["separation"][1]["certified_radius"])
    assert null["separation_verdict"] == "PASS" and float(null["rate_at_codim"]) > 0
    split = studied["s=(2)"]
    assert split["degenerate"] and split["rate_at_codim"] is None
    # no first-order radius at a split point; the second-order decision answers from n = r on
    decided = {r["n"]: (r["separated"], r["method"], r["certified_radius"] is not None) for r in split["separation"]}
    assert all(method == "second order" for _, method, _ in decided.values()), decided
    assert all(has_radius == (separated is True) for separated, _, has_radius in decided.values()), decided


def test_dask_gives_the_serial_study(small_study):
    on_dask = run_study("tanh", TARGET_1, 2, progress=False, boxes=100, workers=2)
    strip = [{k: v for k, v in b.items() if k != "seconds"} for b in small_study["studied"]]
    assert [{k: v for k, v in b.items() if k != "seconds"} for b in on_dask["studied"]] == strip


def test_cli_json_and_report(tmp_path, capsys):
    assert main(["study", "--activation", "tanh", "--target", TARGET_1, "--width", "2", "--branch", "s=(1) null=1",
                 "--samples", "3", "--boxes", "50", "--report", str(tmp_path / "out"), "--json"]) == 0
    study = json.loads(capsys.readouterr().out)
    assert [b["label"] for b in study["studied"]] == ["s=(1) null=1"]
    assert [r["n"] for r in study["studied"][0]["separation"]] == [3]
    text = (tmp_path / "out" / "study.md").read_text()
    assert "## Studied branches" in text and "figures/study_rank_codim.png" in text
    # the one-line answer (as the sweep decided it) and the picture of the branch's point (d = 1)
    assert "- **s=(1) null=1** (non-degenerate, codim 3): n = 3: separated (certified radius)" in text
    assert "figures/study_branches.png" in text and (tmp_path / "out" / "figures" / "study_branches.png").exists()
    assert json.loads((tmp_path / "out" / "study.json").read_text())["branches"] == 3


@pytest.mark.parametrize("args, message", [
    (["--width", "1", "--target", '[[1, "1/2"], [2, 1]]'], "below the target width"),
    (["--width", "50", "--target", TARGET_3], "above the limit"),
    (["--width", "2", "--branch", "s=(9) null=9"], "is not a branch"),
    (["--width", "2", "--starts", "-1"], "--starts"),
    (["--width", "2", "--samples", "0"], "--samples"),
    (["--width", "60", "--target", '[[1, "1/2"]]'], "branch types"),
    (["--width", "40", "--target", TARGET_3], "20000 branch types"),     # M = 200: at the limit, refused by types
    (["--width", "2", "--activation", "z**3 + z"], "polynomial"),
])
def test_bad_input_gets_one_line_and_exit_2(args, message, capsys):
    base = {"--activation": "tanh", "--target": TARGET_1}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    argv = ["study"] + [x for kv in base.items() for x in kv] + ["--no-progress"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
