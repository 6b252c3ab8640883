"""Collection order for ``make test`` on two xdist workers (``--dist loadfile``): the mutation run, the longest
file by far, goes first so that it never starts last and leaves one core idle at the end."""

LONGEST_FIRST = ("tests/test_mutation.py",)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: 0 if item.nodeid.startswith(LONGEST_FIRST) else 1)   # stable: the rest keep order
