import mpmath
import pytest

from twolayer.base.errors import InputError
from twolayer.base.precision import working_precision
from twolayer.claims.flow import run_case
from twolayer.numeric.evaluate import evaluate
from twolayer.numeric.flow import StepControl, fit_exponential_rate, fit_power_law, gradient_flow
from twolayer.numeric.network import Network, gaussian_inputs, parse_network
from twolayer.numeric.precision import arb_to_mpf, to_mpf
from twolayer.numeric.problem import Problem
from twolayer.symbolic.activations import activation

TANH = activation("tanh")
TARGET = parse_network('[[1, "1/2"]]')
START = parse_network('[["1.1", "0.4"], ["0.05", 2]]')
INPUTS = gaussian_inputs(5, 1, seed=11)


def rk4_reference(theta, t_end, steps, dps=50):
    """Classical RK4 with fixed steps on theta' = -grad R_n: an explicit reference."""
    with working_precision(dps):
        h = mpmath.mpf(t_end) / steps
        theta = [to_mpf(v) for v in theta.flat()]

        def f(th):
            ev = evaluate(TANH, Network.from_flat(th, 1), INPUTS, target=TARGET, dps=dps)
            return [-arb_to_mpf(g) for g in ev.gradient.entries()]

        for _ in range(steps):
            k1 = f(theta)
            k2 = f([x + h / 2 * k for x, k in zip(theta, k1)])
            k3 = f([x + h / 2 * k for x, k in zip(theta, k2)])
            k4 = f([x + h * k for x, k in zip(theta, k3)])
            theta = [x + h / 6 * (a + 2 * b + 2 * c + e) for x, a, b, c, e in zip(theta, k1, k2, k3, k4)]
        return theta


def test_integrator_matches_explicit_reference_and_converges_with_rtol():
    reference = rk4_reference(START, 1, 400)   # its own error: 7e-16 (against 800 steps)
    errors = []
    for rtol in ("1e-2", "1e-3"):
        run = gradient_flow(Problem(TANH, TARGET, INPUTS), START, t_max=1, control=StepControl(rtol=rtol, h0="1e-4"))
        errors.append(max(abs(a - b) for a, b in zip(run.limit.flat(), reference)))
    # second order with steps ~ rtol: the error falls like rtol^2 (measured 8.4e-8, then 8.3e-10)
    assert errors[1] < errors[0] / 50 and errors[1] < mpmath.mpf("1e-8"), errors


def test_exponential_rate_fit_on_a_quadratic_loss():
    with working_precision(50):   # R = lam theta^2 / 2, theta(t) = theta0 exp(-lam t)
        lam, theta0 = mpmath.mpf("0.3"), mpmath.mpf(2)
        times = [mpmath.mpf(t) for t in range(0, 400, 5)]
        losses = [lam * theta0**2 / 2 * mpmath.exp(-2 * lam * t) for t in times]
        rate, used = fit_exponential_rate(times, losses, mpmath.mpf("1e-40"), mpmath.mpf("1e-10"))
        assert used > 10 and abs(rate - 2 * lam) < mpmath.mpf("1e-40")


def test_power_law_fit_on_a_quartic_loss():
    with working_precision(50):   # R = c theta^4, theta(t) = theta0 / sqrt(1 + 8 c theta0^2 t)
        c, theta0 = mpmath.mpf("0.25"), mpmath.mpf(1)
        times = [mpmath.mpf(10) ** (mpmath.mpf(k) / 4) for k in range(0, 48)]
        losses = [c * theta0**4 / (1 + 8 * c * theta0**2 * t) ** 2 for t in times]
        slope, used = fit_power_law(times, losses, times[-1] / 100)
        assert used > 5 and abs(slope + 2) < mpmath.mpf("1e-3")


def test_claim_c6_exponential_case():
    result = run_case("tanh", '[[1, "1/2"]]', 2, "s=(1) null=1", "exponential", samples=5)
    assert result.verdict == "PASS", [c for c in result.evidence if not c.passed]


def test_claim_c6_rate_check_can_fail():
    """A run stopped before the tail gives no rate: the check is undecided, not passed."""
    result = run_case("tanh", '[[1, "1/2"]]', 2, "s=(1) null=1", "exponential", samples=5, t_max="10")
    assert result.verdict != "PASS"


@pytest.mark.parametrize("t_max", [-1, 0])
def test_negative_time_refused(t_max):
    with pytest.raises(InputError, match="time budget must be positive"):
        gradient_flow(Problem(TANH, TARGET, INPUTS), START, t_max=t_max)
