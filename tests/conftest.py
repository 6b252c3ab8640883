"""Shared test set-up.

* Collection order for ``make test`` on two xdist workers (``--dist loadfile``): the mutation run, the longest
  file by far, goes first so that it never starts last and leaves one core idle at the end.
* Precision, as in mpmath's own tests: whatever a test sets (``mpmath.mp.dps``, ``flint.ctx.prec``), the next
  test starts from the global precision it had before, so no test's result depends on the order they run in.
"""
import flint
import mpmath
import pytest

LONGEST_FIRST = ("tests/test_mutation.py",)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: 0 if item.nodeid.startswith(LONGEST_FIRST) else 1)   # stable: the rest keep order


@pytest.fixture(autouse=True)
def restore_global_precision():
    """Put mpmath's and python-flint's global precision back after every test."""
    saved = mpmath.mp.prec, flint.ctx.prec
    yield
    mpmath.mp.prec, flint.ctx.prec = saved
