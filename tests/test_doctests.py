"""The examples in the docstrings run: every module of leadpilot, as a reader would paste them.

Examples that need a real workspace use ``leadpilot.pilot.demo()`` (300 synthetic leads in
a temporary folder, made once per process) or are marked ``# doctest: +SKIP``.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import leadpilot

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(leadpilot.__path__, "leadpilot.")
    if not m.name.endswith("__main__")
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) of {name} failed (printed above)"
