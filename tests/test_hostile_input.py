"""A hostile user: code in the activation, evaluation bombs, malformed data, Ctrl-C.

Input is data: no payload may execute, every bomb is refused in under a second, and every malformed
input ends in exit code 2 with one ``twolayer: error:`` line (never a traceback).
"""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from twolayer.base.errors import InputError
from twolayer.base.inputs import load_json
from twolayer.cli import main
from twolayer.numeric.network import parse_network
from twolayer.symbolic.activations import activation


def run(argv, capsys):
    """(exit code, stdout, stderr) of the command in this process (a traceback would fail the test)."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_refusal(code, err):
    assert code == 2, err
    assert err.startswith("twolayer: error:") and len(err.strip().splitlines()) == 1, err


def payloads(marker):
    target = str(marker)
    return [f"__import__('os').system('touch {target}')",
            f"open('{target}', 'w')",
            f"exec(\"open('{target}', 'w')\")",
            f"(lambda: open('{target}', 'w'))()",
            f"tanh(z) + __import__('pathlib').Path('{target}').touch()",
            f"z.__class__.__init__.__globals__['__builtins__']['open']('{target}', 'w')",
            f"[open('{target}', 'w') for z in (1,)][0]",
            f"tanh(z) if open('{target}', 'w') else z"]


def commands(expression):
    net = '[[1, 1]]'
    return [["activation", expression],
            ["derive", "--activation", expression, "--width", "1", "--dim", "1"],
            ["independence", "--activation", expression, "--weights", "[[1]]"],
            ["branches", "--activation", expression, "--target", net, "--width", "2"],
            ["rank", "--activation", expression, "--theta", net],
            ["separation", "--activation", expression, "--target", net, "--point", '[[1, 1], [0, 2]]',
             "--samples", "2"],
            ["flow", "--activation", expression, "--target", net, "--init", net, "--t-max", "1"],
            ["experiment", "--activation", expression, "--target", net, "--width", "2", "--samples", "2"],
            ["study", "--activation", expression, "--target", net, "--width", "2"]]


@pytest.mark.parametrize("which", range(8))
def test_no_payload_executes_in_any_subcommand(which, tmp_path, capsys):
    marker = tmp_path / "pwned"
    expression = payloads(marker)[which]
    for argv in commands(expression):
        code, _, err = run(argv, capsys)
        assert_one_line_refusal(code, err)
        assert not marker.exists(), (argv, "the payload ran")


BOMBS = ["9**9**9**9", "2**2**2**2**2**2", "factorial(10**8)", "exp(exp(exp(exp(exp(exp(exp(exp(z))))))))",
         "exp(exp(exp(z)))", "sin(cos(tanh(z + 1/2)))", "tanh(1e100000000*z)", "tanh(1e400*z)", "z**(10**100)",
         "(((z + 1e8)**64)**64)**64", "tanh(" * 300 + "z" + ")" * 300, "+".join(["tanh(z)"] * 500),
         "tanh(" + "9" * 5000 + "*z)", "(1/3)**-64**64"]


@pytest.mark.parametrize("bomb", BOMBS)
def test_expression_bombs_are_refused_at_once(bomb):
    start = time.time()
    with pytest.raises(InputError):
        activation(bomb)
    assert time.time() - start < 1


@pytest.mark.parametrize("text", ['[["1e100000000", 1]]', '[[1e100000000, 1]]', '[[1, "1e-100000000"]]',
                                  "[[" + "7" * 5000 + ", 1]]", "[" * 60000 + "]" * 60000, '[[1, "1/0"]]',
                                  '[[NaN, 1]]', '[[Infinity, 1]]', '[[1, "1e400"]]', '[[1, 1e999]]',
                                  '[["' + "1" * 300 + '", 1]]'])
def test_number_and_json_bombs_are_refused_at_once(text):
    start = time.time()
    with pytest.raises(InputError):
        parse_network(text)
    assert time.time() - start < 1


@pytest.mark.parametrize("argv", [
    ["separation", "--activation", "tanh", "--target", "[[1, 1]]", "--point", "[[1, 1]]",
     "--samples", "1-1000000000"],
    ["separation", "--activation", "tanh", "--target", "[[1, 1]]", "--point", "[[1, 1]]",
     "--samples", "1-999999999999999999"],
    ["rank", "--activation", "tanh", "--theta", "[[1, 1]]", "--seed", "-1"],
    ["rank", "--activation", "tanh", "--theta", "[[1, 1]]", "--seed", "9" * 5000],
    ["rank", "--activation", "tanh", "--theta", "[[1, 1]]", "--samples", "10000000000"],
    ["flow", "--activation", "tanh", "--target", "[[1, 1]]", "--init", "[[1, 1]]", "--t-max", "1/0"],
    ["flow", "--activation", "tanh", "--target", "[[1, 1]]", "--init", "[[1, 1]]", "--t-max", "1e100000000"],
    ["experiment", "--setup", "zbz_example1", "--scheduler", "garbage"],
    ["experiment", "--setup", "zbz_example1", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
    ["experiment", "--setup", "zbz_example1", "--scales", ""],
    ["experiment", "--activation", "tanh", "--target", '[["1e400", 1]]', "--width", "2", "--samples", "2"],
    ["experiment", "--setup", "zbz_example1", "--out", "/missing/folder/t.csv"],
    ["experiment", "--setup", "zbz_example1", "--lr", "nan"],
    ["independence", "--activation", "tanh", "--weights", json.dumps([[k + 1] for k in range(201)])],
    ["verify", "--json", "/missing/dir/x.json"],
    ["verify", "--report", "/dev/null"],
    ["flow", "--activation", "tanh", "--target", "[[1, 1]]", "--init", "[[1, 1]]", "--t-max", "1",
     "--plot", "out.txt"],
    ["rank", "--nosuch-option"], ["nosuch-command"], [],
])
def test_refused_in_one_line_before_any_work(argv, capsys):
    start = time.time()
    code, _, err = run(argv, capsys)
    assert_one_line_refusal(code, err)
    assert time.time() - start < 5


def _fuzz_cases(count=120, seed=11):
    """Random malformed networks, numbers and expressions for the cheap subcommands."""
    rng = np.random.default_rng(seed)
    atoms = ["z", "1", "0.5", "-3/4", "pi", "E", "I", "x", "tanh", "exp(", ")", "(", "+", "*", "/", "**", "-", ",",
             "'s'", "[", "]", "__", ".", "1e999", "lambda", "tanh(z)", "sin(z)", "log(", "0", "2", "=", ":", "\\"]
    numbers = ["1", "-1", "0", '"1/3"', '"0.7"', '"x"', '"1/0"', "1e999", "true", "null", '""', "[]", "{}",
               '"1e100000"', "1.5", '"-"', "NaN", "-0.0", "9" * 400]
    cases = []
    for _ in range(count):
        expression = "".join(rng.choice(atoms, size=int(rng.integers(1, 9))))
        neurons = [[rng.choice(numbers) for _ in range(int(rng.integers(1, 4)))]
                   for _ in range(int(rng.integers(0, 3)))]
        net = "[" + ",".join("[" + ",".join(n) + "]" for n in neurons) + "]"
        if rng.random() < 0.2:
            net = net[: int(rng.integers(0, len(net) + 1))]
        kind = int(rng.integers(0, 4))
        cases.append([["activation", expression],
                      ["independence", "--activation", "tanh", "--weights", net],
                      ["rank", "--activation", "tanh", "--theta", net],
                      ["branches", "--activation", expression, "--target", net, "--width", "2"]][kind])
    return cases


def test_fuzzed_input_ends_in_exit_0_or_2_and_one_line(capsys):
    for argv in _fuzz_cases():
        start = time.time()
        code, out, err = run(argv, capsys)
        assert code in (0, 2), (argv, err)
        if code == 2:
            assert_one_line_refusal(code, err)
        assert time.time() - start < 30, argv


def test_json_output_is_strict_json(capsys):
    code, out, _ = run(["rank", "--activation", "tanh", "--theta", "[[1, 1], [0, 2]]", "--json"], capsys)
    assert code == 0
    json.loads(out, parse_constant=lambda name: pytest.fail(f"bare {name} in JSON output"))


def test_a_deep_json_is_refused_without_recursion():
    with pytest.raises(InputError, match="nested deeper"):
        load_json("[" * 100 + "]" * 100, "network")


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="needs POSIX signals")
def test_ctrl_c_gives_one_line_exit_130_and_keeps_finished_results(tmp_path):
    report = tmp_path / "rep"
    # A shell without job control starts background commands with SIGINT ignored, and Python then installs no
    # KeyboardInterrupt handler: the child gets the default disposition back, as a terminal's Ctrl-C would find it.
    proc = subprocess.Popen([sys.executable, "-m", "twolayer", "verify", "--quick", "--claim", "C2", "--claim", "C3",
                             "--report", str(report)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(12)   # imports, then some jobs of C2
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGINT, err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "twolayer: interrupted"
    saved = json.loads((report / "results.json").read_text())
    assert saved["incomplete"].startswith("incomplete: interrupted after")
    assert "incomplete" in (report / "report.md").read_text().splitlines()[0]


def test_generated_code_and_sympify_take_only_trees_of_the_grammar():
    """Below the parser: code is generated (and executed) only from grammar trees; strings are never sympified."""
    import sympy as sp

    from twolayer.symbolic.constants import as_expression
    from twolayer.symbolic.expression import z
    from twolayer.symbolic.model import mpmath_source
    assert "tanh" in mpmath_source([sp.tanh(z + sp.Rational(1, 2))], z)
    for bad in (sp.Abs(z), sp.Function("evil")(z), sp.tanh(sp.Symbol("y"))):
        with pytest.raises(ValueError, match="activation grammar"):
            mpmath_source([bad], z)
    with pytest.raises(TypeError, match="never sympified"):
        as_expression("__import__('os')")
