"""Gradient-descent experiments (claim C7): the float64 model against the 50-digit evaluator, the recovery
decision on runs whose answer is known, sweeps (resume, Dask = serial), the CLI, and C7's checks."""
import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from twolayer.base.errors import InputError
from twolayer.base.precision import working_precision
from twolayer.claims import experiments as c7
from twolayer.claims.result import FAIL, INCONCLUSIVE, PASS, Result
from twolayer.cli import main
from twolayer.numeric import training
from twolayer.numeric.evaluate import evaluate_hessian
from twolayer.numeric.experiment import COLUMNS, ExperimentSpec, run_cell, validate
from twolayer.numeric.network import Network, parse_network
from twolayer.numeric.population import population_loss
from twolayer.numeric.precision import arb_to_mpf
from twolayer.orchestration.sweep import read_table, run_sweep
from twolayer.symbolic.activations import activation

SMALL = ExperimentSpec("tanh", '[[1, "3/5", "4/5"]]', width=2, lr=0.2, max_steps=3000)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "exp", "tanh(z + 1/2)", "erf", "z/3 + erf(z)"])
def test_float_model_matches_the_50_digit_evaluator(name):
    """Loss, gradient, Jacobian and Hessian of the float64 model against numeric.evaluate (an independent code)."""
    act = activation(name)
    rng = np.random.default_rng(1)
    a, W, X = rng.standard_normal(3) * 0.7, rng.standard_normal((3, 2)) * 0.7, rng.standard_normal((5, 2))
    y = rng.standard_normal(5) * 0.1
    model = training.FloatModel(act)
    loss, ga, gW = model.loss_and_gradient(a[None], W[None], X[None], y[None])
    e, J, H = model.jacobian_and_hessian(a, W, X, y)
    network = Network(tuple((Fraction(float(ak)), *(Fraction(float(v)) for v in wk)) for ak, wk in zip(a, W)))
    inputs = [[Fraction(float(v)) for v in x] for x in X]
    with working_precision(30):
        ev = evaluate_hessian(act, network, inputs, [Fraction(float(v)) for v in y], dps=30)
        n = len(y)   # the evaluator's loss is 1/(2n) sum e^2: the experiments' is n times it
        exact_grad = np.array([float(arb_to_mpf(g)) * n for g in ev.gradient.entries()])
        exact_hess = np.array([[float(arb_to_mpf(ev.hessian[i, j])) * n for j in range(9)] for i in range(9)])
        exact_jac = np.array([[float(arb_to_mpf(ev.jacobian[i, j])) for j in range(9)] for i in range(5)])
        exact_loss = float(arb_to_mpf(ev.loss)) * n
    grad = np.concatenate([ga[0][:, None], gW[0]], axis=1).ravel()
    assert loss[0] == pytest.approx(exact_loss, rel=1e-12)
    assert np.allclose(grad, exact_grad, rtol=1e-10, atol=1e-13)
    assert np.allclose(J, exact_jac, rtol=1e-10, atol=1e-13)
    assert np.allclose(H, exact_hess, rtol=1e-9, atol=1e-12)
    assert np.allclose(J.T @ e, exact_grad, rtol=1e-10, atol=1e-13)


def _trace_limit(points):
    return training.Limit(np.zeros(1), np.zeros((1, 1)), [(float(i), L, E) for i, (L, E) in enumerate(points)])


@pytest.mark.parametrize("points, outcome", [
    ([(1e-10, 1e-5), (1e-30, 1e-27)], "recovered"),
    ([(1e-10, 1e-3), (1e-30, 1e-3)], "not recovered"),
    # the trend rule's cases: a falling or a levelling test error no longer decides a run the limit does not
    ([(10.0 ** -k, 10.0 ** -k * 40) for k in range(8, 17)], "undecided"),
    ([(10.0 ** -k, 5e-3) for k in range(8, 13)], "undecided"),
    ([(1e-30, 1e-15)], "undecided"),                   # a global minimum with an error between the two thresholds
    ([(1e-20, 1e-3)], "undecided"),                    # not yet a global minimum
])
def test_decide_on_known_traces(points, outcome):
    assert training.decide(_trace_limit(points))[0] == outcome
    assert training.decide_at(*points[-1])[0] == outcome


def test_decide_on_a_diverged_run():
    assert training.decide(None)[0] == "undecided"
    assert training.decide(_trace_limit([(float("inf"), float("nan"))]))[0] == "undecided"


def test_a_start_on_a_non_generalizing_global_minimum_is_not_recovered():
    """One sample x = 1 of tanh(x): (a, w) = (2, atanh(tanh(1)/2)) fits it exactly and is not the target."""
    act = activation("tanh")
    model = training.FloatModel(act)
    X, y = np.array([[1.0]]), np.array([math.tanh(1.0)])
    X_test = np.random.default_rng(0).standard_normal((500, 1))
    test_set = (X_test, np.tanh(X_test[:, 0]))
    start = (np.array([2.0]), np.array([[math.atanh(math.tanh(1.0) / 2)]]))
    limit = training.follow_to_limit(model, *start, X, y, test_set)
    assert training.decide(limit)[0] == "not recovered"
    # near the target with one sample the flow lands elsewhere on {a tanh(w) = tanh(1)}: not separated (n < 2)
    near = (np.array([1.0 + 1e-2]), np.array([[1.0]]))
    assert training.decide(training.follow_to_limit(model, *near, X, y, test_set))[0] == "not recovered"
    # 1e-4 away the limit's test error (~1e-10) is between the thresholds: undecided, not read from a trend
    closer = (np.array([1.0 + 1e-4]), np.array([[1.0]]))
    assert training.decide(training.follow_to_limit(model, *closer, X, y, test_set))[0] == "undecided"
    # with two samples (n = rank = 2) the target is isolated: the same start recovers it
    X2 = np.array([[1.0], [-0.5]])
    limit = training.follow_to_limit(model, *near, X2, np.tanh(X2[:, 0]), test_set)
    assert training.decide(limit)[0] == "recovered"


def test_runs_below_the_optimistic_sample_size_do_not_recover_and_rows_follow_the_schema():
    rows = run_cell(SMALL, 2, 1e-3, (0, 1, 2))
    assert [r["outcome"] for r in rows] == ["not recovered"] * 3
    assert all(r["limit_loss"] < 1e-24 and r["limit_test_error"] > 1e-6 for r in rows)
    assert list(rows[0]) == [name for name, _, _ in COLUMNS]


def test_a_cell_does_not_depend_on_the_other_cells():
    assert run_cell(SMALL, 3, 1e-3, (0, 1)) == run_cell(SMALL, 3, 1e-3, (0, 1))


def test_population_loss_with_a_bias_averages_over_the_gaussian_inputs_only():
    """A constant offset c: f - f* = c everywhere, so R = c^2 / 2 exactly, whatever the quadrature."""
    act = activation("tanh")
    target = parse_network("[[1, 1, 0]]")
    # tanh(0 x + b) is the constant tanh(b): neuron 2 adds c = tanh(1/2) / 4 to the target
    shifted = parse_network('[[1, 1, 0], ["1/4", 0, "1/2"]]')
    with working_precision(30):
        value = arb_to_mpf(population_loss(act, shifted, parse_network("[[1, 1, 0], [0, 0, 0]]"), 30, bias=True)[0])
        assert abs(value - (mpmath.tanh(mpmath.mpf(1) / 2) / 4) ** 2 / 2) < mpmath.mpf(10) ** -25
    assert target.d == 2


def test_sweep_resumes_and_refuses_a_table_of_another_experiment(tmp_path):
    path = tmp_path / "runs.csv"
    first = run_sweep(SMALL, [2], [1e-3], range(2), path=str(path), progress=False)
    text = path.read_text()
    both = run_sweep(SMALL, [2, 3], [1e-3], range(2), path=str(path), progress=False)
    assert path.read_text().startswith(text)                  # the old rows are kept, not recomputed
    assert len(path.read_text().splitlines()) == 1 + 4
    assert [r for r in both if r["n"] == 2] == first
    again = run_sweep(SMALL, [2, 3], [1e-3], range(2), path=str(path), progress=False)
    assert len(path.read_text().splitlines()) == 1 + 4 and again == both
    spec, rows = read_table(str(path))
    assert spec == SMALL and rows[0]["paper_recovered"] in (True, False)
    other = ExperimentSpec("tanh", '[[1, "3/5", "4/5"]]', width=3)
    with pytest.raises(InputError, match="another experiment"):
        run_sweep(other, [2], [1e-3], range(1), path=str(path), progress=False)
    (tmp_path / "junk.csv").write_text("not a table")
    with pytest.raises(InputError, match="not a sweep table"):
        run_sweep(SMALL, [2], [1e-3], range(1), path=str(tmp_path / "junk.csv"), progress=False)


def test_dask_with_two_workers_gives_the_same_table_as_a_serial_run(tmp_path):
    spec = ExperimentSpec("tanh", "[[1, 1, 1]]", width=2, bias=True, lr=0.5, max_steps=2000)
    serial, parallel = tmp_path / "serial.csv", tmp_path / "dask.csv"
    run_sweep(spec, [2, 4], [1e-20, 1e-3], range(10), path=str(serial), progress=False)
    run_sweep(spec, [2, 4], [1e-20, 1e-3], range(10), path=str(parallel), workers=2, progress=False)
    lines = [sorted(p.read_text().splitlines()) for p in (serial, parallel)]
    assert len(lines[0]) == 1 + 40 and lines[0] == lines[1]


@pytest.mark.parametrize("argv, message", [
    (["--setup", "nope"], "unknown --setup"),
    (["--activation", "tanh", "--target", "[[1, 1]]", "--width", "0", "--samples", "2"], "width"),
    (["--activation", "abs(z)", "--target", "[[1, 1]]", "--width", "2", "--samples", "2"], "analytic"),
    (["--activation", "tanh", "--target", "[[1, 1]]", "--width", "2", "--samples", "2", "--bias"], "bias"),
    (["--activation", "tanh", "--target", "[[1, 1]]", "--width", "2", "--samples", "2", "--scales", "0"], "scales"),
    (["--activation", "tanh", "--target", "[[1, 1]]", "--width", "2", "--samples", "2", "--lr", "-1"], "lr"),
    (["--activation", "tanh", "--target", "[[1, 1]]", "--width", "2", "--samples", "2", "--steps", "0"], "steps"),
    (["--activation", "tanh", "--target", "[[1, 1]]", "--width", "2", "--samples", "2", "--seeds", "0"], "seeds"),
    (["--activation", "tanh", "--target", "[[1, 1]]", "--width", "150", "--samples", "2"], "parameters"),
    (["--activation", "tanh", "--target", "[[1, 1]]", "--width", "2"], "--samples"),
    (["--activation", "tanh", "--target", "[[1, 1]]", "--width", "2", "--samples", "2", "--out", "/nonexistent/x"],
     "does not exist"),
    (["--setup", "zbz_example1", "--bias"], "--setup fixes"),
    (["--activation", "tanh", "--target", "[[1, 1]]", "--width", "2", "--samples", "1-100", "--seeds", "10000",
      "--scales", "1e-3,1e-2"], "exceed the limit"),
    (["--activation", "cosh(z) - (exp(z) + exp(-z))/2 + z**2", "--target", "[[1, 1]]", "--width", "2",
      "--samples", "2"], "polynomial"),
])
def test_experiment_cli_refuses_bad_input(argv, message, capsys):
    assert main(["experiment", "--no-progress", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_experiment_cli_json_on_a_users_configuration(capsys):
    assert main(["experiment", "--activation", "tanh", "--target", '[[1, "3/5", "4/5"]]', "--width", "2",
                 "--samples", "2", "--seeds", "2", "--steps", "2000", "--lr", "0.2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["predictions"]["optimistic"] == 3 and out["predictions"]["separation"] == 4
    assert out["rates"] == [{"n": 2, "scale": 1e-20, "recovered": 0, "not_recovered": 2, "undecided": 0}]
    assert len(out["rows"]) == 2 and out["rows"][0]["outcome"] == "not recovered"


@pytest.mark.parametrize("key, optimistic, separation", [
    ("zbz_example1", 3, 4),                 # [ZBZ] Table 1: optimistic 3, Q2 separates at 4
    ("oe_width3_d5", 18, 19),               # k(d+1) = 18; a null neuron adds d + 1 - ... : codim 19
    ("oe_width3_d5_bias", 21, 22),          # k(d+2) = 21 ([OE], [LLR]), with a bias
])
def test_predictions_match_the_papers_formulas(key, optimistic, separation):
    pred = c7.predictions(c7.SETUPS[key].spec)
    assert (pred["optimistic"], pred["separation"]) == (optimistic, separation)


def _rows(table):
    """Synthetic runs: {n: (recovered, not recovered, undecided)}; recovered ones on the null branch."""
    rows = []
    for n, counts in table.items():
        for outcome, k in zip(("recovered", "not recovered", "undecided"), counts):
            rows += [{"n": n, "scale": 1e-20, "seed": i, "outcome": outcome, "lr": 0.5, "lr_lambda_max": 1.0,
                      "branch": "((1,), 1, (), 0)" if outcome == "recovered" else ""} for i in range(k)]
    return rows


PRED = {"optimistic": 3, "separation": 4, "branches": [{"pattern": "((1,), 1, (), 0)", "codim": 4}]}


@pytest.mark.parametrize("table, verdict", [
    ({2: (0, 8, 0), 4: (1, 7, 0), 6: (8, 0, 0)}, PASS),
    ({2: (1, 7, 0), 4: (1, 7, 0), 6: (8, 0, 0)}, FAIL),            # a recovery below the optimistic size
    ({2: (0, 8, 0), 4: (0, 8, 0), 6: (8, 0, 0)}, INCONCLUSIVE),    # none at n = 4: the rate is only bounded
    ({2: (0, 8, 0), 3: (2, 6, 0), 6: (8, 0, 0)}, FAIL),            # recovered onto a branch of codim 4 at n = 3
    ({2: (0, 2, 6), 4: (1, 1, 6), 6: (2, 0, 6)}, INCONCLUSIVE),    # mostly undecided
])
def test_c7_checks_on_synthetic_tables(table, verdict):
    setup = c7.SETUPS["zbz_example1"]
    assert Result("C7", "", {}, c7.check_rows(setup, _rows(table), PRED)).verdict == verdict


def test_c7_refuses_a_decided_run_whose_step_is_unstable_at_its_limit():
    setup = c7.SETUPS["zbz_example1"]
    rows = _rows({2: (0, 8, 0), 4: (1, 7, 0), 6: (8, 0, 0)})
    rows[-1]["lr_lambda_max"] = 2.5                              # decided, but descent could not settle there
    assert Result("C7", "", {}, c7.check_rows(setup, rows, PRED)).verdict == FAIL
    rows[-1].update(outcome="undecided", lr=setup.spec.lr / 16)  # undecided after every halving: allowed
    assert Result("C7", "", {}, c7.check_rows(setup, rows, PRED)).verdict == PASS


def test_validate_accepts_the_built_in_setups():
    for setup in c7.SETUPS.values():
        act, target = validate(setup.spec)
        assert act.name == "tanh" and target.m == (1 if setup.key == "zbz_example1" else 3)


def test_branches_with_a_bias_are_zbz_table_1(capsys):
    """[ZBZ] Example 1: optimistic size 3, Q2 (s=(1) null=1) codim 4 = rank, Q1 (s=(2)) codim 5 > rank 3."""
    assert main(["branches", "--activation", "tanh", "--target", "[[1, 1, 1]]", "--width", "2", "--bias",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    table = {b["pattern"]: (b["codim"], b["generic_rank"]) for b in out["branches"]}
    assert table["s=(1) null=1"] == (4, 4) and table["s=(2)"] == (5, 3)
    assert out["optimistic_sample_size"] == 3
    # two extra neurons: constant neurons can cancel (a component that is not enumerated): refused, not listed
    assert main(["branches", "--activation", "tanh", "--target", "[[1, 1, 1]]", "--width", "3", "--bias",
                 "--json"]) == 2
    assert "constant neurons" in capsys.readouterr().err


def test_separation_and_flow_with_a_bias(capsys):
    q2 = '[[1, 1, 1], [0, "-3/4", "1/2"]]'
    assert main(["separation", "--activation", "tanh", "--target", "[[1, 1, 1]]", "--point", q2, "--samples", "3,4",
                 "--starts", "3", "--bias", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["separated"] for r in rows] == [False, True] and rows[1]["certified_radius"] is not None
    start = '[["1.02", "0.98", "1.01"], ["0.01", "-0.7", "0.5"]]'
    assert main(["flow", "--activation", "tanh", "--target", "[[1, 1, 1]]", "--init", start, "--samples", "5",
                 "--t-max", "1e40", "--bias", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "PASS" and out["decay"] == "exponential"
    assert float(out["generalization_error"]) < 1e-25


def test_a_sweep_runs_on_an_existing_scheduler(tmp_path):
    from dask.distributed import LocalCluster
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        rows = run_sweep(SMALL, [2], [1e-3], range(2), path=str(tmp_path / "t.csv"),
                         scheduler=cluster.scheduler_address, progress=False)
    assert rows == run_sweep(SMALL, [2], [1e-3], range(2), progress=False)


def test_a_stored_run_is_reproduced_at_the_learning_rate_its_row_records():
    """The closer look (C7's 50-digit check, notebook 07) must re-run a halved-step run with its own step."""
    from twolayer.numeric.experiment import limit_network
    setup = c7.SETUPS["zbz_example1"]
    _, rows = read_table(setup.table)
    row = next(r for r in rows if r["lr"] < setup.spec.lr and r["n"] == 6)
    _, limit, _, _ = limit_network(setup.spec, row["n"], row["scale"], row["seed"], lr=row["lr"])
    # the same digits up to the float64 kernels of the machine (BLAS differs between CPUs in the last bits, which
    # 10^5 steps amplify to ~1e-8 relative); the step size recorded in the row is what is tested here
    assert limit.loss == pytest.approx(row["limit_loss"], rel=1e-6)
    assert limit.error == pytest.approx(row["limit_test_error"], rel=1e-6)


def test_a_stored_sweep_of_another_spec_is_inconclusive_not_a_crash(monkeypatch, tmp_path):
    setup = c7.SETUPS["zbz_example1"]
    other = c7.Setup(**{**setup.__dict__, "spec": ExperimentSpec("tanh", "[[1, 1, 1]]", width=2, bias=True,
                                                                 lr=0.3, max_steps=100_000)})
    monkeypatch.setitem(c7.SETUPS, "zbz_example1", other)
    assert c7.check_setup("zbz_example1", stored=True).verdict == INCONCLUSIVE


def test_an_experiment_too_wide_to_enumerate_still_runs(capsys):
    """Width 50 has more than 5000 branches: no predictions, but the runs are still made and reported."""
    assert main(["experiment", "--activation", "tanh", "--target", '[[1, "3/5", "4/5"]]', "--width", "50",
                 "--samples", "3", "--seeds", "1", "--steps", "200", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["predictions"] is None and "5000 branches" in out["predictions_unavailable"]
    assert len(out["rows"]) == 1


def test_a_task_slower_than_the_poll_interval_is_waited_for():
    """dask's wait() raises TimeoutError when nothing finishes within its timeout: that is a slow task, not a lost
    cluster (a frequency sweep with one-second tasks on a loaded machine was stopped by it)."""
    import time

    from dask.distributed import Client, LocalCluster

    from twolayer.orchestration import sweep
    got = []
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        sweep._collect(client, [client.submit(time.sleep, 1.0, pure=False) for _ in range(2)], got.append, None,
                       poll=0.2)
    assert got == [None, None]


def test_a_second_writer_of_the_same_table_is_refused(tmp_path):
    """Two experiment processes on one --out interleaved their rows (256 rows, 112 duplicates): one is refused."""
    from twolayer.orchestration.sweep import table_lock
    path = str(tmp_path / "t.csv")
    with table_lock(path):
        with pytest.raises(InputError, match="another process is writing"):
            run_sweep(SMALL, [2], [1e-3], range(2), path=path, progress=False)
    assert len(run_sweep(SMALL, [2], [1e-3], range(2), path=path, progress=False)) == 2   # free again


def test_a_row_cut_mid_write_is_dropped_and_run_again(tmp_path):
    path = tmp_path / "t.csv"
    rows = run_sweep(SMALL, [2], [1e-3], range(3), path=str(path), progress=False)
    text = path.read_text()
    lines = text.splitlines(keepends=True)
    path.write_text("".join(lines[:-1]) + lines[-1][:-7])          # the last row loses its end ("...,Tru")
    assert len(read_table(str(path))[1]) == 2                       # a reader leaves the torn line out
    again = run_sweep(SMALL, [2], [1e-3], range(3), path=str(path), progress=False)
    assert again == rows and path.read_text() == text               # repaired, and the run done again


def test_booleans_are_read_strictly(tmp_path):
    path = tmp_path / "t.csv"
    run_sweep(SMALL, [2], [1e-3], range(1), path=str(path), progress=False)
    header, row = path.read_text().splitlines()
    path.write_text(header + "\n" + row.replace("True", "1").replace("False", "0") + "\n")
    with pytest.raises(InputError, match="not a boolean"):
        run_sweep(SMALL, [2], [1e-3], range(2), path=str(path), progress=False)
