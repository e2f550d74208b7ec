"""docs/python.md's examples run, as written, and print what it shows."""

from __future__ import annotations

import doctest
import os


def test_the_python_guide_runs(root):
    cwd = os.getcwd()
    os.chdir(root)  # the guide's paths are relative to the repository
    try:
        result = doctest.testfile(str(root / "docs/python.md"), module_relative=False,
                                  optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    finally:
        os.chdir(cwd)
    assert result.attempted >= 10
    assert result.failed == 0
