"""Every bundled example case, every catalogue decision: the package gives the CLI's answer."""

from __future__ import annotations

import datetime
import decimal
import json
import subprocess

import policylang
from conftest import AS_OF


def cli_results(policy_bin, root, cases, catalogue, tmp_path):
    """`policy batch` over every case and every decision: {(case, decision): result or error}."""
    names = list(cases)
    lines = tmp_path / "cases.jsonl"
    lines.write_text("".join(json.dumps(cases[n]) + "\n" for n in names))
    out = subprocess.run(
        [policy_bin, "batch", "--decision", ",".join(catalogue), "--input", str(lines), "--as-of", AS_OF,
         "--format", "jsonl", str(root / "policies")],
        capture_output=True, text=True, check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    results = {}
    for row in map(json.loads, out.stdout.splitlines()):
        case_name = names[row["line"] - 1]
        if "error" in row:  # the case itself was refused: every decision fails alike
            for decision in catalogue:
                results[(case_name, decision)] = {"error": row["error"]}
            continue
        for decision, result in row["results"].items():
            results[(case_name, decision)] = result
    return results


def python_value_matches_json(value, value_json):
    """The Python value is the JSON value read with the language's types."""
    expected = json.loads(value_json, parse_float=decimal.Decimal)
    if isinstance(value, datetime.date):
        return value.isoformat() == expected
    if isinstance(value, frozenset):
        return isinstance(expected, list) and value == frozenset(expected)
    if isinstance(value, policylang.Duration):
        return isinstance(expected, (dict, str, list))  # the catalogue's encoding of a duration
    if isinstance(value, (dict, list)):
        return True  # compared through value_json below
    return value == expected


def test_every_case_and_decision_gives_the_cli_answer(policies, cases, catalogue, policy_bin, root, tmp_path):
    cli = cli_results(policy_bin, root, cases, catalogue, tmp_path)
    compared = errors = 0
    for case_name, record in cases.items():
        for name in catalogue:
            decision = policies.decision(name)
            expected = cli[(case_name, name)]
            if "error" in expected:
                try:
                    decision.evaluate(record, as_of=AS_OF)
                except policylang.PolicyError as e:
                    assert expected["error"]["code"] in e.diagnostic_codes, (case_name, name, expected, e)
                    errors += 1
                    continue
                raise AssertionError(f"{name} on {case_name}: the CLI fails ({expected}), Python does not")
            outcome = decision.evaluate(record, as_of=AS_OF)
            assert outcome.applicable == expected["applicable"], (case_name, name)
            assert json.loads(outcome.value_json) == expected.get("value"), (case_name, name)
            if outcome.applicable:
                assert python_value_matches_json(outcome.value, outcome.value_json), (case_name, name, outcome.value)
            else:
                assert outcome.value is None
            compared += 1
    assert compared >= len(catalogue) * 4
    assert compared + errors == len(cases) * len(catalogue)


def test_the_expected_files_agree(policies, cases, catalogue, root):
    """examples/expected/ (what tests/unit/engine/catalogue_test.cpp checks) through Python."""
    for case_name, record in cases.items():
        expected = json.loads((root / "examples/expected" / f"{case_name}.json").read_text())
        for name in catalogue:
            if name not in expected or isinstance(expected[name], dict) and "error" in expected[name]:
                continue
            outcome = policies.decision(name).evaluate(record, as_of=AS_OF)
            assert json.loads(outcome.value_json) == expected[name], (case_name, name)
