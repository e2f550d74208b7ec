"""evaluate_batch: the same answers as one at a time, on every core, errors in place, and DataFrames."""

from __future__ import annotations

import copy
import threading

import pytest

import policylang
from conftest import AS_OF

D2 = "hk.employment.part_time_max_hours_per_week"


def test_a_batch_gives_what_one_call_at_a_time_gives(policies, cases):
    d = policies.decision("hk.stay.limit_of_stay")
    records = [c for name, c in cases.items() if name.startswith("hk_")] * 50
    one_by_one = [d.evaluate(r, as_of=AS_OF).value for r in records]
    for threads in (1, 2, 4):
        assert d.evaluate_batch(records, as_of=AS_OF, threads=threads) == one_by_one


def test_bad_cases_raise_with_their_index_or_stay_in_place(policies, cases):
    d1 = policies.decision("hk.employment.part_time_on_campus_allowed")
    good = cases["hk_mainland_undergraduate"]
    bad = copy.deepcopy(good)
    bad["programme"]["mode"] = "sometimes"
    batch = [good] * 10 + [bad] + [good] * 5
    with pytest.raises(policylang.InvalidInputError) as e:
        d1.evaluate_batch(batch, as_of=AS_OF)
    assert e.value.index == 10
    assert str(e.value).startswith("case 10:")
    values = d1.evaluate_batch(batch, as_of=AS_OF, errors="return")
    assert len(values) == 16
    assert isinstance(values[10], policylang.InvalidInputError) and values[10].index == 10
    assert "$.programme.mode" in values[10].json_paths
    assert values[:10] == [True] * 10 and values[11:] == [True] * 5


def test_large_batches_are_chunked_and_keep_their_order(policies, cases):
    d2 = policies.decision(D2)
    a = cases["hk_mainland_undergraduate"]
    b = copy.deepcopy(a)
    b["exchange"]["is_exchange_student"] = True
    batch = [a if i % 3 else b for i in range(20000)]  # more than one chunk of 8192
    values = d2.evaluate_batch(batch, as_of=AS_OF)
    expected_a = d2.evaluate(a, as_of=AS_OF).value
    expected_b = d2.evaluate(b, as_of=AS_OF).value
    assert expected_a != expected_b
    assert values == [expected_a if i % 3 else expected_b for i in range(20000)]


def test_the_gil_is_released_while_a_batch_runs(policies, cases):
    d2 = policies.decision(D2)
    batch = [cases["hk_mainland_undergraduate"]] * 30000
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=tick)
    t.start()
    before = len(ticks)
    d2.evaluate_batch(batch, as_of=AS_OF, threads=2)
    during = len(ticks) - before
    stop.set()
    t.join()
    assert during > 0  # another Python thread ran while the batch evaluated


def test_a_dataframe_with_dotted_columns(policies):
    pandas = pytest.importorskip("pandas")
    kinds = policylang.PolicySet.from_sources(
        [("f.policy", "module f\nrecord Inner { n: Int }\nrecord Case { inner: Inner, flag: Bool }\n"
                      "decision twice(c: Case) -> Int\n  default c.inner.n * 2\n"
                      "decision flagged(c: Case) -> Bool\n  default c.flag\n")],
        include_stdlib=False,
    )
    frame = pandas.DataFrame({"inner.n": [1, 2, 3], "flag": [True, False, True]}, index=["a", "b", "c"])
    values = kinds.decision("f.twice").evaluate_batch(frame, as_of=AS_OF)
    assert isinstance(values, pandas.Series)
    assert list(values.index) == ["a", "b", "c"] and values.name == "f.twice"
    assert list(values) == [2, 4, 6]
    assert list(kinds.decision("f.flagged").evaluate_batch(frame, as_of=AS_OF)) == [True, False, True]
