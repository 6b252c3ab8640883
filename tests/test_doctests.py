"""Docstring examples run as tests (as in mpmath): every module of the installed package.

The source folders (symbolic/, numeric/, claims/) are mapped to twolayer.* packages,
so the modules are imported by their package names, not collected from paths.
"""
import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ["twolayer", "twolayer.base", "twolayer.symbolic", "twolayer.numeric", "twolayer.orchestration",
            "twolayer.claims"]
MODULES = sorted({info.name for pkg in PACKAGES
                  for info in pkgutil.iter_modules(importlib.import_module(pkg).__path__, pkg + ".")
                  if not info.ispkg and not info.name.endswith("__main__")})


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
