"""policylang: the policy engine for Python.

Load a set of ``.policy`` files once, resolve a decision by name, and evaluate it on case records
given as dicts (or JSON text). Values come back as Python values: ``bool``, ``int``,
``decimal.Decimal`` (exact), ``str``, ``datetime.date``, :class:`Duration`, ``dict`` for records,
``list`` and ``frozenset``, and ``None`` when the decision is not applicable. Errors are
exceptions of :mod:`policylang.errors` with the diagnostic code and the JSON path. It is the same
engine as the ``policy`` command and the C++ API (a C++ extension over ``<policy/policy.hpp>``),
so it gives the same answers.

>>> import policylang
>>> policies = policylang.PolicySet.load(["policies"])        # doctest: +SKIP
>>> d1 = policies.decision("hk.employment.part_time_on_campus_allowed")  # doctest: +SKIP
>>> d1.evaluate({"programme": {...}, ...}, as_of="2025-09-01").value     # doctest: +SKIP
True

See docs/python.md.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Iterator

from . import errors
from ._policylang import Decision, LivePolicySet, Outcome, PolicySet, to_json
from ._values import Duration
from .errors import (
    CompileError,
    EvaluationError,
    IncompleteFactsError,
    InvalidArgumentError,
    InvalidInputError,
    NotFoundError,
    PolicyError,
    PolicyIOError,
    StaleError,
    TestsFailedError,
    TypeMismatchError,
)

__all__ = [
    "CompileError",
    "Decision",
    "Duration",
    "EvaluationError",
    "IncompleteFactsError",
    "InvalidArgumentError",
    "InvalidInputError",
    "LivePolicySet",
    "NotFoundError",
    "Outcome",
    "PolicyError",
    "PolicyIOError",
    "PolicySet",
    "StaleError",
    "TestsFailedError",
    "TypeMismatchError",
    "errors",
    "to_json",
]


def _is_frame(cases: Any) -> bool:
    return hasattr(cases, "itertuples") and hasattr(cases, "columns") and hasattr(cases, "index")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def _plain(value: Any) -> Any:
    """A pandas or numpy cell as the plain Python value the case record takes."""
    if hasattr(value, "dtype") and hasattr(value, "item"):
        value = value.item()  # numpy scalars: int64 -> int, bool_ -> bool, float64 -> float
    if hasattr(value, "to_pydatetime") and hasattr(value, "date"):
        value = value.date()  # a pandas Timestamp: the case record takes dates
    return value


def _frame_records(frame: Any) -> Iterator[dict]:
    """Rows of a DataFrame as case records: dotted column names (``programme.mode``, as the CSV
    input of ``policy batch``) become nested fields, and missing cells are left out."""
    paths = [str(column).split(".") for column in frame.columns]
    for row in frame.itertuples(index=False, name=None):
        record: dict = {}
        for path, value in zip(paths, row):
            if _is_missing(value):
                continue
            node = record
            for step in path[:-1]:
                node = node.setdefault(step, {})
            node[path[-1]] = _plain(value)
        yield record


def _evaluate_batch(
    self: Decision,
    cases: Iterable[Any],
    as_of: Any = None,
    threads: int | None = None,
    errors: str = "raise",
) -> Any:
    """Evaluates the decision on many cases, on every core.

    ``cases`` is an iterable of dicts or JSON texts, or a pandas DataFrame whose columns are the
    case record's dotted field paths (``programme.mode``). The cases are encoded with the GIL
    held and evaluated on ``threads`` threads (default: every core) with it released, a chunk at
    a time, so memory stays flat however many there are.

    Returns the values in order: a list, or for a DataFrame a ``pandas.Series`` on its index.
    With ``errors="raise"`` (the default) the first case that fails raises its error, whose
    ``index`` is the case's position; with ``errors="return"`` the exception takes that case's
    place and the others are still evaluated.
    """
    if _is_frame(cases):
        import pandas  # only needed here

        values = self._evaluate_batch(_frame_records(cases), as_of, threads, errors)
        return pandas.Series(values, index=cases.index, name=self.name, dtype=object)
    return self._evaluate_batch(cases, as_of, threads, errors)


Decision.evaluate_batch = _evaluate_batch
