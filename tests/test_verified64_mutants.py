"""Mutants of the float64 tier's error bound (halved, dropped, ...) must each fail tests/test_verified64.py.

Each mutant is the module's source with one snippet replaced, executed into a fresh namespace (the installed
module is untouched, so other tests running at the same time see the real one); the test file's functions are
then executed against that namespace and at least one must fail."""
import inspect
import pathlib
import re

import pytest

import twolayer.numeric.verified64 as real

MUTANTS = {
    "rounding bound halved": ("return gamma(mid.shape[0] + 1) * (np.abs(Y)", "return 0.5 * gamma(mid.shape[0] + 1) "
                              "* (np.abs(Y)"),
    "rounding bound dropped": ("return residual + rounding_bound(Y, mid) + np.abs(Y) @ rad",
                               "return residual + np.abs(Y) @ rad"),
    "enclosure width dropped": ("return residual + rounding_bound(Y, mid) + np.abs(Y) @ rad",
                                "return residual + rounding_bound(Y, mid)"),
    "final factor dropped": ("bound = rows.max() / (1 - gamma(3 * n + 8))", "bound = rows.max()"),
    "conversion ulp dropped": ("+ np.spacing(np.abs(mid)) + ETA", "+ ETA"),
}
TESTS = pathlib.Path(__file__).with_name("test_verified64.py").read_text()


def _failures(namespace):
    source = re.sub(r"^\s*from twolayer\.numeric\.verified64 import .*$", "", TESTS, flags=re.M)
    scope = dict(namespace)
    exec(compile(source, "test_verified64 (mutant)", "exec"), scope)
    failed = 0
    for name, test in list(scope.items()):
        if name.startswith("test_") and callable(test):
            try:
                test()
            except AssertionError:
                failed += 1
    return failed


def _module(replace=None):
    source = inspect.getsource(real)
    if replace:
        old, new = replace
        assert old in source, old
        source = source.replace(old, new)
    scope = {"__name__": "verified64_mutant", "__package__": "twolayer.numeric"}   # its relative imports resolve
    exec(compile(source, "verified64 (mutant)", "exec"), scope)
    return scope


def test_the_real_module_passes_them():
    assert _failures(_module()) == 0


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_every_mutant_is_killed(name):
    assert _failures(_module(MUTANTS[name])) > 0, name
