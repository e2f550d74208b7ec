#!/usr/bin/env python3
"""Writes tests/data/decimal_reference.tsv: the expected result of every row of the decimal
arithmetic table, computed with Python's `decimal` module (an implementation independent of
core/decimal.cpp) in a 120-digit context, then rounded half-to-even to 18 places and checked
against the range of a policy Decimal (|x| < 10^17).

Run from the repository root:  python3 tests/data/decimal_reference.py > tests/data/decimal_reference.tsv
tests/unit/core/decimal_reference_test.cpp reads the file; the test `decimal_reference_is_current`
runs this script again and compares, where python3 is installed.

Columns: operation (+ - * / %), left operand, right operand, expected result or
`overflow` / `division by zero`.
"""
import decimal
from decimal import Decimal as D

CTX = decimal.Context(prec=120, rounding=decimal.ROUND_HALF_EVEN, Emax=10**6, Emin=-10**6)
PLACES = D("1e-18")
LIMIT = D("1e17")
decimal.setcontext(CTX)  # so no operation falls back to the default 28 digits

amounts = ["0", "0.01", "1", "10.5", "-10.5", "19.99", "1234.56", "-0.05", "99999.99",
           "1000000000.00", "123456789012345.67", "99999999999999999.99"]
rates = ["0.2", "0.125", "0.904761904761904762", "0.333333333333333333", "-0.07",
         "1.000000000000000001", "0.000000000000000001", "3", "12", "0.5", "100",
         "1.0000000001", "0.999999999999999999"]
edges = ["99999999999999999.999999999999999999", "-99999999999999999.999999999999999999",
         "0.000000000000000001", "-0.000000000000000001", "50000000000000000",
         "9999999999.999999999", "10000000000", "0.000000001"]


def text(x: D) -> str:
    """The shortest exact text, as Decimal::ToString prints it."""
    if x == 0:
        return "0"
    s = format(x.normalize(CTX), "f")
    return s


def compute(op: str, a: D, b: D) -> str:
    if op in "/%" and b == 0:
        return "division by zero"
    if op == "+":
        r = CTX.add(a, b)
    elif op == "-":
        r = CTX.subtract(a, b)
    elif op == "*":
        r = CTX.multiply(a, b)
    elif op == "/":
        r = CTX.divide(a, b)
    else:  # floored remainder: a - b * floor(a / b)
        q = CTX.divide(a, b).to_integral_value(rounding=decimal.ROUND_FLOOR)
        r = CTX.subtract(a, CTX.multiply(b, q))
    r = r.quantize(PLACES, rounding=decimal.ROUND_HALF_EVEN, context=CTX)
    if r.copy_abs() >= LIMIT:
        return "overflow"
    return text(r)


def rows():
    seen = set()
    pairs = []
    for a in amounts:
        for b in rates:
            pairs.append((a, b))
    for a in edges:
        for b in edges + ["2", "0.5", "-1", "0"]:
            pairs.append((a, b))
    pairs += [("10.5", "0"), ("0", "0"), ("1", "3"), ("2", "3"), ("-2", "3"), ("7.5", "-2"),
              ("-7.5", "2"), ("0.000000000000000005", "0.5"), ("0.000000000000000015", "0.5"),
              ("0.000000000000000025", "0.5")]
    for a, b in pairs:
        for op in "+-*/%":
            key = (op, a, b)
            if key not in seen:
                seen.add(key)
                yield op, a, b, compute(op, D(a), D(b))


if __name__ == "__main__":
    for op, a, b, r in rows():
        print(f"{op}\t{a}\t{b}\t{r}")
