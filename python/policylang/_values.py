"""Python types for the policy language's values that Python has no type for."""

from __future__ import annotations

from typing import NamedTuple


class Duration(NamedTuple):
    """A duration as the language keeps it: a count and its unit (``days``, ``weeks``, ``months``, ``years``).

    Months and years are not a fixed number of days, so the unit is kept rather than converted.
    """

    count: int
    unit: str

    def __str__(self) -> str:
        return f"{self.count} {self.unit}"
