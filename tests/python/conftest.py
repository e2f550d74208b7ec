"""Fixtures of the policylang tests (tests/python_package.sh runs them with pytest).

POLICY_BIN names the `policy` command of the same build, whose answers the package must give.
"""

from __future__ import annotations

import json
import os
import pathlib

import pytest

import policylang

ROOT = pathlib.Path(__file__).resolve().parents[2]
AS_OF = "2025-09-01"


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def policy_bin() -> str:
    path = os.environ.get("POLICY_BIN")
    if not path:
        pytest.skip("POLICY_BIN is not set: the CLI comparison needs the policy command of this build")
    return path


@pytest.fixture(scope="session")
def policies() -> policylang.PolicySet:
    return policylang.PolicySet.load([str(ROOT / "policies")])


@pytest.fixture(scope="session")
def cases() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((ROOT / "examples/cases").glob("*.json"))}


@pytest.fixture(scope="session")
def catalogue() -> list[str]:
    lines = (ROOT / "examples/catalogue.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
