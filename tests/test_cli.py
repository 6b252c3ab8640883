"""The command line as a user meets it: clear errors with exit code 2, JSON on request."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from twolayer.cli import main


def twolayer(*args):
    return subprocess.run([sys.executable, "-m", "twolayer", *args], capture_output=True, text=True, timeout=300)


def assert_refused(args):
    """Bad input: exit code 2 and one line 'twolayer: error: ...', no traceback."""
    run = twolayer(*args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("twolayer: error:") and len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [
    ["activation", "Max(0, z)"], ["activation", "Abs(z)"], ["activation", "z**3"], ["activation", "nosuch"],
    ["activation", "tanh(z"], ["activation", "tanh", "--dps", "0"], ["activation", "tanh", "--dps", "-5"],
    ["activation", "tanh", "--taylor", "-1"], ["verify", "--claim", "C99"], ["verify", "--workers", "-1"],
    ["verify", "--workers", "1000"],
])
def test_bad_input_one_line_exit_2(args):
    assert_refused(args)


def test_workers_has_one_range_rule_in_every_command(capsys):
    """--workers is declared once: 0 .. 64 wherever it is taken, refused with the same words outside."""
    commands = {"verify": [], "experiment": ["--setup", "zbz_example1"],
                "study": ["--activation", "tanh", "--target", "[[1, 1]]", "--width", "2"]}
    for name, rest in commands.items():
        for bad in ("-1", "65"):
            assert main([name, *rest, "--workers", bad]) == 2
            assert f"argument --workers: must be between 0 and 64, got {bad}" in capsys.readouterr().err


def test_verify_json_is_a_flag_as_elsewhere(tmp_path):
    """--json prints the results' JSON on stdout in verify too; the file is --results."""
    run = twolayer("verify", "--quick", "--claim", "C4", "--json")
    assert run.returncode == 0, run.stderr
    assert {r["claim"] for r in json.loads(run.stdout)["results"]} == {"C4"}


def test_activation_json():
    run = twolayer("activation", "softplus", "--taylor", "4", "--json")
    out = json.loads(run.stdout)
    assert out["symmetry"] == "even up to a polynomial" and out["polynomial"] == "z"
    assert out["taylor"][:3] == ["log(2)", "1/2", "1/8"]


def test_verify_writes_report(tmp_path):
    run = twolayer("verify", "--quick", "--claim", "C1", "--results", str(tmp_path / "r.json"),
                   "--report", str(tmp_path / "rep"))
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    assert results and all(r["verdict"] == "PASS" for r in results)
    assert {"claim", "config", "verdict", "evidence"} <= set(results[0])
    assert (tmp_path / "rep" / "report.md").read_text().startswith("# twolayer-recovery")
    assert "\r" not in run.stderr  # no progress bar when stderr is not a terminal
    # but one line per claim, so a run in CI or a pipe is never silent; the timings reach the report
    assert re.fullmatch(r"C1: \d+ jobs, \d+ PASS, 0 FAIL, 0 INCONCLUSIVE in \d+\.\d s\n", run.stderr), run.stderr
    assert json.loads((tmp_path / "r.json").read_text())["seconds"]["C1"] > 0
    assert "| claim | PASS | FAIL | INCONCLUSIVE | seconds |" in (tmp_path / "rep" / "report.md").read_text()


def test_verify_on_two_processes_gives_the_serial_results(tmp_path):
    """make verify runs its jobs on two spawned processes: same verdicts and evidence, in the same order, and the
    figures still drawn from the records that travel back (C6's runs)."""
    args = ["verify", "--quick", "--claim", "C4", "--claim", "C6"]
    serial = twolayer(*args, "--results", str(tmp_path / "one.json"))
    parallel = twolayer(*args, "--workers", "2", "--results", str(tmp_path / "two.json"), "--report",
                        str(tmp_path / "r"))
    assert serial.returncode == parallel.returncode == 0, parallel.stderr
    one, two = (json.loads((tmp_path / f).read_text())["results"] for f in ("one.json", "two.json"))
    assert [(r["claim"], r["config"], r["verdict"], r["evidence"]) for r in one] == \
        [(r["claim"], r["config"], r["verdict"], r["evidence"]) for r in two]
    assert (tmp_path / "r" / "figures" / "C6_flow.png").exists()
    assert "Warning" not in parallel.stderr


@pytest.mark.parametrize("args", [
    ["independence", "--activation", "tanh", "--weights", "[[1, 2], [1]]"],
    ["independence", "--activation", "tanh", "--weights", "[[1, \"a\"]]"],
    ["independence", "--activation", "tanh", "--weights", "[[1, 2]"],
    ["independence", "--activation", "Max(0, z)", "--weights", "[[1]]"],
    ["independence", "--activation", "z**2 + 1", "--weights", "[[1]]"],
    ["independence", "--activation", "tanh", "--weights", "[[1]]", "--max-degree", "0"],
])
def test_independence_bad_input(args):
    assert_refused(args)


def test_independence_json():
    out = json.loads(twolayer("independence", "--activation", "sigmoid", "--weights", "[[0], [1], [-1]]",
                              "--json").stdout)
    assert out["independent"] is False and out["evidence"] == "exact-relation"
    assert out["rank"] == 2 and out["size"] == 3
    assert out["relation"] == {"sigma(w1.x)": "-2", "sigma(w2.x)": "1", "sigma(w3.x)": "1"}


@pytest.mark.parametrize("args", [
    ["branches", "--activation", "tanh", "--target", "[[1, 1], [1, -1]", "--width", "3"],
    ["branches", "--activation", "tanh", "--target", "[[1, 1], [2, -1]]", "--width", "3"],
    ["branches", "--activation", "tanh", "--target", "[[1, 1], [2, 3]]", "--width", "1"],
    ["branches", "--activation", "sigmoid", "--target", "[[1, 1]]", "--width", "2"],
    ["rank", "--activation", "tanh", "--theta", "[[1, 2]]", "--inputs", "[[1, 2]]"],
    ["rank", "--activation", "tanh", "--theta", "[[1, 2]]", "--samples", "0"],
    ["rank", "--activation", "tanh", "--theta", "[[1, 2]]", "--bias"],
])
def test_geometry_bad_input(args):
    assert_refused(args)


def test_branches_and_rank_json():
    out = json.loads(twolayer("branches", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--width", "2",
                              "--json").stdout)
    assert out["optimistic_sample_size"] == 2 and len(out["branches"]) == 3
    assert {"pattern", "dim", "codim", "generic_rank", "degenerate", "example_point"} <= set(out["branches"][0])
    rank = json.loads(twolayer("rank", "--activation", "tanh", "--theta", '[[1, "1/2"], [0, 2]]', "--samples", "3",
                               "--json").stdout)
    assert (rank["model_rank"], rank["numerical_rank"], rank["certified_lower"], rank["empirical_rank"]) == (3, 3, 3, 3)


@pytest.mark.parametrize("args", [
    ["separation", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--point", '[[1, "1/2"], [1, 2]]',
     "--samples", "1-3"],
    ["separation", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--point", '[[1, "1/2"], [0, 2]]',
     "--samples", "x"],
    ["separation", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--point", '[[1, "1/2", 1], [0, 2, 1]]',
     "--samples", "1-3"],
    ["separation", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--point", '[[1, "1/2"], [0, 2]]',
     "--samples", "1-3", "--inputs", "[[1]]"],
])
def test_separation_bad_input(args):
    assert_refused(args)


def test_separation_json():
    out = json.loads(twolayer("separation", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--point",
                              '[[1, "1/2"], [0, 2]]', "--samples", "2,3", "--starts", "3", "--json").stdout)
    first, second = out["rows"]
    assert (first["n"], first["separated"], second["separated"]) == (2, False, True)
    assert second["certified_radius"] is not None and first["certified_radius"] is None


@pytest.mark.parametrize("args", [
    ["flow", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--init", '[[1, "1/2"], [0, 2]]', "--samples", "3",
     "--t-max", "-5"],
    ["flow", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--init", '[[1, "1/2", 1]]', "--t-max", "5"],
    ["flow", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--init", '[[1, "1/2"], [0, 2]]', "--t-max", "x"],
    ["flow", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--init", '[[1, "1/2"], [0]]', "--t-max", "5"],
])
def test_flow_bad_input(args):
    assert_refused(args)


def test_flow_json():
    out = json.loads(twolayer("flow", "--activation", "tanh", "--target", '[[1, "1/2"]]', "--init",
                              '[["1.02", "0.48"], ["0.03", 2]]', "--samples", "5", "--t-max", "1e40",
                              "--json").stdout)
    assert out["decay"] == "exponential" and out["verdict"] == "PASS"
    assert {"limit_point", "final_loss", "generalization_error", "predicted_rate", "fitted_rate",
            "fitted_slope"} <= set(out)


def _readme_examples():
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = text.split("### Examples", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_every_subcommand_help_has_a_description_and_the_readme_example():
    from twolayer.cli import COMMANDS
    examples = _readme_examples()
    assert examples == [c.example for c in COMMANDS]
    for name, description, example in ((c.name, c.description, c.example) for c in COMMANDS):
        shown = twolayer(name, "--help").stdout
        assert description.split(":")[0][:40] in " ".join(shown.split()) and example in shown, name


def test_the_readme_examples_run():
    """Each example exits 0 (two at a time: they are independent processes)."""
    import shlex
    from concurrent.futures import ThreadPoolExecutor
    examples = _readme_examples()
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda line: twolayer(*shlex.split(line)[1:]), examples))
    failed = [(line, run.returncode, run.stderr[-300:]) for line, run in zip(examples, runs) if run.returncode != 0]
    assert failed == []


def test_rank_takes_the_field_widths_and_refuses_beyond():
    from twolayer.numeric.network import random_network
    wide = json.dumps(random_network(301, 6, seed=0).to_json())
    out = twolayer("rank", "--activation", "tanh", "--theta", wide, "--bias")
    assert out.returncode == 2 and "2107 parameters exceed the limit 2100" in out.stderr
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


@pytest.mark.parametrize("argv, message", [
    (["rank", "--activation", "tanh", "--theta", '[[1, "1/2"]]', "--dps", "1001"],
     "precision (--dps) must be between 15 and 1000 digits, got 1001"),
    (["rank", "--activation", "tanh", "--theta", '[[1, "1/2"]]', "--dps", "14"],
     "precision (--dps) must be between 15 and 1000 digits, got 14"),
    (["rank", "--activation", "tanh", "--theta", '[[1, "1/2"]]', "--seed", str(2**63)],
     "--seed must be between 0 and 2^63 - 1"),
    (["verify", "--quick", "--dps", "80"], "unrecognized arguments: --dps 80"),
    (["verify", "--quick", "--seed", "3"], "unrecognized arguments: --seed 3"),
])
def test_options_are_refused_before_any_work_in_the_users_terms(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_the_documented_ends_of_the_ranges_are_accepted(capsys):
    assert main(["rank", "--activation", "tanh", "--theta", '[[1, "1/2"]]', "--dps", "1000",
                 "--seed", str(2**63 - 1), "--samples", "2"]) == 0
    assert "verdict: PASS" in capsys.readouterr().out
