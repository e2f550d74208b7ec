"""Exceptions raised by policylang: one class per error code of the engine.

Every error carries the engine's code name (``error.code``, e.g. ``"invalid_input"``), its message,
and its diagnostics: a list of dicts with ``code`` (``"E0905"``), ``severity``, ``message``,
``file``, ``line``, ``column``, ``json_path`` (``"$.programme.mode"``) and ``rendered`` (the full
text the ``policy`` command prints). An error of one case in ``evaluate_batch`` also has
``index``, the case's position. An ``EvaluationError`` of ``evaluate(..., explain=...)`` has
``explanation``: the evaluation explained up to the error.
"""

from __future__ import annotations


class PolicyError(Exception):
    """Base class of every error the engine reports."""

    code: str = "internal"

    def __init__(self, message: str, code: str | None = None, diagnostics: list | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.diagnostics = list(diagnostics or [])
        self.index: int | None = None
        # An EvaluationError of a call with ``explain``: how the evaluation got to the error
        # (the conflicting rules, the decision that did not apply), in the form asked for.
        self.explanation: list | str | None = None

    @property
    def diagnostic_codes(self) -> list[str]:
        """The diagnostics' codes, e.g. ``["E0905"]``."""
        return [d["code"] for d in self.diagnostics]

    @property
    def json_paths(self) -> list[str]:
        """The JSON paths the diagnostics point at (case-record errors), e.g. ``["$.programme.mode"]``."""
        return [d["json_path"] for d in self.diagnostics if d.get("json_path")]


class InvalidArgumentError(PolicyError, ValueError):
    """An invalid date, an empty handle, an argument out of range."""

    code = "invalid_argument"


class NotFoundError(PolicyError, LookupError):
    """No decision, field or enum member of that name (the message suggests one)."""

    code = "not_found"


class TypeMismatchError(PolicyError, TypeError):
    """A fact of the wrong type for its field."""

    code = "type_mismatch"


class CompileError(PolicyError):
    """The policies do not compile; ``diagnostics`` has every error with file, line and column."""

    code = "compile_failed"


class InvalidInputError(PolicyError, ValueError):
    """The case record is malformed, too large, too deep, or of the wrong shape (with its JSON path)."""

    code = "invalid_input"


class EvaluationError(PolicyError):
    """A conflict between rules, an overflow, a needed decision not applicable, a parameter without a value."""

    code = "evaluation_failed"


class StaleError(PolicyError):
    """Handles of another version of the policies (after a reload)."""

    code = "stale"


class PolicyIOError(PolicyError, OSError):
    """A path that cannot be read or watched, or no .policy files at all."""

    code = "io"


class TestsFailedError(PolicyError):
    """The policies compile but their own tests fail (a refused reload)."""

    __test__ = False  # not a pytest test class
    code = "tests_failed"


class IncompleteFactsError(PolicyError, ValueError):
    """A required fact was never set."""

    code = "incomplete_facts"


_BY_CODE = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        NotFoundError,
        TypeMismatchError,
        CompileError,
        InvalidInputError,
        EvaluationError,
        StaleError,
        PolicyIOError,
        TestsFailedError,
        IncompleteFactsError,
    )
}


def error_class(code: str) -> type[PolicyError]:
    """The exception class for an engine error code name (``PolicyError`` for an unknown one)."""
    return _BY_CODE.get(code, PolicyError)
