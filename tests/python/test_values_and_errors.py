"""Values as Python values, and every kind of bad input as a typed exception with its code and path."""

from __future__ import annotations

import copy
import datetime
import decimal
import json

import pytest

import policylang
from conftest import AS_OF

D1 = "hk.employment.part_time_on_campus_allowed"

KINDS = """module k
enum Colour { red, green }
record Pair { a: Int, b: Text }
record Case { flag: Bool, amount: Decimal, on: Date }

/// The weekly limit.
parameter limit: Int
  source "Notice 1"
  value 20 effective from 2014-03-17 until 2019-12-31
  value 24 effective from 2020-01-01 source "Notice 2"

const opening: Date = 2014-03-17

decision a_bool(c: Case) -> Bool
  default c.flag
decision an_int(c: Case) -> Int
  default limit
decision a_decimal(c: Case) -> Decimal
  default c.amount * 3
decision a_text(c: Case) -> Text
  default "x"
decision a_date(c: Case) -> Date
  default c.on
decision a_duration(c: Case) -> Duration
  default 3 days
decision an_enum(c: Case) -> Colour
  default Colour.green
decision a_record(c: Case) -> Pair
  default Pair { a: 1, b: "y" }
decision a_list(c: Case) -> List<Int>
  default [1, 2]
decision a_set(c: Case) -> Set<Colour>
  default {Colour.red, Colour.green}
decision not_applicable(c: Case) -> Bool
  rule never when c.flag and not c.flag then true
decision conflict(c: Case) -> Int
  rule one when c.flag then 1
  rule two when c.flag then 2
"""

CASE = {"flag": True, "amount": decimal.Decimal("0.1"), "on": datetime.date(2024, 2, 29)}


@pytest.fixture(scope="module")
def kinds():
    return policylang.PolicySet.from_sources([("k.policy", KINDS)], include_stdlib=False)


def test_every_kind_becomes_its_python_value(kinds):
    def value(name):
        return kinds.decision(name).evaluate(CASE, as_of=AS_OF).value

    assert value("k.a_bool") is True
    assert value("k.an_int") == 24
    # Exact: 0.1 * 3 is 0.3, not 0.30000000000000004, and it is a Decimal.
    assert value("k.a_decimal") == decimal.Decimal("0.3")
    assert isinstance(value("k.a_decimal"), decimal.Decimal)
    assert value("k.a_text") == "x"
    assert value("k.a_date") == datetime.date(2024, 2, 29)
    assert value("k.a_duration") == policylang.Duration(3, "days")
    assert value("k.an_enum") == "green"
    assert value("k.a_record") == {"a": 1, "b": "y"}
    assert value("k.a_list") == [1, 2]
    assert value("k.a_set") == frozenset({"red", "green"})
    outcome = kinds.decision("k.not_applicable").evaluate(CASE, as_of=AS_OF)
    assert outcome.value is None and not outcome.applicable


def test_json_text_and_dates_as_text_are_accepted(kinds):
    d = kinds.decision("k.a_date")
    outcome = d.evaluate('{"flag": false, "amount": 1.5, "on": "2020-01-31"}', as_of=datetime.date(2025, 1, 1))
    assert outcome.value == datetime.date(2020, 1, 31)
    assert outcome.as_of == datetime.date(2025, 1, 1)
    assert outcome.value_json == '"2020-01-31"'


def test_parameters_and_constants_on_a_date(kinds):
    now = {p["name"]: p for p in kinds.parameters(as_of=AS_OF)}
    assert now["k.limit"]["value"] == 24 and now["k.limit"]["source"] == "Notice 2"
    assert now["k.limit"]["doc"] == "The weekly limit."
    assert now["k.opening"]["value"] == datetime.date(2014, 3, 17) and now["k.opening"]["is_constant"]
    before = {p["name"]: p for p in kinds.parameters(as_of="2010-01-01")}
    assert before["k.limit"]["in_effect"] is False and before["k.limit"]["value"] is None
    assert "k.limit" not in kinds.decision_names()
    with pytest.raises(policylang.NotFoundError, match="is a parameter, not a decision"):
        kinds.decision("k.limit")


def test_explanations_as_dicts_and_as_text(policies, cases):
    d1 = policies.decision(D1)
    exchange = cases["hk_exchange_student"]
    tree = d1.evaluate(exchange, as_of=AS_OF, explain=True).explanation
    assert isinstance(tree, list) and tree[0]["decision"] == D1
    assert any(r["rule"] for r in tree[0]["rules"])
    assert "ImmD FAQ Q23" in str(tree)
    text = d1.evaluate(exchange, as_of=AS_OF, explain="text").explanation
    assert "ImmD FAQ Q23" in text and "exchange" in text
    assert d1.evaluate(exchange, as_of=AS_OF).explanation is None


def test_malformed_and_mistyped_cases_name_the_code_and_the_path(policies, cases):
    d1 = policies.decision(D1)
    good = cases["hk_mainland_undergraduate"]

    wrong_enum = copy.deepcopy(good)
    wrong_enum["programme"]["mode"] = "full-time"
    with pytest.raises(policylang.InvalidInputError) as e:
        d1.evaluate(wrong_enum, as_of=AS_OF)
    assert "$.programme.mode" in e.value.json_paths
    assert e.value.code == "invalid_input"
    assert e.value.diagnostics[0]["code"].startswith("E09")

    wrong_type = copy.deepcopy(good)
    wrong_type["programme"]["mode"] = 5
    with pytest.raises(policylang.InvalidInputError) as e:
        d1.evaluate(wrong_type, as_of=AS_OF)
    assert "$.programme.mode" in e.value.json_paths

    missing = copy.deepcopy(good)
    del missing["programme"]
    with pytest.raises(policylang.InvalidInputError) as e:
        d1.evaluate(missing, as_of=AS_OF)
    assert e.value.diagnostics

    with pytest.raises(policylang.InvalidInputError) as e:
        d1.evaluate('{"programme": ', as_of=AS_OF)
    assert "E0901" in e.value.diagnostic_codes

    with pytest.raises(policylang.InvalidInputError):
        d1.evaluate('{"a": 1, "a": 2}', as_of=AS_OF)  # a key given twice
    with pytest.raises(policylang.InvalidInputError) as e:
        d1.evaluate(b'{"a": 1}\x00garbage', as_of=AS_OF)  # a NUL byte, then more
    assert "E0901" in e.value.diagnostic_codes
    with pytest.raises(policylang.InvalidInputError) as e:
        d1.evaluate('{"programme": {"study_period_years": 1e400}}', as_of=AS_OF)  # no double holds it
    assert "E0901" in e.value.diagnostic_codes
    assert "$.programme.study_period_years" in e.value.json_paths

    deep = current = {}
    for _ in range(80):
        current["x"] = {}
        current = current["x"]
    with pytest.raises(ValueError, match="nested deeper than 64"):
        d1.evaluate(deep, as_of=AS_OF)

    with pytest.raises(TypeError, match=r"\$\.programme: a value of type object cannot be written as JSON"):
        d1.evaluate({"programme": object()}, as_of=AS_OF)
    with pytest.raises(ValueError, match="not a number JSON can hold"):
        d1.evaluate({"x": float("nan")}, as_of=AS_OF)


def test_bad_arguments_and_names(policies):
    with pytest.raises(policylang.NotFoundError, match="did you mean `hk.employment.part_time_on_campus_allowed`"):
        policies.decision("hk.employment.part_time_on_campus_alowed")
    d1 = policies.decision(D1)
    with pytest.raises(policylang.InvalidArgumentError):
        d1.evaluate({}, as_of="2025-02-30")
    with pytest.raises(TypeError):
        d1.evaluate({}, as_of=20250901)
    with pytest.raises(ValueError):
        d1.evaluate({}, as_of=AS_OF, explain="yaml")


def test_evaluation_errors_and_compile_errors(kinds, tmp_path):
    with pytest.raises(policylang.EvaluationError) as e:
        kinds.decision("k.conflict").evaluate(CASE, as_of=AS_OF)
    assert "E0910" in e.value.diagnostic_codes
    assert e.value.explanation is None
    # Asked to explain, the failure is explained up to the error, as the form asked for.
    with pytest.raises(policylang.EvaluationError) as e:
        kinds.decision("k.conflict").evaluate(CASE, as_of=AS_OF, explain=True)
    assert e.value.explanation[0]["decided_by"] == "conflict"
    assert e.value.explanation[0]["conflicting_rules"] == ["one", "two"]
    with pytest.raises(policylang.EvaluationError) as e:
        kinds.decision("k.conflict").evaluate(CASE, as_of=AS_OF, explain="text")
    assert "rule `one` and rule `two` both apply, with different results" in e.value.explanation
    with pytest.raises(policylang.CompileError) as e:
        policylang.PolicySet.from_sources([("bad.policy", "module bad\ndecision d(c: Case) -> Bool\n")])
    assert e.value.diagnostics and e.value.diagnostics[0]["file"] == "bad.policy"
    assert e.value.diagnostics[0]["line"] > 0
    with pytest.raises(policylang.PolicyIOError):
        policylang.PolicySet.load([str(tmp_path / "no-such-dir")])
    assert isinstance(e.value, policylang.PolicyError)


def test_evaluate_partial_says_what_is_decided_and_what_is_still_needed(policies, root):
    exchange_only = (root / "tests/golden/eval/inputs.dir/exchange_only.json").read_text()
    decided = policies.decision(D1).evaluate_partial(exchange_only, as_of=AS_OF)
    assert decided["verdict"] == "decided" and decided["value"] is False and decided["questions"] == []
    assert "$.programme.mode" in decided["missing"]
    programme_only = json.loads((root / "tests/data/partial_programme_only.json").read_text())
    open_question = policies.decision("hk.stay.limit_of_stay").evaluate_partial(programme_only, as_of=AS_OF)
    assert open_question["verdict"] == "undecided"
    assert open_question["questions"][0] == "$.applicant.travel_document_expiry"
    with pytest.raises(policylang.InvalidInputError) as e:
        policies.decision(D1).evaluate_partial({"programme": {"mode": "sometimes"}}, as_of=AS_OF)
    assert "$.programme.mode" in e.value.json_paths
